/// Runs a scenario on the simulation: each step in turn, each expectation checked where it stands, and what
/// the summary reports (requests by verb, writes per phase, final conditions).
module Ztwim.Sim.ScenarioRun

open System
open System.Threading
open System.Collections.Generic
open Ztwim.Kernel
open Ztwim.Kernel.Render
open Ztwim.Kernel.Status
open Ztwim.Adapters.Cluster
open Ztwim.Adapters.Simulation
open Ztwim.Sim.Scenario

/// One expectation's verdict.
type Verdict =
    { Step: string
      What: string
      Holds: bool
      Detail: string }

/// A CR's conditions at the end: type, status, reason.
type FinalConditions =
    { Kind: string
      Conditions: (string * string * string) list }

/// Everything a run produced.
type Report =
    {
        Scenario: string
        Seed: int
        Trace: TraceLine list
        Verdicts: Verdict list
        /// A step that could not be carried out (an unknown fault, a bad object): the run stops there.
        Failure: string option
        Reconciles: int
        Restarts: int
        Requests: (string * int) list
        Phases: (string * int) list
        FaultsInjected: (string * int) list
        Conditions: FinalConditions list
        SimulatedTime: TimeSpan
        Operands: (ObjectRef * string) list
    }

    member r.Passed = r.Failure.IsNone && r.Verdicts |> List.forall _.Holds

let private refOf (t: Target) =
    JsonAccess.Ref(t.ApiVersion, t.Kind, Option.toObj t.Namespace, t.Name)

let private show (t: Target) =
    match t.Namespace with
    | Some ns -> sprintf "%s %s %s/%s" t.ApiVersion t.Kind ns t.Name
    | None -> sprintf "%s %s %s" t.ApiVersion t.Kind t.Name

/// The segments of a field path: `a.b[key].c[0]` is a, b, key, c, 0.
let fieldPath (path: string) =
    let segments = ResizeArray<string>()
    let current = Text.StringBuilder()
    let mutable i = 0

    let flush () =
        if current.Length > 0 then
            segments.Add(current.ToString())
            current.Clear() |> ignore

    while i < path.Length do
        match path.[i] with
        | '.' ->
            flush ()
            i <- i + 1
        | '[' ->
            flush ()
            let close = path.IndexOf(']', i)
            let close = if close < 0 then path.Length else close
            segments.Add(path.Substring(i + 1, close - i - 1))
            i <- close + 1
        | c ->
            current.Append c |> ignore
            i <- i + 1

    flush ()
    List.ofSeq segments

/// The value at a field path; numeric segments index arrays, or pick the item whose name is the segment.
let rec valueAt (segments: string list) (json: Json) =
    match segments, json with
    | [], j -> Some j
    | s :: rest, Json.Object m -> Map.tryFind s m |> Option.bind (valueAt rest)
    | s :: rest, Json.Array items ->
        match Int32.TryParse s with
        | true, i when i >= 0 && i < items.Length -> valueAt rest items.[i]
        | _ ->
            items
            |> List.tryFind (fun item -> Json.tryField "name" item = Some(Json.String s))
            |> Option.bind (valueAt rest)
    | _ -> None

let private text (j: Json) (name: string) =
    j.Str(name) |> Option.ofObj |> Option.defaultValue ""

let private conditionsOf (cr: Json) =
    cr.Items("status", "conditions")
    |> Seq.map (fun c -> text c "type", text c "status", text c "reason")
    |> List.ofSeq

let private messageOf (cr: Json) (ctype: string) =
    cr.Items("status", "conditions")
    |> Seq.tryFind (fun c -> text c "type" = ctype)
    |> Option.map (fun c -> text c "message")
    |> Option.defaultValue ""

/// Whether an operand object is ready: a workload by the kernel's own health rule, anything else by existing.
let readiness (o: Json) =
    let health w =
        match WorkloadHealth.problem w o with
        | None -> "ready"
        | Some problem -> problem

    match o.Str("kind") with
    | "StatefulSet" -> health StatefulSet
    | "DaemonSet" -> health DaemonSet
    | "Deployment" -> health Deployment
    | _ -> "-"

let private crRef (kind: string) =
    JsonAccess.Ref(ResourceTypes.OperatorApiVersion, kind, null, "cluster")

/// Runs the scenario with a seed; `observe` sees the simulation before the operator starts (to subscribe to
/// every change of the cluster) and may keep it to inspect the end state.
let runWith (observe: Simulation -> unit) (scenario: Scenario) (seed: int) : Report =
    let setup =
        SimulationSetup(
            Nodes = scenario.Setup.Nodes,
            Platform = scenario.Setup.Platform,
            CertManager = scenario.Setup.CertManager,
            Env =
                (scenario.Setup.Env
                 |> Map.toSeq
                 |> dict
                 |> fun d -> Dictionary<string, string>(d)),
            Seed = seed
        )

    let sim = Simulation(setup)
    observe sim
    let ct = CancellationToken.None
    let verdicts = ResizeArray<Verdict>()
    let phases = ResizeArray<string * int>()
    let mutable phase = ("start", 0)
    let mutable phaseStatusWrites = 0

    let statusWrites () =
        match sim.Operator.Requests.TryGetValue "status" with
        | true, n -> n
        | _ -> 0

    let mutable lastRejection: string option = None
    let mutable failure: string option = None

    let get (r: ObjectRef) = sim.AsUser(fun c -> c.GetAsync(r, ct))

    let userWrite (verb: string) (what: string) (result: ApiResult<Json>) =
        if result.IsOk then
            lastRejection <- None
            sim.Note("user", verb, what, "ok")
        else
            lastRejection <- Some(result.Error.Message)
            sim.Note("user", verb, what, sprintf "rejected: %O" result.Error)

    let closePhase () =
        let name, start = phase
        phases.Add(name, sim.Operator.Writes - start)

    let check (step: string) (e: Expectation) =
        let verdict what holds detail =
            verdicts.Add
                { Step = step
                  What = what
                  Holds = holds
                  Detail = detail }

        match e with
        | Converged ->
            verdict
                "converged"
                sim.IsConverged
                (if sim.IsConverged then
                     ""
                 else
                     "the operator still has work")
        | WritesInPhase n ->
            let name, start = phase
            let writes = sim.Operator.Writes - start
            verdict (sprintf "%d writes in phase %s" n name) (writes = n) (sprintf "%d writes" writes)
        | OperandWritesInPhase n ->
            let name, start = phase
            let writes = sim.Operator.Writes - start - (statusWrites () - phaseStatusWrites)
            verdict (sprintf "%d operand writes in phase %s" n name) (writes = n) (sprintf "%d operand writes" writes)
        | ObjectAbsent t ->
            let found = get (refOf t)

            verdict
                (sprintf "%s absent" (show t))
                (not found.IsOk && found.Error.Code = 404)
                (if found.IsOk then "it exists" else "")
        | ObjectExists(t, fields) ->
            let found = get (refOf t)

            if not found.IsOk then
                verdict (sprintf "%s exists" (show t)) false (string found.Error)
            else
                let wrong =
                    fields
                    |> List.choose (fun f ->
                        match valueAt (fieldPath f.Path) found.Value with
                        | Some v when v = f.Value -> None
                        | Some v ->
                            Some(sprintf "%s is %s, not %s" f.Path (JsonText.compact v) (JsonText.compact f.Value))
                        | None -> Some(sprintf "%s is absent, not %s" f.Path (JsonText.compact f.Value)))

                let what =
                    if fields.IsEmpty then
                        sprintf "%s exists" (show t)
                    else
                        sprintf "%s has %s" (show t) (fields |> List.map (fun f -> f.Path) |> String.concat ", ")

                verdict what wrong.IsEmpty (String.concat "; " wrong)
        | ConditionIs(kind, ctype, status, reason, contains) ->
            let what =
                sprintf
                    "%s %s=%s%s%s"
                    kind
                    ctype
                    status
                    (reason |> Option.map (sprintf " (%s)") |> Option.defaultValue "")
                    (contains |> Option.map (sprintf ", message naming %s") |> Option.defaultValue "")

            match get (crRef kind) with
            | r when not r.IsOk -> verdict what false (string r.Error)
            | r ->
                match conditionsOf r.Value |> List.tryFind (fun (t, _, _) -> t = ctype) with
                | None -> verdict what false "no such condition"
                | Some(_, s, rs) ->
                    let message = messageOf r.Value ctype

                    let holds =
                        s = status
                        && (reason.IsNone || reason = Some rs)
                        && (contains |> Option.forall message.Contains)

                    verdict what holds (sprintf "%s (%s): %s" s rs message)
        | Rejected text ->
            let what = sprintf "the last user write was rejected naming %s" text

            match lastRejection with
            | Some m -> verdict what (m.Contains text) m
            | None -> verdict what false "it was accepted"

    let perform (i: int) (step: Step) =
        match step with
        | ApplyObject(docs, source) ->
            for doc in docs do
                let what =
                    sprintf "%s %s" (doc.Str("kind") |> Option.ofObj |> Option.defaultValue "?") source

                userWrite "apply" what (sim.AsUser(fun c -> c.ApplyAsync(doc, "kubectl", true, ct)))
        | Patch(t, patch) -> userWrite "patch" (show t) (sim.AsUser(fun c -> c.MergePatchAsync(refOf t, patch, ct)))
        | Delete t ->
            let r = sim.AsUser(fun c -> c.DeleteAsync(refOf t, ct))

            userWrite
                "delete"
                (show t)
                (if r.IsOk then
                     ApiResult<Json>.Ok(Json.Null)
                 else
                     r.Cast<Json>())
        | SetEnv(set, unset) ->
            let changes =
                [ for KeyValue(k, v) in set -> KeyValuePair(k, v)
                  for k in unset -> KeyValuePair(k, null) ]

            sim.Note(
                "user",
                "env",
                "operator",
                changes
                |> List.map (fun kv -> sprintf "%s=%s" kv.Key (if isNull kv.Value then "<unset>" else kv.Value))
                |> String.concat " "
            )

            sim.SetEnv changes
        | Restart ->
            sim.Note("user", "restart", "operator", "")
            sim.Restart()
        | Advance span
        | RunFor span -> sim.RunFor span
        | RunUntilConverged timeout ->
            let ok = sim.RunUntilConverged timeout

            sim.Note(
                "simulation",
                "converge",
                "",
                (if ok then
                     "converged"
                 else
                     sprintf "not converged within %O" timeout)
            )
        | FaultsOn rates ->
            for name, rate in rates do
                match sim.Faults.On(name, rate) with
                | null -> sim.Note("simulation", "fault", name, sprintf "on at %g" rate)
                | error -> failure <- Some(sprintf "steps[%d].faultsOn.%s: %s" i name error)
        | FaultsOff names ->
            for name in names do
                if name = "all" then
                    sim.Faults.AllOff()
                else
                    sim.Faults.Off name

                sim.Note("simulation", "fault", name, "off")
        | PodFailure(ns, workload, reason) ->
            match reason with
            | Some r when r <> "" ->
                sim.Note("simulation", "podfail", sprintf "%s/%s" ns workload, r)
                sim.Cluster.InjectPodFailure(ns, workload, r)
            | _ ->
                sim.Note("simulation", "podheal", sprintf "%s/%s" ns workload, "")
                sim.Cluster.ClearPodFailure(ns, workload)
        | Phase name ->
            closePhase ()
            phase <- (name, sim.Operator.Writes)
            phaseStatusWrites <- statusWrites ()
            sim.Note("simulation", "phase", name, "")
        | Expect(name, expectations) -> expectations |> List.iter (check name)

    sim.StartOperator()

    scenario.Steps
    |> List.iteri (fun i step ->
        if failure.IsNone then
            perform i step)

    closePhase ()

    for e in sim.Failures do
        failure <- Some(sprintf "the simulation threw: %O" e)

    let conditions =
        ResourceTypes.OperatorCrs
        |> Seq.choose (fun t ->
            let r = get (crRef t.Kind)

            if r.IsOk then
                Some
                    { Kind = t.Kind
                      Conditions = conditionsOf r.Value }
            else
                None)
        |> List.ofSeq

    let operands =
        ResourceTypes.Owned
        |> Seq.collect (fun t ->
            let listed =
                sim.AsUser(fun c -> c.ListAsync(t, null, Ztwim.Adapters.Runtime.ControllerKeys.ManagedBySelector, ct))

            if listed.IsOk then
                listed.Value.Items :> seq<Json>
            else
                Seq.empty)
        |> Seq.map (fun o -> o.RefOf(), readiness o)
        |> List.ofSeq

    { Scenario = scenario.Name
      Seed = seed
      Trace = List.ofSeq sim.Trace
      Verdicts = List.ofSeq verdicts
      Failure = failure
      Reconciles = sim.Reconciles
      Restarts = sim.Restarts
      Requests = sim.Operator.Requests |> Seq.map (fun kv -> kv.Key, kv.Value) |> List.ofSeq
      Phases = List.ofSeq phases
      FaultsInjected = sim.Faults.Injected |> Seq.map (fun kv -> kv.Key, kv.Value) |> List.ofSeq
      Conditions = conditions
      SimulatedTime = sim.Clock.Elapsed
      Operands = operands }

/// Runs the scenario with a seed.
let run (scenario: Scenario) (seed: int) : Report = runWith ignore scenario seed
