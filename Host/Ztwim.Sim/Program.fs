module Ztwim.Sim.Program

open Argu

type CheckArgs =
    | [<MainCommand; Mandatory>] Files of path: string list

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Files _ -> "manifest files (multi-document YAML or JSON)"

type RenderArgs =
    | Platform of platform: string
    | Cert_Manager
    | Namespace of ns: string
    | Env of assignment: string
    | [<AltCommandLine("-o")>] Output of format: string
    | [<MainCommand; Mandatory>] Files of path: string list

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Platform _ -> "openshift (default) or kubernetes"
            | Cert_Manager ->
                "the cluster serves cert-manager.io: on kubernetes, cert-manager keeps the serving certificates"
            | Namespace _ -> "the operator namespace (default zero-trust-workload-identity-manager)"
            | Env _ -> "an operator environment variable, NAME=VALUE (repeatable), e.g. RELATED_IMAGE_SPIRE_SERVER=..."
            | Output _ -> "yaml (default) or json"
            | Files _ -> "manifest files with the CRs"

type QuickstartArgs =
    | Seed of seed: int

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Seed _ -> "the seed of the simulation (default 0)"

type RunArgs =
    | Seed of seed: int
    | Repeat of times: int
    | [<AltCommandLine("-o")>] Output of format: string
    | [<MainCommand; Mandatory>] Scenario of scenario: string

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Seed _ -> "the seed of the simulation (default 0): the same seed prints the same bytes"
            | Repeat _ -> "run the scenario this many more times first and report runs per second on stderr"
            | Output _ -> "text (default) or json"
            | Scenario _ -> "a scenario file, or the name of a shipped scenario (quickstart, create-only, ...)"

type FuzzArgs =
    | Seed of seed: int
    | Count of count: int
    | Faults of names: string

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Seed _ -> "the seed of the first run (default 0); run i uses seed + i"
            | Count _ -> "how many runs (default 100)"
            | Faults _ -> "the faults to inject, comma-separated (default: every known fault)"

type ServeArgs =
    | Port of port: int
    | Kubeconfig of file: string
    | [<MainCommand>] Scenario of scenario: string

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Port _ -> "the port on 127.0.0.1 (default 6443; 0 picks a free one)"
            | Kubeconfig _ -> "where to write the kubeconfig (default ./ztwim-sim.kubeconfig)"
            | Scenario _ ->
                "a scenario whose setup (nodes, platform, certManager) shapes the cluster; its steps are not run"

[<RequireSubcommand>]
type SimArgs =
    | [<CliPrefix(CliPrefix.None)>] Check of ParseResults<CheckArgs>
    | [<CliPrefix(CliPrefix.None)>] Render of ParseResults<RenderArgs>
    | [<CliPrefix(CliPrefix.None)>] Quickstart of ParseResults<QuickstartArgs>
    | [<CliPrefix(CliPrefix.None)>] Run of ParseResults<RunArgs>
    | [<CliPrefix(CliPrefix.None)>] Serve of ParseResults<ServeArgs>
    | [<CliPrefix(CliPrefix.None)>] Fuzz of ParseResults<FuzzArgs>

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Check _ -> "validate ZTWIM custom resources: prints 'ok Kind/name' or each error; exit 2 on any error"
            | Render _ -> "print the objects the operator would create for the CRs, sorted by kind, namespace, name"
            | Quickstart _ -> "the embedded default: the quickstart scenario, with a table of the operand objects"
            | Run _ ->
                "run a reconcile scenario on the simulated cluster: its trace, then a summary; exit 0 when every expectation holds"
            | Serve _ -> "serve a simulated cluster over HTTP on 127.0.0.1 for kubectl and the operator, until Ctrl-C"
            | Fuzz _ ->
                "generated runs under faults, judged by the convergence properties; each failure printed as a replayable scenario; exit 1 on any"

[<EntryPoint>]
let main argv =
    let parser =
        ArgumentParser.Create<SimArgs>(programName = "ztwim-sim", errorHandler = ProcessExiter())

    let args = parser.ParseCommandLine argv
    let out (line: string) = stdout.WriteLine line

    match args.GetSubCommand() with
    | Check c -> Check.run (c.GetResult CheckArgs.Files) out
    | Render r ->
        let usage (message: string) =
            eprintfn "ztwim-sim render: %s" message
            2

        let platform =
            match r.TryGetResult Platform |> Option.map (fun p -> p.ToLowerInvariant()) with
            | None
            | Some "openshift" -> Ok Ztwim.Kernel.Render.OpenShift
            | Some "kubernetes" -> Ok Ztwim.Kernel.Render.Kubernetes
            | Some other -> Error(sprintf "--platform must be openshift or kubernetes, not %s" other)

        let assignments =
            r.GetResults Env
            |> List.map (fun a ->
                match a.Split('=', 2) with
                | [| k; v |] when k <> "" -> Ok(k, v)
                | _ -> Error(sprintf "--env takes NAME=VALUE, not %s" a))

        let output =
            match r.TryGetResult RenderArgs.Output with
            | None
            | Some "yaml" -> Ok Render.YamlDocuments
            | Some "json" -> Ok Render.JsonArray
            | Some other -> Error(sprintf "-o must be yaml or json, not %s" other)

        match
            platform,
            output,
            assignments
            |> List.tryPick (function
                | Error e -> Some e
                | Ok _ -> None)
        with
        | Error e, _, _
        | _, Error e, _
        | _, _, Some e -> usage e
        | Ok p, Ok o, None ->
            let env =
                assignments
                |> List.choose Result.toOption
                |> Map.ofList
                |> fun env ->
                    match r.TryGetResult Namespace with
                    | Some ns -> Map.add "OPERATOR_NAMESPACE" ns env
                    | None -> env

            let mode =
                Ztwim.Kernel.Render.Mode.ofEnvironment p env
                |> Ztwim.Kernel.Render.Mode.withCertManager (r.Contains Cert_Manager)

            Render.run mode o (r.GetResult RenderArgs.Files) out
    | Serve s ->
        Serve.ServeCommand.run
            (s.GetResult(Port, defaultValue = 6443))
            (s.GetResult(Kubeconfig, defaultValue = Serve.ServeCommand.defaultKubeconfig))
            (s.TryGetResult ServeArgs.Scenario)
            out
    | Quickstart q -> Run.run "quickstart" (q.GetResult(QuickstartArgs.Seed, defaultValue = 0)) false true out
    | Run r ->
        r.TryGetResult RunArgs.Repeat
        |> Option.iter (fun n ->
            Run.measure (r.GetResult RunArgs.Scenario) (r.GetResult(RunArgs.Seed, defaultValue = 0)) n)

        match r.TryGetResult RunArgs.Output with
        | None
        | Some "text" ->
            Run.run (r.GetResult RunArgs.Scenario) (r.GetResult(RunArgs.Seed, defaultValue = 0)) false false out
        | Some "json" ->
            Run.run (r.GetResult RunArgs.Scenario) (r.GetResult(RunArgs.Seed, defaultValue = 0)) true false out
        | Some other ->
            eprintfn "ztwim-sim run: -o must be text or json, not %s" other
            2
    | Fuzz f ->
        let faults =
            f.TryGetResult FuzzArgs.Faults
            |> Option.map (fun l -> l.Split(',', System.StringSplitOptions.RemoveEmptyEntries) |> List.ofArray)
            |> Option.defaultValue []

        Fuzz.FuzzCommand.run
            (f.GetResult(FuzzArgs.Seed, defaultValue = 0))
            (f.GetResult(FuzzArgs.Count, defaultValue = 100))
            faults
            out
