/// `ztwim-sim fuzz`: generated runs on the simulated cluster, each judged by the convergence properties; a
/// failing run is shrunk and printed as a scenario file with its seed, to replay with `ztwim-sim run`.
module Ztwim.Sim.Fuzz.FuzzCommand

open System
open Ztwim.Sim
open Ztwim.Sim.Fuzz.FuzzGen
open Ztwim.Sim.Fuzz.FuzzCheck

/// How many steps a generated run takes at most before its ending.
let maxSteps = 8

/// The failure printed: what broke, the shrunk scenario and how to replay it.
let describe (o: Outcome) =
    [ yield sprintf "# FAILED: run seed %d (simulation seed %d)" o.Run.Seed o.Run.Seed
      for v in o.Violations do
          yield sprintf "#   %s: %s" v.Property v.Detail
      yield sprintf "# replay: ztwim-sim run fuzz-%d.yaml --seed %d" o.Run.Seed o.Run.Seed
      yield ScenarioPrint.yaml (FuzzGen.scenario o.Run) ]
    |> String.concat "\n"

/// Runs `count` generated runs from `seed`; exit 1 when any fails, 2 for an unknown fault name.
let run (seed: int) (count: int) (faults: string list) (out: string -> unit) =
    match faults |> List.filter (fun f -> not (List.contains f allFaults)) with
    | unknown :: _ ->
        eprintfn "ztwim-sim fuzz: unknown fault %s: known faults are %s" unknown (String.concat ", " allFaults)
        2
    | [] ->
        let watch = Diagnostics.Stopwatch.StartNew()
        let mutable failed = 0

        for i in 0 .. count - 1 do
            let generated = FuzzGen.generate BuiltinSpecs.source faults maxSteps (seed + i)
            let outcome = check generated

            if not outcome.Passed then
                failed <- failed + 1
                let smallest = check (FuzzGen.shrink (fun r -> not (check r).Passed) generated)

                // A run is a function of its seed, so its shrunk form fails again; if it does not, the run
                // was not reproducible, which is a bug of its own: print the run as generated, and say so.
                if smallest.Passed then
                    out "# the run did not fail again when replayed: it is not reproducible from its seed"
                    out (describe outcome)
                else
                    out (describe smallest)

        out (sprintf "fuzz: %d runs from seed %d, %d failed" count seed failed)
        eprintfn "fuzz: %.1f s" watch.Elapsed.TotalSeconds
        if failed = 0 then 0 else 1
