/// `ztwim-sim run SCENARIO`: a scenario file, or one shipped with ztwim-sim by name, run on the simulation.
module Ztwim.Sim.Run

open System
open System.IO
open System.Reflection
open Ztwim.Sim

let private prefix = "scenarios/"

let private assembly = Assembly.GetExecutingAssembly()

/// The scenarios shipped inside ztwim-sim, by name.
let shipped () =
    assembly.GetManifestResourceNames()
    |> Array.filter (fun n ->
        n.StartsWith prefix
        && n.EndsWith ".yaml"
        && not (n.Substring(prefix.Length).Contains '/'))
    |> Array.map (fun n -> Path.GetFileNameWithoutExtension n)
    |> Array.sort
    |> List.ofArray

let private resource (name: string) =
    match assembly.GetManifestResourceStream name with
    | null -> None
    | stream ->
        use reader = new StreamReader(stream)
        Some(reader.ReadToEnd())

/// Files beside a shipped scenario, resolved inside ztwim-sim.
let private embeddedReader (dir: string) : Scenario.FileReader =
    fun file ->
        let full = Path.GetFullPath(Path.Combine("/" + dir, file)).TrimStart('/')

        match resource full with
        | Some text -> Ok text
        | None -> Error(sprintf "no such file shipped with ztwim-sim (%s)" full)

/// The regression scenarios shipped inside ztwim-sim (scenarios/regressions/): each replays a bug found once.
let regressions () =
    assembly.GetManifestResourceNames()
    |> Array.filter (fun n -> n.StartsWith(prefix + "regressions/") && n.EndsWith ".yaml")
    |> Array.map (fun n -> Path.GetFileNameWithoutExtension n)
    |> Array.sort
    |> List.ofArray

/// A shipped regression scenario by name.
let regression (name: string) =
    match resource (prefix + "regressions/" + name + ".yaml") with
    | Some text -> Scenario.parse name (embeddedReader "scenarios/regressions") text
    | None ->
        Error(sprintf "no shipped regression scenario %s (shipped: %s)" name (String.concat ", " (regressions ())))

/// A scenario by path, or by the name of a shipped one.
let resolve (nameOrPath: string) =
    if File.Exists nameOrPath then
        Scenario.load nameOrPath
    else
        let name = Path.GetFileNameWithoutExtension nameOrPath

        match resource (prefix + name + ".yaml") with
        | Some text -> Scenario.parse name (embeddedReader "scenarios") text
        | None ->
            Error(
                sprintf
                    "%s: no such file, and no shipped scenario of that name (shipped: %s)"
                    nameOrPath
                    (String.concat ", " (shipped ()))
            )

/// Runs and prints; exit 0 only when every expectation and every-step invariant (those `ztwim-sim fuzz` judges
/// by, so that a printed failing run replays as a failure) holds, 1 when one does not, 2 for a bad scenario.
let run (nameOrPath: string) (seed: int) (json: bool) (withOperands: bool) (out: string -> unit) =
    match resolve nameOrPath with
    | Error e ->
        eprintfn "ztwim-sim run: %s" e
        2
    | Ok scenario ->
        let report, violations = Fuzz.FuzzCheck.checkScenario scenario seed

        let broken =
            violations
            |> List.map (fun v -> sprintf "invariant broken: %s: %s" v.Property v.Detail)

        if json then
            out (ScenarioReport.json report)
            broken |> List.iter (eprintfn "%s")
        else
            out (String.concat "\n" (ScenarioReport.text withOperands report :: broken))

        if report.Passed && violations.IsEmpty then 0 else 1

/// Runs a scenario `times` times and reports, on stderr (stdout stays deterministic), the median wall time
/// of one run and runs per second.
let measure (nameOrPath: string) (seed: int) (times: int) =
    match resolve nameOrPath with
    | Error e -> eprintfn "ztwim-sim run: %s" e
    | Ok scenario ->
        let durations =
            [ for _ in 1 .. max 1 times ->
                  let watch = Diagnostics.Stopwatch.StartNew()
                  ScenarioRun.run scenario seed |> ignore
                  watch.Elapsed.TotalMilliseconds ]
            |> List.sort

        let median = durations.[durations.Length / 2]

        eprintfn
            "%s: %d runs, median %.1f ms per run, %.1f runs per second"
            scenario.Name
            durations.Length
            median
            (1000.0 / median)
