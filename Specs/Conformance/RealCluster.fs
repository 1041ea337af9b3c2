/// A real kube-apiserver as a cluster under test: each test gets a namespace and a name prefix of its own on the
/// shared control plane; asynchronous effects are polled for; expiring resourceVersions is an etcd compaction.
module Ztwim.Specs.Conformance.RealCluster

open System
open System.IO
open System.Net.Http
open System.Text
open System.Threading
open System.Threading.Tasks
open Expecto
open Ztwim.Kernel
open Ztwim.Adapters.Cluster
open Ztwim.Adapters.Kube
open Ztwim.Specs.Conformance.ClusterUnderTest

/// Where the control plane is: its admin kubeconfig, etcd's client URL, whether kube-controller-manager runs.
type Connection =
    { Kubeconfig: string
      EtcdUrl: string
      HasControllerManager: bool }

// How long the real server may take: garbage collection and namespace work take a second or two.
let private patience = seconds 20.0

// The server closes a watch after this long, and sends a bookmark about two seconds before it does when its watch
// cache has moved past where the watch started: the one way to see a bookmark quickly (otherwise once a minute).
let private watchTimeout = seconds 4.0

let private eventWait = seconds 6.0

let private next (w: IWatch) =
    task {
        use timeout = new CancellationTokenSource(eventWait)

        try
            let! more = w.Events.WaitToReadAsync(timeout.Token)

            if more then
                let mutable e = Unchecked.defaultof<WatchEvent>
                return (if w.Events.TryRead(&e) then Some e else None)
            else
                return None
        with :? OperationCanceledException ->
            return None
    }

// The gRPC gateway of etcd: a compaction to the current revision makes every older resourceVersion unusable
// where a watch reaches etcd (kinds without a watch cache, Events by default).
let private compact (http: HttpClient) (etcdUrl: string) (client: IClusterClient) (ns: string) =
    task {
        let! list =
            client.ListAsync(events, ns, null, ct)
            |> ok "list events for the current resourceVersion"

        let body = sprintf """{"revision": "%s", "physical": true}""" list.ResourceVersion
        use content = new StringContent(body, Encoding.UTF8, "application/json")
        let! response = http.PostAsync(etcdUrl.TrimEnd('/') + "/v3/kv/compaction", content)
        let! text = response.Content.ReadAsStringAsync()

        if not response.IsSuccessStatusCode && not (text.Contains "compacted") then
            failtestf "etcd compaction to %s: %O %s" list.ResourceVersion response.StatusCode text
    }

let private counter = ref 0

let private etcdHttp = lazy (new HttpClient())

/// A namespace of the test's own on the control plane, made now, and the cluster under test around it.
let create (connection: Connection) =
    task {
        let n = Interlocked.Increment counter
        let suffix = Guid.NewGuid().ToString("N").Substring(0, 6)
        let name = sprintf "conformance-%d-%s" n suffix

        let client =
            KubeConnection.Connect(
                KubeConnection.Configuration(connection.Kubeconfig, null),
                KubeClientOptions(Component = "conformance", WatchTimeout = watchTimeout, Qps = 0.0)
            )

        let ns =
            Json.obj
                [ "apiVersion", Json.String "v1"
                  "kind", Json.String "Namespace"
                  "metadata", Json.obj [ "name", Json.String name ] ]

        let! _ = client.CreateAsync(ns, ct) |> ok "create the test's namespace"

        return
            { Flavour = Real
              Client = client :> IClusterClient
              UpdateManager = "conformance"
              Namespace = name
              Prefix = name + "-"
              Eventually = fun what check -> poll patience (TimeSpan.FromMilliseconds 200.0) what check
              NextEvent = next
              Expire = fun () -> compact etcdHttp.Value connection.EtcdUrl client name
              ExpiringType = events
              HasGarbageCollector = connection.HasControllerManager }
    }

/// Removes the test's namespace (and so its objects) and its cluster-scoped objects, without waiting for them to go.
let dispose (c: ClusterUnderTest) =
    task {
        let! own = c.Client.ListAsync(clusterSpiffeIds, null, null, ct)

        if own.IsOk then
            for o in own.Value.Items do
                if (o.Meta "name").StartsWith c.Prefix then
                    let! _ = c.Client.DeleteAsync(o.RefOf(), ct)
                    ()

        let! _ = c.Client.DeleteAsync(JsonAccess.Ref("v1", "Namespace", null, c.Namespace), ct)
        return ()
    }
