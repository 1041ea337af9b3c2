/// Model-based runs of the operator (runtime and kernel) on the simulated cluster under generated fault
/// schedules: after every run, once the faults stop, it is stable, lost no data, contained bad input, and held
/// create-only, immutability and honest status at every step. A failure shrinks to a minimal run, printed as a
/// ztwim-sim scenario with its seed.
module Ztwim.Properties.ConvergenceProperties

open System
open System.Collections.Concurrent
open Expecto
open FsCheck
open FsCheck.FSharp
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Properties.Generators
open Ztwim.Sim
open Ztwim.Sim.Fuzz

/// How many generated runs the convergence property makes (each is a whole operator run, about 60 ms);
/// ZTWIM_CONVERGENCE_RUNS overrides it for a quick look or a long soak.
let runs =
    match Int32.TryParse(Environment.GetEnvironmentVariable "ZTWIM_CONVERGENCE_RUNS") with
    | true, n when n > 0 -> n
    | _ -> 1000

let private sample (seed: int64) (gen: Gen<'a>) =
    Gen.sampleWithSeed (Rnd(uint64 seed)) 20 1 gen |> Array.head

/// CRs from the spec generators. A run's ZTWIM is one of two, so that re-applying one often reverts an
/// immutable change rather than making another; broken CRs come from the breakers, each naming its field.
let specSource (runSeed: int) : FuzzGen.SpecSource =
    let ztwims =
        [ for i in 0L .. 1L -> sample (int64 runSeed * 2L + i) (Specs.specOf Kind.ZeroTrustWorkloadIdentityManager) ]

    let valid (kind: Kind) (r: Random) =
        match kind with
        | Kind.ZeroTrustWorkloadIdentityManager -> Specs.envelope kind ztwims.[r.Next 2]
        | _ -> Specs.envelope kind (sample (r.NextInt64()) (Specs.specOf kind))

    let broken (kind: Kind) (cr: Json) (r: Random) =
        Breakers.all
        |> List.filter (fun b -> b.Kind = None || b.Kind = Some kind)
        |> List.sortBy (fun _ -> r.Next())
        |> List.tryPick (fun b -> b.Break cr)
        // The status names fields below spec without the prefix; a broken name is another object altogether.
        |> Option.filter (fun (_, field) -> not (field.StartsWith "metadata"))
        |> Option.map (fun (cr, field) ->
            cr,
            (if field.StartsWith "spec." then
                 field.Substring 5
             else
                 field))

    { Valid = valid; Broken = broken }

let private generate seed =
    FuzzGen.generate (specSource seed) [] FuzzCommand.maxSteps seed

let private generatedRuns =
    Arb.fromGenShrink (Gen.choose (0, Int32.MaxValue - 1) |> Gen.map generate, FuzzGen.shrinks)

/// What the runs exercised, by name.
type private Coverage() =
    let counts = ConcurrentDictionary<string, int>()

    member _.Add(name: string) =
        counts.AddOrUpdate(name, 1, (fun _ n -> n + 1)) |> ignore

    member _.AddMany(name: string, n: int) =
        counts.AddOrUpdate(name, n, (fun _ m -> m + n)) |> ignore

    member _.Count(name: string) =
        match counts.TryGetValue name with
        | true, n -> n
        | _ -> 0

    member _.Lines =
        counts
        |> Seq.sortBy _.Key
        |> Seq.map (fun kv -> sprintf "  %-60s %d" kv.Key kv.Value)

let private actionName (a: FuzzGen.Action) =
    match a with
    | FuzzGen.ApplyBrokenCr _ -> "ApplyBrokenCr"
    | other -> sprintf "%A" other

/// Every action kind a run can take.
let private actions =
    [ "ApplyCr"
      "ApplyBrokenCr"
      "DeleteCr"
      "ReplaceZtwim"
      "EditOperand"
      "DeleteOperand"
      "RelabelOperand"
      "UserObject"
      "CreateOnlyEnv"
      "CreateOnlyAnnotation"
      "RestartOperator"
      "FaultsOnAction"
      "FaultsOffAction"
      "PodFailureAction"
      "Wait" ]

/// The condition reasons the runs must have made the operator write: every gate and state an operand passes.
let private reasons =
    [ "ConfigurationValid/ConfigurationValid"
      "ConfigurationValid/ImmutableFieldChanged"
      "CreateOnlyMode/CreateOnlyModeEnabled"
      "Ready/Ready"
      "Ready/Progressing"
      "Ready/Failed"
      "StatefulSetAvailable/StatefulSetReady"
      "StatefulSetAvailable/StatefulSetNotReady"
      "DaemonSetAvailable/DaemonSetReady"
      "DeploymentAvailable/DeploymentReady"
      "TTLConfigurationValid/TTLValidationSucceeded"
      "Upgradeable/Ready"
      "Upgradeable/OperandsNotReady" ]

[<Tests>]
let convergence =
    testList
        "convergence"
        [ testCase "a generated run prints as a scenario that parses back to the same run"
          <| fun () ->
              for seed in 0..999 do
                  let scenario = FuzzGen.scenario (generate seed)
                  let text = ScenarioPrint.yaml scenario

                  match Scenario.parse scenario.Name (fun f -> Error f) text with
                  | Ok back -> Expect.equal back scenario (sprintf "seed %d reads back\n%s" seed text)
                  | Error e -> failtestf "seed %d does not parse: %s\n%s" seed e text

          testCase (sprintf "the operator converges under every fault schedule (%d runs)" runs)
          <| fun () ->
              let coverage = Coverage()

              let property (run: FuzzGen.FuzzRun) =
                  let outcome = FuzzCheck.check run

                  for a, _ in run.Steps do
                      coverage.Add("action " + actionName a)

                  match run.Setup.Platform, run.Setup.CertManager with
                  | Ztwim.Kernel.Render.OpenShift, _ -> coverage.Add "cluster OpenShift"
                  | Ztwim.Kernel.Render.Kubernetes, false -> coverage.Add "cluster Kubernetes"
                  | Ztwim.Kernel.Render.Kubernetes, true -> coverage.Add "cluster Kubernetes with cert-manager"

                  for f, n in outcome.FaultsInjected do
                      coverage.AddMany("fault " + f, n)

                  for r in outcome.Reasons do
                      coverage.Add("reason " + r)

                  if not outcome.Passed then
                      failwith (FuzzCommand.describe outcome)

              Check.One(
                  Config.QuickThrowOnFailure
                      .WithMaxTest(runs)
                      .WithQuietOnSuccess(true)
                      // Each run is its own simulation on its own thread: the runs share nothing.
                      .WithParallelRunConfig(Some { MaxDegreeOfParallelism = Environment.ProcessorCount }),
                  Prop.forAll generatedRuns property
              )

              printfn "convergence coverage over %d runs:\n%s" runs (String.concat "\n" coverage.Lines)

              let missing =
                  [ for c in [ "OpenShift"; "Kubernetes"; "Kubernetes with cert-manager" ] do
                        if coverage.Count("cluster " + c) = 0 then
                            yield "cluster " + c
                    for f in FuzzGen.allFaults do
                        if coverage.Count("fault " + f) = 0 then
                            yield "fault " + f
                    for a in actions do
                        if coverage.Count("action " + a) = 0 then
                            yield "action " + a
                    for r in reasons do
                        if coverage.Count("reason " + r) = 0 then
                            yield "reason " + r ]

              Expect.isEmpty missing (sprintf "never exercised: %s" (String.concat ", " missing)) ]
