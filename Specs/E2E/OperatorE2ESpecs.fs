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

let private operandNamespace = "zero-trust-workload-identity-manager"
let private group = "operator.openshift.io"
let private version = "v1alpha1"

let private crPlurals =
    [ "zerotrustworkloadidentitymanagers"
      "spireservers"
      "spireagents"
      "spiffecsidrivers"
      "spireoidcdiscoveryproviders" ]

let private repoRoot () =
    let rec up (dir: DirectoryInfo) =
        if isNull dir then
            failwith "no repository root above the test binary"
        elif
            Directory.Exists(Path.Combine(dir.FullName, "manifests", "crds"))
            && Directory.Exists(Path.Combine(dir.FullName, "Host"))
        then
            dir.FullName
        else
            up dir.Parent

    up (DirectoryInfo AppContext.BaseDirectory)

/// The configuration the Specs were built in (bin/<Configuration>/net10.0/), so the hosts are taken from the same.
let private configuration () =
    let dir = DirectoryInfo AppContext.BaseDirectory
    let tfm = if dir.Name = "" then dir.Parent else dir
    tfm.Parent.Name

let private hostDll (project: string) (dll: string) =
    let root = repoRoot ()

    let preferred =
        Path.Combine(root, "Host", project, "bin", configuration (), "net10.0", dll)

    [ preferred
      Path.Combine(root, "Host", project, "bin", "Release", "net10.0", dll)
      Path.Combine(root, "Host", project, "bin", "Debug", "net10.0", dll) ]
    |> List.tryFind File.Exists
    |> Option.defaultWith (fun () -> failtestf "%s is not built (looked for %s)" dll preferred)

/// A child process whose output lines are kept, each with the time it arrived.
type private Child(name: string, start: ProcessStartInfo) =
    let lines = ConcurrentQueue<TimeSpan * string>()
    let clock = Stopwatch.StartNew()

    let proc =
        start.RedirectStandardOutput <- true
        start.RedirectStandardError <- true
        start.UseShellExecute <- false
        let p = new Process(StartInfo = start)

        p.OutputDataReceived.Add(fun e ->
            if not (isNull e.Data) then
                lines.Enqueue(clock.Elapsed, e.Data))

        p.ErrorDataReceived.Add(fun e ->
            if not (isNull e.Data) then
                lines.Enqueue(clock.Elapsed, "stderr: " + e.Data))

        if not (p.Start()) then
            failtestf "%s did not start" name

        p.BeginOutputReadLine()
        p.BeginErrorReadLine()
        p

    member _.Name = name
    member _.Process = proc
    member _.Pid = proc.Id
    member _.Lines = lines.ToArray()
    member _.HasExited = proc.HasExited

    /// The time after start of the first line containing the text.
    member this.FirstLine(text: string) =
        this.Lines
        |> Array.tryFind (fun (_, l) -> l.Contains(text, StringComparison.OrdinalIgnoreCase))

    member this.Output =
        this.Lines
        |> Array.map (fun (t, l) -> sprintf "[%7.3fs] %s" t.TotalSeconds l)
        |> String.concat "\n"

    /// SIGTERM, then the whole tree killed if it has not ended within the grace.
    member _.Stop(grace: TimeSpan) =
        try
            if not proc.HasExited then
                use kill = Process.Start("kill", [ "-TERM"; string proc.Id ])
                kill.WaitForExit 5000 |> ignore

                if not (proc.WaitForExit(int grace.TotalMilliseconds)) then
                    proc.Kill true
                    proc.WaitForExit 5000 |> ignore
            else
                proc.WaitForExit()
        with _ ->
            try
                proc.Kill true
            with _ ->
                ()

    interface IDisposable with
        member this.Dispose() =
            try
                if not proc.HasExited then
                    proc.Kill true
                    proc.WaitForExit 5000 |> ignore
            with _ ->
                ()

            proc.Dispose()

/// `dotnet exec [--runtimeconfig FILE] DLL ARGS` with the environment added.
let private dotnet (runtimeConfig: string option) (dll: string) (args: string list) (env: (string * string) list) =
    let start = ProcessStartInfo "dotnet"
    start.ArgumentList.Add "exec"

    match runtimeConfig with
    | Some file ->
        start.ArgumentList.Add "--runtimeconfig"
        start.ArgumentList.Add file
    | None -> ()

    start.ArgumentList.Add dll

    for a in args do
        start.ArgumentList.Add a

    for k, v in env do
        start.Environment.[k] <- v

    start.Environment.["DOTNET_CLI_TELEMETRY_OPTOUT"] <- "1"
    start

/// Polls until the check gives Some, or fails the test after the timeout.
let private waitFor (what: string) (timeout: TimeSpan) (interval: int) (check: unit -> 'a option) =
    let clock = Stopwatch.StartNew()

    let rec loop () =
        let got =
            try
                check ()
            with
            | :? AssertException -> reraise ()
            | _ -> None

        match got with
        | Some v -> v
        | None when clock.Elapsed > timeout ->
            failtestf "timed out after %.0f s waiting for %s" timeout.TotalSeconds what
        | None ->
            Thread.Sleep interval
            loop ()

    loop ()

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

let private vmRss (pid: int) =
    try
        File.ReadAllLines(sprintf "/proc/%d/status" pid)
        |> Array.tryFind (fun l -> l.StartsWith "VmRSS:")
        |> Option.map (fun l -> l.Substring(6).Trim())
        |> Option.defaultValue "?"
    with _ ->
        "?"

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
    let wall = Stopwatch.StartNew()
    let dir = Directory.CreateTempSubdirectory "ztwim-e2e"
    let kubeconfig = Path.Combine(dir.FullName, "kubeconfig")
    let simDll = hostDll "Ztwim.Sim" "ztwim-sim.dll"
    let operatorDll = hostDll "Ztwim.Operator" "ztwim-operator.dll"
    let children = ResizeArray<Child>()

    // ztwim-sim is an ASP.NET Core app; an incremental build can leave a runtimeconfig.json without that
    // framework beside the dll, so it runs with one that names both (as its project's FrameworkReference does).
    let simRuntimeConfig = Path.Combine(dir.FullName, "ztwim-sim.runtimeconfig.json")

    File.WriteAllText(
        simRuntimeConfig,
        """{"runtimeOptions":{"tfm":"net10.0","frameworks":[{"name":"Microsoft.NETCore.App","version":"10.0.0"},{"name":"Microsoft.AspNetCore.App","version":"10.0.0"}]}}"""
    )

    let operatorStart () =
        dotnet
            None
            operatorDll
            [ "--kubeconfig"
              kubeconfig
              "--leader-elect=false"
              "--metrics-bind-address=127.0.0.1:0"
              "--metrics-secure=false"
              "--health-probe-bind-address=127.0.0.1:0" ]
            [ "OPERATOR_NAMESPACE", operandNamespace ]

    try
        try
            let sim =
                new Child(
                    "ztwim-sim serve",
                    dotnet (Some simRuntimeConfig) simDll [ "serve"; "--port"; "0"; "--kubeconfig"; kubeconfig ] []
                )

            children.Add sim

            let url =
                waitFor "the simulated cluster's kubeconfig" (TimeSpan.FromSeconds 30.0) 100 (fun () ->
                    if sim.HasExited then
                        failtestf "ztwim-sim serve exited:\n%s" sim.Output

                    if File.Exists kubeconfig then
                        File.ReadAllLines kubeconfig
                        |> Array.tryFind (fun l -> l.Trim().StartsWith "server:")
                        |> Option.map (fun l -> l.Trim().Substring("server:".Length).Trim())
                    else
                        None)

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

            printfn
                "e2e: %d objects unchanged across the restart; wall time %.1f s"
                before.Count
                wall.Elapsed.TotalSeconds
        with e ->
            for c in children do
                eprintfn "---- %s (pid %d) output ----\n%s" c.Name c.Pid c.Output

            reraise ()
    finally
        for c in Seq.rev children do
            (c :> IDisposable).Dispose()

        try
            dir.Delete true
        with _ ->
            ()

[<Tests>]
let tests =
    testSequenced
    <| testList
        "end-to-end"
        [ test
              "quickstart: the real operator against ztwim-sim serve, Ready, 0 writes after a restart, and recovered after its watches were cut" {
              run ()
          } ]
