module Ztwim.Sim.Program

open Argu

type CheckArgs =
    | [<MainCommand; Mandatory>] Files of path: string list

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Files _ -> "manifest files (multi-document YAML or JSON)"

type QuickstartArgs =
    | [<Hidden>] Quiet

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Quiet -> "unused"

[<RequireSubcommand>]
type SimArgs =
    | [<CliPrefix(CliPrefix.None)>] Check of ParseResults<CheckArgs>
    | [<CliPrefix(CliPrefix.None)>] Quickstart of ParseResults<QuickstartArgs>

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Check _ -> "validate ZTWIM custom resources: prints 'ok Kind/name' or each error; exit 2 on any error"
            | Quickstart _ -> "the embedded quickstart: the manual's CRs, parsed and defaulted"

[<EntryPoint>]
let main argv =
    let parser =
        ArgumentParser.Create<SimArgs>(programName = "ztwim-sim", errorHandler = ProcessExiter())

    let args = parser.ParseCommandLine argv
    let out (line: string) = stdout.WriteLine line

    match args.GetSubCommand() with
    | Check c -> Check.run (c.GetResult Files) out
    | Quickstart _ -> Quickstart.run out
