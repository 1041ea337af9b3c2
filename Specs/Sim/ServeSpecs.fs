module Ztwim.Specs.Sim.ServeSpecs

open System
open System.Diagnostics
open System.IO
open System.Text.Json
open System.Threading
open Expecto
open k8s
open k8s.Autorest
open k8s.Models
open Ztwim.Adapters.Sim
open Ztwim.Sim.Serve
open Ztwim.Specs

/// One server for the whole list (each test uses its own names), pods ready half a second after they start.
let private server =
    lazy
        (let options = ServeCommand.options None

         let options =
             SimClusterOptions(
                 Nodes = options.Nodes,
                 Namespaces = options.Namespaces,
                 ServedTypes = options.ServedTypes,
                 PodReadyDelay = TimeSpan.FromMilliseconds 500.0
             )

         let started = (ApiHost.start options 0).Result
         let dir = Directory.CreateTempSubdirectory "ztwim-serve-specs"

         let kubeconfig =
             Kubeconfig.write (Path.Combine(dir.FullName, "kubeconfig")) started.Url

         started, kubeconfig, dir.FullName)

let private client () =
    let _, kubeconfig, _ = server.Force()
    new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile kubeconfig)

let private configMap ns name (labels: (string * string) list) (data: (string * string) list) =
    V1ConfigMap(
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = V1ObjectMeta(Name = name, NamespaceProperty = ns, Labels = dict labels),
        Data = dict data
    )

let private statusCode (f: unit -> 'a) =
    try
        f () |> ignore
        0
    with
    | :? AggregateException as e when (e.InnerException :? HttpOperationException) ->
        int (e.InnerException :?> HttpOperationException).Response.StatusCode
    | :? HttpOperationException as e -> int e.Response.StatusCode

/// The next event of a watch, or a failure after five seconds.
let private next (events: Collections.Generic.IAsyncEnumerator<struct (WatchEventType * 'T)>) =
    let moved = events.MoveNextAsync().AsTask()

    if not (moved.Wait(TimeSpan.FromSeconds 5.0)) then
        failtest "no watch event within 5 s"

    if not moved.Result then
        failtest "the watch ended"

    events.Current

let private repoRoot () = Repository.root

let private kubectlPath =
    (Environment.GetEnvironmentVariable "PATH").Split(Path.PathSeparator)
    |> Array.map (fun d -> Path.Combine(d, "kubectl"))
    |> Array.tryFind File.Exists

/// Runs kubectl against the served cluster: its exit code and its output (stdout then stderr).
let private kubectl (args: string list) =
    let _, kubeconfig, dir = server.Force()

    let start =
        ProcessStartInfo(kubectlPath.Value, RedirectStandardOutput = true, RedirectStandardError = true)

    for a in [ "--kubeconfig"; kubeconfig; "--cache-dir"; Path.Combine(dir, "cache") ] @ args do
        start.ArgumentList.Add a

    use p = Process.Start start
    let out = p.StandardOutput.ReadToEndAsync()
    let err = p.StandardError.ReadToEndAsync()

    if not (p.WaitForExit 15000) then
        p.Kill()
        failtest (sprintf "kubectl %s did not finish in 15 s" (String.concat " " args))

    p.ExitCode, out.Result + err.Result

let private kubectlTest name body =
    test name {
        match kubectlPath with
        | None -> skiptest "kubectl is not installed"
        | Some _ -> body ()
    }

let private cr =
    """{"apiVersion":"operator.openshift.io/v1alpha1","kind":"ZeroTrustWorkloadIdentityManager",
        "metadata":{"name":"cluster"},
        "spec":{"trustDomain":"example.com","clusterName":"serve-specs","bundleConfigMap":"spire-bundle"}}"""

[<Tests>]
let tests =
    testSequenced
    <| testList
        "ztwim-sim serve"
        [ test "create, get, and list by label selector, through KubernetesClient" {
              use k = client ()

              k.CoreV1.CreateNamespacedConfigMap(configMap "list" "a" [ "tier", "web" ] [ "k", "1" ], "list")
              |> ignore

              k.CoreV1.CreateNamespacedConfigMap(configMap "list" "b" [ "tier", "db" ] [], "list")
              |> ignore

              let got = k.CoreV1.ReadNamespacedConfigMap("a", "list")
              Expect.equal got.Data.["k"] "1" "get returns the stored data"
              let web = k.CoreV1.ListNamespacedConfigMap("list", labelSelector = "tier=web")
              Expect.equal [ for c in web.Items -> c.Metadata.Name ] [ "a" ] "only the matching object"
              Expect.isNotEmpty web.Metadata.ResourceVersion "the list carries its resourceVersion"
              Expect.equal (statusCode (fun () -> k.CoreV1.ReadNamespacedConfigMap("absent", "list"))) 404 "NotFound"
          }

          test "a watch sees ADDED, then MODIFIED" {
              use k = client ()
              use stop = new CancellationTokenSource(TimeSpan.FromSeconds 10.0)

              let events =
                  k.CoreV1
                      .WatchListNamespacedConfigMapAsync("watch", cancellationToken = stop.Token)
                      .GetAsyncEnumerator(stop.Token)

              // The request goes out on the first MoveNext; the create must come after the watch is open.
              let first = events.MoveNextAsync().AsTask()
              Thread.Sleep 200

              k.CoreV1.CreateNamespacedConfigMap(configMap "watch" "w" [] [ "k", "1" ], "watch")
              |> ignore

              if not (first.Wait(TimeSpan.FromSeconds 5.0) && first.Result) then
                  failtest "no ADDED event"

              let struct (addedType, added) = events.Current
              let patch = V1Patch("""{"data":{"k":"2"}}""", V1Patch.PatchType.MergePatch)
              k.CoreV1.PatchNamespacedConfigMap(patch, "w", "watch") |> ignore
              let struct (modifiedType, modified) = next events
              Expect.equal (addedType, added.Metadata.Name) (WatchEventType.Added, "w") "ADDED first"

              Expect.equal
                  (modifiedType, modified.Data.["k"])
                  (WatchEventType.Modified, "2")
                  "then MODIFIED, with the new data"

              events.DisposeAsync().AsTask().Wait()
          }

          test "server-side apply: a second manager conflicts, and wins with force" {
              use k = client ()

              let apply manager value force =
                  let body =
                      sprintf
                          """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ssa","namespace":"apply"},"data":{"k":"%s"}}"""
                          value

                  k.CoreV1.PatchNamespacedConfigMap(
                      V1Patch(body, V1Patch.PatchType.ApplyPatch),
                      "ssa",
                      "apply",
                      fieldManager = manager,
                      force = Nullable force
                  )

              let created = apply "alice" "1" false
              Expect.equal created.Data.["k"] "1" "apply creates"

              Expect.equal
                  (statusCode (fun () -> apply "bob" "2" false))
                  409
                  "bob's change conflicts with alice's field"

              let forced = apply "bob" "2" true
              Expect.equal forced.Data.["k"] "2" "force takes the field"

              Expect.equal
                  [ for m in forced.Metadata.ManagedFields -> m.Manager ]
                  [ "bob" ]
                  "bob owns the field now, alice owns nothing"
          }

          test "the status subresource: a status patch writes status, a main patch cannot" {
              use k = client ()

              let group, version, plural =
                  "operator.openshift.io", "v1alpha1", "zerotrustworkloadidentitymanagers"

              k.CustomObjects.CreateClusterCustomObject(JsonDocument.Parse(cr).RootElement, group, version, plural)
              |> ignore

              let condition =
                  """{"status":{"conditions":[{"type":"Ready","status":"True","reason":"Served","message":"m","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}"""

              k.CustomObjects.PatchClusterCustomObject(
                  V1Patch(condition.Replace("Served", "Ignored"), V1Patch.PatchType.MergePatch),
                  group,
                  version,
                  plural,
                  "cluster"
              )
              |> ignore

              let patched =
                  k.CustomObjects.PatchClusterCustomObjectStatus(
                      V1Patch(condition, V1Patch.PatchType.MergePatch),
                      group,
                      version,
                      plural,
                      "cluster"
                  )
                  :?> JsonElement

              let reasons =
                  [ for c in patched.GetProperty("status").GetProperty("conditions").EnumerateArray() ->
                        c.GetProperty("reason").GetString() ]

              Expect.equal reasons [ "Served" ] "only the status patch reached the status"

              Expect.equal
                  (patched.GetProperty("metadata").GetProperty("generation").GetInt64())
                  1L
                  "status writes keep the generation"
          }

          test "a strategic merge patch merges containers by name; a JSON patch replaces a field" {
              use k = client ()
              let labels = dict [ "app", "patched" ]

              let container name (ports: int list) =
                  V1Container(
                      Name = name,
                      Image = "image-" + name,
                      Ports = [| for p in ports -> V1ContainerPort(ContainerPort = p) |]
                  )

              let deployment =
                  V1Deployment(
                      ApiVersion = "apps/v1",
                      Kind = "Deployment",
                      Metadata = V1ObjectMeta(Name = "patched", NamespaceProperty = "patch"),
                      Spec =
                          V1DeploymentSpec(
                              Replicas = 1,
                              Selector = V1LabelSelector(MatchLabels = labels),
                              Template =
                                  V1PodTemplateSpec(
                                      Metadata = V1ObjectMeta(Labels = labels),
                                      Spec = V1PodSpec(Containers = [| container "a" [ 8080 ]; container "b" [] |])
                                  )
                          )
                  )

              k.AppsV1.CreateNamespacedDeployment(deployment, "patch") |> ignore

              let strategic =
                  """{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"a"},{"name":"b"}],"containers":[{"name":"a","image":"new"}]}}}}"""

              let merged =
                  k.AppsV1.PatchNamespacedDeployment(
                      V1Patch(strategic, V1Patch.PatchType.StrategicMergePatch),
                      "patched",
                      "patch"
                  )

              let containers = merged.Spec.Template.Spec.Containers

              Expect.equal
                  [ for c in containers -> c.Name, c.Image ]
                  [ "a", "new"; "b", "image-b" ]
                  "container a changed in place, b kept"

              Expect.equal
                  [ for p in containers.[0].Ports -> p.ContainerPort ]
                  [ 8080 ]
                  "a keeps the fields the patch did not name"

              let replaced =
                  k.AppsV1.PatchNamespacedDeployment(
                      V1Patch(
                          """[{"op":"test","path":"/spec/replicas","value":1},{"op":"replace","path":"/spec/replicas","value":3}]""",
                          V1Patch.PatchType.JsonPatch
                      ),
                      "patched",
                      "patch"
                  )

              Expect.equal replaced.Spec.Replicas (Nullable 3) "the JSON patch replaced the replica count"

              Expect.equal
                  (statusCode (fun () ->
                      k.AppsV1.PatchNamespacedDeployment(
                          V1Patch("""[{"op":"test","path":"/spec/replicas","value":1}]""", V1Patch.PatchType.JsonPatch),
                          "patched",
                          "patch"
                      )))
                  422
                  "a failed test operation rejects the patch"
          }

          test "an update from a stale resourceVersion gets 409 Conflict" {
              use k = client ()

              let original =
                  k.CoreV1.CreateNamespacedConfigMap(configMap "stale" "c" [] [ "k", "1" ], "stale")

              original.Data.["k"] <- "2"
              k.CoreV1.ReplaceNamespacedConfigMap(original, "c", "stale") |> ignore
              original.Data.["k"] <- "3"

              Expect.equal
                  (statusCode (fun () -> k.CoreV1.ReplaceNamespacedConfigMap(original, "c", "stale")))
                  409
                  "the stale write is refused"

              Expect.equal (k.CoreV1.ReadNamespacedConfigMap("c", "stale").Data.["k"]) "2" "the newer write stays"
          }

          test "a watch from a compacted resourceVersion ends with a 410 Status" {
              use k = client ()
              let old = k.CoreV1.CreateNamespacedConfigMap(configMap "gone" "g" [] [], "gone")
              k.CoreV1.DeleteNamespacedConfigMap("g", "gone") |> ignore
              let started, _, _ = server.Force()
              started.Loop.Run(fun c -> c.Compact()).Wait()
              use stop = new CancellationTokenSource(TimeSpan.FromSeconds 10.0)

              let errors = ResizeArray<exn>()

              let events =
                  k.CoreV1
                      .WatchListNamespacedConfigMapAsync(
                          "gone",
                          resourceVersion = old.Metadata.ResourceVersion,
                          onError = Action<exn> errors.Add,
                          cancellationToken = stop.Token
                      )
                      .GetAsyncEnumerator(stop.Token)

              let thrown =
                  try
                      let moved = events.MoveNextAsync().AsTask()
                      moved.Wait(TimeSpan.FromSeconds 5.0) |> ignore
                      None
                  with :? AggregateException as e ->
                      Some e.InnerException

              let code =
                  Seq.append errors (Option.toList thrown)
                  |> Seq.tryPick (function
                      | :? KubernetesException as e -> Some(e.Status.Code.GetValueOrDefault())
                      | _ -> None)
                  |> Option.defaultValue 0

              Expect.equal code 410 "the watch's ERROR event carries 410 Gone"
          }

          kubectlTest "kubectl applies the CRDs and a CR, and gets spireservers"
          <| fun () ->
              let crds = Path.Combine(repoRoot (), "manifests", "crds")
              let code, out = kubectl [ "apply"; "-f"; crds ]
              Expect.equal code 0 (sprintf "kubectl apply -f manifests/crds/: %s" out)
              Expect.stringContains out "spireservers.operator.openshift.io created" "the CRD is stored"

              let code, out =
                  kubectl
                      [ "wait"
                        "--for"
                        "condition=established"
                        "--timeout=5s"
                        "crd/spireservers.operator.openshift.io" ]

              Expect.equal code 0 (sprintf "the CRD is Established: %s" out)
              let _, _, dir = server.Force()
              let file = Path.Combine(dir, "spireserver.yaml")

              File.WriteAllText(
                  file,
                  String.concat
                      "\n"
                      [ "apiVersion: operator.openshift.io/v1alpha1"
                        "kind: SpireServer"
                        "metadata: {name: cluster}"
                        "spec:"
                        "  jwtIssuer: https://oidc.example.com"
                        "  caSubject: {country: US, organization: Example, commonName: SPIRE Server CA}"
                        "  persistence: {size: 1Gi, accessMode: ReadWriteOnce}"
                        "  datastore: {databaseType: sqlite3, connectionString: /run/spire/data/datastore.sqlite3}" ]
              )

              let code, out = kubectl [ "apply"; "-f"; file ]
              Expect.equal code 0 (sprintf "kubectl apply -f of a SpireServer: %s" out)
              let code, out = kubectl [ "get"; "spireservers" ]
              Expect.equal code 0 out
              Expect.stringContains out "cluster" "the CR is listed"

          kubectlTest
              "kubectl get pods shows a Deployment's pods in the operand namespace, ready in real time; kubectl scale"
          <| fun () ->
              use k = client ()
              let ns = "zero-trust-workload-identity-manager"
              let labels = dict [ "app", "web" ]

              let deployment =
                  V1Deployment(
                      ApiVersion = "apps/v1",
                      Kind = "Deployment",
                      Metadata = V1ObjectMeta(Name = "web", NamespaceProperty = ns),
                      Spec =
                          V1DeploymentSpec(
                              Replicas = 1,
                              Selector = V1LabelSelector(MatchLabels = labels),
                              Template =
                                  V1PodTemplateSpec(
                                      Metadata = V1ObjectMeta(Labels = labels),
                                      Spec = V1PodSpec(Containers = [| V1Container(Name = "web", Image = "nginx") |])
                                  )
                          )
                  )

              k.AppsV1.CreateNamespacedDeployment(deployment, ns) |> ignore
              let watch = Stopwatch.StartNew()

              let ready () =
                  k.AppsV1.ReadNamespacedDeployment("web", ns).Status
                  |> Option.ofObj
                  |> Option.bind (fun s -> Option.ofNullable s.ReadyReplicas)
                  |> (=) (Some 1)

              while not (ready ()) && watch.Elapsed < TimeSpan.FromSeconds 10.0 do
                  Thread.Sleep 100

              Expect.isTrue (ready ()) "the simulated controllers make the Deployment ready on the wall clock"
              let code, out = kubectl [ "get"; "pods"; "-n"; ns ]
              Expect.equal code 0 out
              Expect.stringContains out "web-" "the Deployment's pod is listed"
              Expect.stringContains out "1/1     Running" "printed as a Table: ready containers and status"
              let code, out = kubectl [ "scale"; "deployment"; "web"; "-n"; ns; "--replicas=2" ]
              Expect.equal code 0 (sprintf "kubectl scale: %s" out)

              Expect.equal
                  (k.AppsV1.ReadNamespacedDeployment("web", ns).Spec.Replicas)
                  (Nullable 2)
                  "scaled through /scale" ]
