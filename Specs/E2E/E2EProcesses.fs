/// The processes an end-to-end test runs: the built `ztwim-sim serve` and `ztwim-operator` as children whose
/// output is kept (and printed when a test fails), found beside the Specs' own build.
module Ztwim.Specs.E2E.E2EProcesses

open System
open System.Collections.Concurrent
open System.Diagnostics
open System.IO
open System.Threading
open Expecto
open Ztwim.Specs

let operandNamespace = "zero-trust-workload-identity-manager"
let group = "operator.openshift.io"
let version = "v1alpha1"

let crPlurals =
    [ "zerotrustworkloadidentitymanagers"
      "spireservers"
      "spireagents"
      "spiffecsidrivers"
      "spireoidcdiscoveryproviders" ]

let repoRoot () = Repository.root

/// The configuration the Specs were built in (bin/<Configuration>/net10.0/), so the hosts are taken from the same.
let configuration () =
    let dir = DirectoryInfo AppContext.BaseDirectory
    let tfm = if dir.Name = "" then dir.Parent else dir
    tfm.Parent.Name

let hostDll (project: string) (dll: string) =
    let root = repoRoot ()

    let preferred =
        Path.Combine(root, "Host", project, "bin", configuration (), "net10.0", dll)

    [ preferred
      Path.Combine(root, "Host", project, "bin", "Release", "net10.0", dll)
      Path.Combine(root, "Host", project, "bin", "Debug", "net10.0", dll) ]
    |> List.tryFind File.Exists
    |> Option.defaultWith (fun () -> failtestf "%s is not built (looked for %s)" dll preferred)

/// A child process whose output lines are kept, each with the time it arrived.
type Child(name: string, start: ProcessStartInfo) =
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

/// A process's resident memory (VmRSS), as /proc reports it.
let vmRss (pid: int) =
    try
        File.ReadAllLines(sprintf "/proc/%d/status" pid)
        |> Array.tryFind (fun l -> l.StartsWith "VmRSS:")
        |> Option.map (fun l -> l.Substring(6).Trim())
        |> Option.defaultValue "?"
    with _ ->
        "?"

/// `dotnet exec [--runtimeconfig FILE] DLL ARGS` with the environment added.
let dotnet (runtimeConfig: string option) (dll: string) (args: string list) (env: (string * string) list) =
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
let waitFor (what: string) (timeout: TimeSpan) (interval: int) (check: unit -> 'a option) =
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


// The served cluster needs ASP.NET Core, which ztwim-sim finds through its project's FrameworkReference; run
// from the Specs' folder it is given a runtimeconfig that names both frameworks.
let private simRuntimeConfig (dir: string) =
    let file = Path.Combine(dir, "ztwim-sim.runtimeconfig.json")

    File.WriteAllText(
        file,
        """{"runtimeOptions":{"tfm":"net10.0","frameworks":[{"name":"Microsoft.NETCore.App","version":"10.0.0"},{"name":"Microsoft.AspNetCore.App","version":"10.0.0"}]}}"""
    )

    file

/// Starts `ztwim-sim serve` on a free port (shaped by a scenario's setup, if given), writing its kubeconfig in
/// `dir`; the API server's URL once it answers.
let startServeWith (scenario: string option) (dir: string) (children: ResizeArray<Child>) =
    let kubeconfig = Path.Combine(dir, "kubeconfig")

    let sim =
        new Child(
            "ztwim-sim serve",
            dotnet
                (Some(simRuntimeConfig dir))
                (hostDll "Ztwim.Sim" "ztwim-sim.dll")
                [ "serve"
                  "--port"
                  "0"
                  "--kubeconfig"
                  kubeconfig
                  yield! Option.toList scenario ]
                []
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

    kubeconfig, url

/// `ztwim-sim serve` of an OpenShift cluster of three nodes.
let startServe (dir: string) (children: ResizeArray<Child>) = startServeWith None dir children

/// The operator as a test runs it: against the kubeconfig, no leader election, probes and metrics on free ports.
let operatorStart (kubeconfig: string) =
    dotnet
        None
        (hostDll "Ztwim.Operator" "ztwim-operator.dll")
        [ "--kubeconfig"
          kubeconfig
          "--leader-elect=false"
          "--metrics-bind-address=127.0.0.1:0"
          "--metrics-secure=false"
          "--health-probe-bind-address=127.0.0.1:0" ]
        [ "OPERATOR_NAMESPACE", operandNamespace ]

/// Runs the body with a temporary folder and a list of children; every child is killed at the end, and its
/// output printed if the body failed.
let withChildren (name: string) (body: string -> ResizeArray<Child> -> unit) =
    let dir = Directory.CreateTempSubdirectory name
    let children = ResizeArray<Child>()

    try
        try
            body dir.FullName children
        with _ ->
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
