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
    | Namespace of ns: string
    | Env of assignment: string
    | [<AltCommandLine("-o")>] Output of format: string
    | [<MainCommand; Mandatory>] Files of path: string list

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Platform _ -> "openshift (default) or kubernetes"
            | Namespace _ -> "the operator namespace (default zero-trust-workload-identity-manager)"
            | Env _ -> "an operator environment variable, NAME=VALUE (repeatable), e.g. RELATED_IMAGE_SPIRE_SERVER=..."
            | Output _ -> "yaml (default) or json"
            | Files _ -> "manifest files with the CRs"

type QuickstartArgs =
    | [<Hidden>] Quiet

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Quiet -> "unused"

[<RequireSubcommand>]
type SimArgs =
    | [<CliPrefix(CliPrefix.None)>] Check of ParseResults<CheckArgs>
    | [<CliPrefix(CliPrefix.None)>] Render of ParseResults<RenderArgs>
    | [<CliPrefix(CliPrefix.None)>] Quickstart of ParseResults<QuickstartArgs>

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Check _ -> "validate ZTWIM custom resources: prints 'ok Kind/name' or each error; exit 2 on any error"
            | Render _ -> "print the objects the operator would create for the CRs, sorted by kind, namespace, name"
            | Quickstart _ -> "the embedded quickstart: the manual's CRs, parsed and defaulted"

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
            match r.TryGetResult Output with
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

            Render.run (Ztwim.Kernel.Render.Mode.ofEnvironment p env) o (r.GetResult RenderArgs.Files) out
    | Quickstart _ -> Quickstart.run out
