/// Issue 7's end-to-end test: the built `ztwim-sim serve` and the built `ztwim-operator` as child processes,
/// the CRDs and the five quickstart CRs applied through KubernetesClient; every CR Ready, the operands there,
/// after an operator restart not one write to an operand object or a CR, and after every watch was cut the
/// informers open them again (a deleted operand is put back long before any resync).
module Ztwim.Specs.E2E.OperatorE2ESpecs

open System
open System.Collections.Concurrent
open System.Diagnostics
open System.IO
open System.Net.Http
open System.Text.Json
open System.Threading
open Expecto
open k8s
open k8s.Models
open Ztwim.Kernel
open Ztwim.Adapters.Files

open Ztwim.Specs.E2E.E2EProcesses

let private getJson (http: HttpClient) (path: string) =
    use response = http.GetAsync(path).Result

    if response.IsSuccessStatusCode then
        Some(JsonDocument.Parse(response.Content.ReadAsStringAsync().Result).RootElement.Clone())
    else
        None

let private prop (name: string) (e: JsonElement) =
    match e.ValueKind with
    | JsonValueKind.Object ->
        match e.TryGetProperty name with
        | true, v -> Some v
        | _ -> None
    | _ -> None

let private str name e =
    prop name e
    |> Option.filter (fun v -> v.ValueKind = JsonValueKind.String)
    |> Option.map (fun v -> v.GetString())

let private items (e: JsonElement) =
    match prop "items" e with
    | Some a when a.ValueKind = JsonValueKind.Array -> List.ofSeq (a.EnumerateArray())
    | _ -> []

/// The list paths of every served resource that can be listed: /api/v1/configmaps, /apis/apps/v1/daemonsets, ...
let private listPaths (http: HttpClient) =
    let resources (prefix: string) =
        match getJson http prefix with
        | None -> []
        | Some doc ->
            match prop "resources" doc with
            | Some rs ->
                [ for r in rs.EnumerateArray() do
                      let name = (str "name" r).Value

                      let verbs =
                          match prop "verbs" r with
                          | Some v -> [ for x in v.EnumerateArray() -> x.GetString() ]
                          | None -> []

                      if not (name.Contains '/') && List.contains "list" verbs then
                          yield prefix + "/" + name ]
            | None -> []

    let groups =
        match getJson http "/apis" with
        | Some doc ->
            match prop "groups" doc with
            | Some gs ->
                [ for g in gs.EnumerateArray() do
                      match prop "preferredVersion" g |> Option.bind (str "groupVersion") with
                      | Some gv -> yield "/apis/" + gv
                      | None -> () ]
            | None -> []
        | None -> []

    resources "/api/v1" @ List.collect resources groups

/// resourceVersion of every object with our managed-by label, and of every CR: "path ns/name" -> resourceVersion.
let private versions (http: HttpClient) (paths: string list) =
    let selector =
        Uri.EscapeDataString "app.kubernetes.io/managed-by=zero-trust-workload-identity-manager"

    [ for path in paths do
          let query =
              if
                  path.StartsWith("/apis/" + group + "/")
                  && List.exists (fun p -> path.EndsWith("/" + p)) crPlurals
              then
                  path
              else
                  path + "?labelSelector=" + selector

          match getJson http query with
          | Some list ->
              for item in items list do
                  let meta = (prop "metadata" item).Value
                  let ns = defaultArg (str "namespace" meta) ""

                  yield sprintf "%s %s/%s" path ns (str "name" meta).Value, defaultArg (str "resourceVersion" meta) ""
          | None -> () ]
    |> Map.ofList

let private ready (http: HttpClient) (plural: string) =
    match getJson http (sprintf "/apis/%s/%s/%s/cluster" group version plural) with
    | None -> false
    | Some cr ->
        match prop "status" cr |> Option.bind (prop "conditions") with
        | Some cs when cs.ValueKind = JsonValueKind.Array ->
            cs.EnumerateArray()
            |> Seq.exists (fun c -> str "type" c = Some "Ready" && str "status" c = Some "True")
        | _ -> false

let private count (http: HttpClient) (kind: string) =
    match getJson http (sprintf "/apis/apps/v1/namespaces/%s/%s" operandNamespace kind) with
    | Some list -> List.length (items list)
    | None -> 0

/// The sum of WriteCount over a child's "Reconciled ..." log events (compact JSON lines).
let private loggedWrites (c: Child) =
    c.Lines
    |> Array.sumBy (fun (_, line) ->
        if line.StartsWith "{" && line.Contains "\"WriteCount\"" then
            try
                use doc = JsonDocument.Parse line

                match doc.RootElement.TryGetProperty "WriteCount" with
                | true, n when n.ValueKind = JsonValueKind.Number -> n.GetInt32()
                | _ -> 0
            with _ ->
                0
        else
            0)

let private run () =
    withChildren "ztwim-e2e" (fun dir children ->
        let wall = Stopwatch.StartNew()
        let kubeconfig, url = startServe dir children
        let operatorStart () = operatorStart kubeconfig

        use http =
            new HttpClient(BaseAddress = Uri url, Timeout = TimeSpan.FromSeconds 10.0)

        waitFor "the simulated cluster to answer" (TimeSpan.FromSeconds 10.0) 100 (fun () ->
            getJson http "/api" |> Option.map ignore)

        printfn "e2e: ztwim-sim serve at %s after %.1f s" url wall.Elapsed.TotalSeconds

        use k =
            new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile kubeconfig)

        // The CRDs, as an installation would have them (the simulated cluster serves the CRs' types anyway).
        for file in
            Directory.GetFiles(Path.Combine(repoRoot (), "manifests", "crds"), "*.yaml")
            |> Array.sort do
            for o in KubernetesYaml.LoadAllFromString(File.ReadAllText file) do
                match o with
                | :? V1CustomResourceDefinition as crd ->
                    let body = KubernetesJson.Serialize crd

                    k.ApiextensionsV1.PatchCustomResourceDefinition(
                        V1Patch(body, V1Patch.PatchType.ApplyPatch),
                        crd.Metadata.Name,
                        fieldManager = "ztwim-e2e",
                        force = Nullable true
                    )
                    |> ignore
                | _ -> ()

        let operator1 = new Child("ztwim-operator", operatorStart ())
        children.Add operator1

        // The five quickstart CRs, by server-side apply.
        let docs =
            match ManifestReader.Read(Ztwim.Sim.Quickstart.manifest ()) with
            | Ok docs -> docs
            | Error e -> failtestf "quickstart.yaml: %s" e

        Expect.equal (List.length docs) 5 "five quickstart CRs"

        for doc in docs do
            let kind =
                match Json.tryField "kind" doc with
                | Some(Json.String k) -> k
                | _ -> failtest "a quickstart CR without kind"

            let plural = kind.ToLowerInvariant() + "s"
            Expect.contains crPlurals plural "a kind of ours"

            k.CustomObjects.PatchClusterCustomObject(
                V1Patch(JsonText.compact doc, V1Patch.PatchType.ApplyPatch),
                group,
                version,
                plural,
                "cluster",
                fieldManager = "ztwim-e2e",
                force = Nullable true
            )
            |> ignore

        let applied = wall.Elapsed

        waitFor "every CR Ready=True and the operands" (TimeSpan.FromSeconds 90.0) 250 (fun () ->
            if operator1.HasExited then
                failtestf "the operator exited (%d)" operator1.Process.ExitCode

            let notReady = crPlurals |> List.filter (fun p -> not (ready http p))

            if
                List.isEmpty notReady
                && count http "statefulsets" >= 1
                && count http "daemonsets" >= 2
                && count http "deployments" >= 1
            then
                Some()
            else
                None)

        let converged = wall.Elapsed

        // What converging cost, from the simulated cluster's own count of the operator's requests.
        match getJson http "/ztwim-sim/requests" |> Option.bind (prop "ztwim") with
        | Some counts ->
            printfn
                "e2e: the operator's requests to converge, by verb: %s"
                (counts.EnumerateObject()
                 |> Seq.map (fun p -> sprintf "%s %d" p.Name (p.Value.GetInt64()))
                 |> String.concat ", ")
        | None -> failtest "ztwim-sim serve counts no request of the operator's (client ztwim)"

        printfn
            "e2e: converged %.1f s after the CRs were applied; operator VmRSS %s"
            (converged - applied).TotalSeconds
            (vmRss operator1.Pid)

        match operator1.FirstLine "Informers synced", operator1.FirstLine "reconcil" with
        | synced, first ->
            let at =
                Option.map (fun (t: TimeSpan, _) -> sprintf "%.2f s" t.TotalSeconds)
                >> Option.defaultValue "?"

            printfn
                "e2e: operator informers synced at %s, first reconcile log at %s after its start"
                (at synced)
                (at first)

            first
            |> Option.iter (fun (_, line) -> printfn "e2e: first reconcile log: %s" line)

        // Stop it, remember every resourceVersion, start it again.
        operator1.Stop(TimeSpan.FromSeconds 10.0)
        printfn "e2e: operator stopped (exit %d)" operator1.Process.ExitCode

        let paths = listPaths http
        let before = versions http paths

        let crs =
            before |> Map.filter (fun key _ -> key.Contains(group + "/" + version + "/"))

        Expect.equal (Map.count crs) 5 "the five CRs are recorded"
        Expect.isGreaterThan (Map.count before) 10 "the operand objects are recorded"

        let operator2 = new Child("ztwim-operator (restarted)", operatorStart ())
        children.Add operator2

        let synced =
            waitFor "the restarted operator's informers to sync" (TimeSpan.FromSeconds 20.0) 100 (fun () ->
                if operator2.HasExited then
                    failtestf "the restarted operator exited (%d)" operator2.Process.ExitCode

                operator2.FirstLine "Informers synced")

        printfn "e2e: restarted operator's informers synced %.2f s after its start" (fst synced).TotalSeconds
        Thread.Sleep(TimeSpan.FromSeconds 10.0)
        printfn "e2e: restarted operator VmRSS %s" (vmRss operator2.Pid)

        let after = versions http paths

        let changed =
            [ for KeyValue(key, rv) in before do
                  match Map.tryFind key after with
                  | Some rv' when rv' = rv -> ()
                  | Some rv' -> yield sprintf "%s: %s -> %s" key rv rv'
                  | None -> yield sprintf "%s: %s -> gone" key rv ]

        let added = after |> Map.filter (fun key _ -> not (before.ContainsKey key))

        Expect.isEmpty changed (sprintf "no write after the restart (%d objects recorded)" before.Count)
        Expect.isEmpty (Map.toList added) "no object created after the restart"
        printfn "e2e: the first operator's reconciles logged %d writes" (loggedWrites operator1)
        Expect.equal (loggedWrites operator2) 0 "the restarted operator's reconciles log 0 writes"

        // Cut every watch, then delete an operand: only an informer that opened its watch again sees the
        // deletion (the next resync is ten minutes away), and the operator puts the ConfigMap back.
        use cut =
            http.PostAsync("/ztwim-sim/disconnect-watches", new StringContent("")).Result

        Expect.isTrue cut.IsSuccessStatusCode "ztwim-sim serve cut the watches"
        let cutAt = wall.Elapsed
        let agentConfig = k.CoreV1.ReadNamespacedConfigMap("spire-agent", operandNamespace)
        k.CoreV1.DeleteNamespacedConfigMap("spire-agent", operandNamespace) |> ignore

        let restored =
            waitFor
                "the operator to put back the deleted ConfigMap after its watches were cut"
                (TimeSpan.FromSeconds 30.0)
                100
                (fun () ->
                    if operator2.HasExited then
                        failtestf "the restarted operator exited (%d)" operator2.Process.ExitCode

                    try
                        let again = k.CoreV1.ReadNamespacedConfigMap("spire-agent", operandNamespace)

                        if again.Metadata.Uid <> agentConfig.Metadata.Uid then
                            Some again
                        else
                            None
                    with _ ->
                        None)

        let data (c: V1ConfigMap) =
            c.Data |> Seq.map (fun kv -> kv.Key, kv.Value) |> List.ofSeq |> List.sort

        Expect.equal (data restored) (data agentConfig) "the ConfigMap is back as it was"

        printfn "e2e: watches cut, ConfigMap deleted and put back %.1f s later" (wall.Elapsed - cutAt).TotalSeconds

        operator2.Stop(TimeSpan.FromSeconds 10.0)

        match operator2.FirstLine "Stopped after" with
        | Some(_, line) -> printfn "e2e: restarted operator: %s" line
        | None -> ()

        printfn "e2e: %d objects unchanged across the restart; wall time %.1f s" before.Count wall.Elapsed.TotalSeconds)

[<Tests>]
let tests =
    testSequenced
    <| testList
        "end-to-end"
        [ test
              "quickstart: the real operator against ztwim-sim serve, Ready, 0 writes after a restart, and recovered after its watches were cut" {
              run ()
          } ]
