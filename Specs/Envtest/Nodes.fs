/// A stand-in for the kubelets and the scheduler a test control plane has none of: N Nodes that stay Ready
/// (their Leases renewed), every Pending pod bound to one of them (a DaemonSet's pod to the node its affinity
/// names), reported Running and Ready a little later, and every deleted pod finalised. With
/// kube-controller-manager running, StatefulSets, DaemonSets and Deployments then report the status a real
/// cluster's would, which is what the operator's Ready conditions are computed from.
module Ztwim.Specs.Envtest.Nodes

open System
open System.Collections.Concurrent
open System.Threading
open System.Threading.Tasks
open k8s
open k8s.Models

type Options =
    {
        Count: int
        /// How long after binding a pod is reported Running and Ready.
        ReadyAfter: TimeSpan
        /// How often pods are looked at.
        Interval: TimeSpan
    }

let defaults =
    { Count = 3
      ReadyAfter = TimeSpan.FromMilliseconds 300.0
      Interval = TimeSpan.FromMilliseconds 200.0 }

let nodeName (i: int) = sprintf "node-%d" i

let private leaseNamespace = "kube-node-lease"
let private leaseSeconds = 40
let private renewEvery = TimeSpan.FromSeconds 10.0

let private microTime (t: DateTime) =
    t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'")

let private register (k: IKubernetes) (i: int) =
    let now = DateTime.UtcNow
    let name = nodeName i

    let resources =
        dict
            [ "cpu", ResourceQuantity "8"
              "memory", ResourceQuantity "32Gi"
              "pods", ResourceQuantity "110" ]

    let node =
        V1Node(
            Metadata =
                V1ObjectMeta(Name = name, Labels = dict [ "kubernetes.io/hostname", name; "kubernetes.io/os", "linux" ]),
            Status =
                V1NodeStatus(
                    Conditions =
                        [| V1NodeCondition(
                               Type = "Ready",
                               Status = "True",
                               Reason = "KubeletReady",
                               Message = "node stand-in",
                               LastHeartbeatTime = Nullable now,
                               LastTransitionTime = Nullable now
                           ) |],
                    Addresses = [| V1NodeAddress(Type = "InternalIP", Address = sprintf "10.0.0.%d" (i + 1)) |],
                    Capacity = resources,
                    Allocatable = resources
                )
        )

    k.CoreV1.CreateNode node |> ignore

    // The API server taints every new Node not-ready until a node controller looks; nothing need wait for that.
    let patch = """{"spec":{"taints":null}}"""

    k.CoreV1.PatchNode(V1Patch(patch, V1Patch.PatchType.MergePatch), name) |> ignore

    let lease =
        V1Lease(
            Metadata = V1ObjectMeta(Name = name, NamespaceProperty = leaseNamespace),
            Spec =
                V1LeaseSpec(
                    HolderIdentity = name,
                    LeaseDurationSeconds = Nullable leaseSeconds,
                    RenewTime = Nullable now
                )
        )

    k.CoordinationV1.CreateNamespacedLease(lease, leaseNamespace) |> ignore

let private renew (k: IKubernetes) (i: int) =
    let patch = sprintf """{"spec":{"renewTime":"%s"}}""" (microTime DateTime.UtcNow)

    k.CoordinationV1.PatchNamespacedLease(V1Patch(patch, V1Patch.PatchType.MergePatch), nodeName i, leaseNamespace)
    |> ignore

/// The node a DaemonSet's pod is meant for: its required node affinity on `metadata.name`.
let private affinityNode (pod: V1Pod) =
    let terms =
        pod.Spec.Affinity
        |> Option.ofObj
        |> Option.bind (fun a -> Option.ofObj a.NodeAffinity)
        |> Option.bind (fun a -> Option.ofObj a.RequiredDuringSchedulingIgnoredDuringExecution)
        |> Option.bind (fun r -> Option.ofObj r.NodeSelectorTerms)
        |> Option.map List.ofSeq
        |> Option.defaultValue []

    terms
    |> List.collect (fun t -> t.MatchFields |> Option.ofObj |> Option.map List.ofSeq |> Option.defaultValue [])
    |> List.tryPick (fun r ->
        if r.Key = "metadata.name" && r.OperatorProperty = "In" && not (isNull r.Values) then
            Seq.tryHead r.Values
        else
            None)

let private isReady (pod: V1Pod) =
    not (isNull pod.Status)
    && pod.Status.Phase = "Running"
    && not (isNull pod.Status.Conditions)
    && pod.Status.Conditions
       |> Seq.exists (fun c -> c.Type = "Ready" && c.Status = "True")

/// The running nodes; stops (and leaves the Nodes in place) on Dispose.
type NodeStandIn(k: IKubernetes, options: Options) =
    let stop = new CancellationTokenSource()
    let boundAt = ConcurrentDictionary<string, DateTime>()
    let errors = ConcurrentQueue<string>()
    let mutable nextNode = 0
    let mutable nextIp = 0
    let mutable lastRenew = DateTime.UtcNow

    let note (what: string) (e: exn) =
        errors.Enqueue(sprintf "%s: %s" what (e.GetBaseException().Message))

        while errors.Count > 20 do
            errors.TryDequeue() |> ignore

    let bind (pod: V1Pod) =
        let node =
            match affinityNode pod with
            | Some n -> n
            | None ->
                nextNode <- nextNode + 1
                nodeName (nextNode % options.Count)

        let binding =
            V1Binding(
                Metadata = V1ObjectMeta(Name = pod.Metadata.Name, NamespaceProperty = pod.Metadata.NamespaceProperty),
                Target = V1ObjectReference(ApiVersion = "v1", Kind = "Node", Name = node)
            )

        k.CoreV1.CreateNamespacedPodBinding(binding, pod.Metadata.Name, pod.Metadata.NamespaceProperty)
        |> ignore

        boundAt.[pod.Metadata.Uid] <- DateTime.UtcNow

    let report (pod: V1Pod) =
        let now = DateTime.UtcNow
        nextIp <- nextIp + 1
        let ip = sprintf "10.244.%d.%d" (nextIp / 250) (nextIp % 250 + 1)

        let nodeIp =
            match pod.Spec.NodeName with
            | null -> "10.0.0.1"
            | n -> sprintf "10.0.0.%d" ((n.Substring(n.LastIndexOf '-' + 1) |> int) + 1)

        let condition t =
            V1PodCondition(Type = t, Status = "True", LastTransitionTime = Nullable now)

        let containers (cs: V1Container seq) =
            [| for c in cs ->
                   V1ContainerStatus(
                       Name = c.Name,
                       Image = c.Image,
                       ImageID = "",
                       Ready = true,
                       Started = Nullable true,
                       RestartCount = 0,
                       State = V1ContainerState(Running = V1ContainerStateRunning(StartedAt = Nullable now))
                   ) |]

        let status =
            V1PodStatus(
                Phase = "Running",
                HostIP = nodeIp,
                PodIP = ip,
                PodIPs = [| V1PodIP(Ip = ip) |],
                StartTime = Nullable now,
                Conditions =
                    [| condition "PodScheduled"
                       condition "Initialized"
                       condition "ContainersReady"
                       condition "Ready" |],
                ContainerStatuses = containers pod.Spec.Containers
            )

        let patch = KubernetesJson.Serialize(V1Pod(Status = status))

        k.CoreV1.PatchNamespacedPodStatus(
            V1Patch(patch, V1Patch.PatchType.MergePatch),
            pod.Metadata.Name,
            pod.Metadata.NamespaceProperty
        )
        |> ignore

    let finalise (pod: V1Pod) =
        k.CoreV1.DeleteNamespacedPod(
            pod.Metadata.Name,
            pod.Metadata.NamespaceProperty,
            body = V1DeleteOptions(GracePeriodSeconds = Nullable 0L)
        )
        |> ignore

    let tick () =
        if DateTime.UtcNow - lastRenew > renewEvery then
            lastRenew <- DateTime.UtcNow

            for i in 0 .. options.Count - 1 do
                try
                    renew k i
                with e ->
                    note (sprintf "renewing %s's Lease" (nodeName i)) e

        let pods = k.CoreV1.ListPodForAllNamespaces()

        for pod in pods.Items do
            let what = sprintf "pod %s/%s" pod.Metadata.NamespaceProperty pod.Metadata.Name

            try
                if pod.Metadata.DeletionTimestamp.HasValue then
                    finalise pod
                elif String.IsNullOrEmpty pod.Spec.NodeName then
                    bind pod
                elif not (isReady pod) then
                    let bound = boundAt.GetOrAdd(pod.Metadata.Uid, DateTime.UtcNow)

                    if DateTime.UtcNow - bound >= options.ReadyAfter then
                        report pod
            with e ->
                note what e

    let loop =
        Task.Run(fun () ->
            while not stop.IsCancellationRequested do
                try
                    tick ()
                with e ->
                    note "listing pods" e

                try
                    Task.Delay(options.Interval, stop.Token).Wait()
                with _ ->
                    ())

    member _.Count = options.Count

    /// The last few things that went wrong (a pod deleted while being bound, say): for a failure message.
    member _.Errors = List.ofSeq errors

    interface IDisposable with
        member _.Dispose() =
            stop.Cancel()
            loop.Wait(TimeSpan.FromSeconds 5.0) |> ignore
            stop.Dispose()

/// Registers the Nodes and starts looking after their pods.
let start (k: IKubernetes) (options: Options) =
    for i in 0 .. options.Count - 1 do
        register k i

    new NodeStandIn(k, options)
