/// One generated run judged: the every-step invariants while it runs, then, once the faults stopped and the
/// simulation ran to quiescence, eventual stability (the kernel, given the cluster as it is, wants no write and
/// no other status; two resyncs wrote nothing), honest status and contained bad input.
module Ztwim.Sim.Fuzz.FuzzCheck

open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Plan
open Ztwim.Kernel.Reconcile
open Ztwim.Kernel.Status
open Ztwim.Adapters.Cluster
open Ztwim.Adapters.Simulation
open Ztwim.Sim
open Ztwim.Sim.Fuzz.FuzzGen
open Ztwim.Sim.Fuzz.StepInvariants

/// What a run came to.
type Outcome =
    { Run: FuzzRun
      Violations: Violation list
      FaultsInjected: (string * int) list
      Reasons: string list
      Report: ScenarioRun.Report }

    member o.Passed = o.Violations.IsEmpty

let private crOf (sim: Simulation) (kind: Kind) =
    sim.Cluster.Find(JsonAccess.Ref(Kind.apiVersion, Kind.name kind, null, "cluster"))
    |> Option.ofObj

// What the operator's informers see, and what they could adopt: every object of an owned kind in the operand
// namespace or cluster-scoped.
let private observed (sim: Simulation) =
    ResourceTypes.Owned
    |> Seq.collect (fun t -> sim.Cluster.Objects(t, (if t.Namespaced then sim.Mode.Namespace else null)))
    |> Seq.map (fun o -> o.RefOf(), o)
    |> Map.ofSeq

let private finalChecks (sim: Simulation) (report: ScenarioRun.Report) (run: FuzzRun) (fail: string -> string -> unit) =
    match report.Failure with
    | Some f -> fail "no exception escapes" f
    | None -> ()

    for v in report.Verdicts |> List.filter (fun v -> not v.Holds) do
        fail "eventually stable" (sprintf "%s: %s %s" v.Step v.What v.Detail)

    let crs =
        Kind.all
        |> List.choose (fun k -> crOf sim k |> Option.map (fun cr -> k, cr))
        |> Map.ofList

    let objects = observed sim

    for KeyValue(kind, cr) in crs do
        let decision =
            Reconcile.reconcile
                { Controller = kind
                  Crs = crs
                  Observed = objects
                  Mode = sim.Mode
                  Now = sim.Clock.GetUtcNow() }

        for a in decision.Actions do
            fail
                "eventually stable"
                (sprintf "%s at rest, but the kernel still wants %A" (Kind.name kind) (Action.ref a, Action.reason a))

        match decision.Status, Json.tryField "status" cr with
        | Some wanted, Some actual when not (Ztwim.Adapters.Runtime.StatusComparison.Same(actual, wanted)) ->
            fail
                "eventually stable"
                (sprintf
                    "%s status at rest is %s, the kernel says %s"
                    (Kind.name kind)
                    (JsonText.compact actual)
                    (JsonText.compact wanted))
        | Some _, None -> fail "eventually stable" (sprintf "%s has no status at rest" (Kind.name kind))
        | _ -> ()

        // Honest status at rest: Ready True exactly when the workload is healthy (and the CR is valid).
        let ready =
            cr.Items("status", "conditions")
            |> Seq.exists (fun c -> c.Str("type") = "Ready" && c.Str("status") = "True")

        match Operand.workload kind with
        | Some(w, name) when ready ->
            match Map.tryFind (Operand.workloadRef sim.Mode.Namespace w name) objects with
            | Some o when WorkloadHealth.healthy w o -> ()
            | _ -> fail "status honest" (sprintf "%s Ready True at rest without a healthy %s" (Kind.name kind) name)
        | _ -> ()

        // Bad input contained: the last broken spec the user gave, still in place, is named in the status.
        let lastBroken =
            run.Steps
            |> List.choose (function
                | ApplyBrokenCr field, Scenario.ApplyObject([ broken ], _) when broken.Str("kind") = Kind.name kind ->
                    Some(broken, field)
                | _ -> None)
            |> List.tryLast

        // (The ZTWIM's status summarises the operands and has no ConfigurationValid of its own; without a valid
        // ZTWIM an operand is gated, and its status asks for the ZTWIM first, as upstream's does.)
        let gated =
            crs
            |> Map.tryFind Kind.ZeroTrustWorkloadIdentityManager
            |> Option.forall (fun z -> Result.isError (Crs.parseZtwim z))

        match lastBroken with
        | Some(broken, field) when
            kind <> Kind.ZeroTrustWorkloadIdentityManager
            && not gated
            && Json.tryField "spec" broken = Json.tryField "spec" cr
            ->
            let named =
                cr.Items("status", "conditions")
                |> Seq.exists (fun c ->
                    c.Str("type") = "ConfigurationValid"
                    && c.Str("status") = "False"
                    && (c.Str("message") |> Option.ofObj |> Option.exists (fun m -> m.Contains field)))

            if not named then
                fail
                    "bad input contained"
                    (sprintf "%s is invalid at %s, but its status does not say so" (Kind.name kind) field)
        | _ -> ()

/// Runs and judges one generated run.
let check (run: FuzzRun) : Outcome =
    let mutable watcher: Watcher option = None
    let mutable simulation: Simulation option = None

    let report =
        ScenarioRun.runWith
            (fun sim ->
                simulation <- Some sim
                watcher <- Some(Watcher sim))
            (FuzzGen.scenario run)
            run.Seed

    let w = watcher.Value
    let sim = simulation.Value
    finalChecks sim report run w.Fail

    { Run = run
      Violations = w.Violations
      FaultsInjected = report.FaultsInjected
      Reasons = w.Reasons
      Report = report }

/// Runs a scenario with the every-step invariants watching it: how a regression scenario is judged, since the
/// bug it replays may break an invariant between two of its expectations.
let checkScenario (scenario: Scenario.Scenario) (seed: int) : ScenarioRun.Report * Violation list =
    let mutable watcher: Watcher option = None

    let report =
        ScenarioRun.runWith (fun sim -> watcher <- Some(Watcher sim)) scenario seed

    report, watcher.Value.Violations
