/// A scenario printed as the YAML `Scenario.parse` reads: a generated run that fails is printed as a file a
/// user can replay with `ztwim-sim run FILE --seed N`. Objects are printed inline, so the file stands alone.
module Ztwim.Sim.ScenarioPrint

open System
open Ztwim.Kernel
open Ztwim.Sim.Scenario

/// Go's duration syntax, which `Scenario.parseDuration` reads back exactly (whole milliseconds).
let duration (t: TimeSpan) =
    if t.Ticks % TimeSpan.TicksPerSecond = 0L then
        sprintf "%ds" (int64 t.TotalSeconds)
    else
        sprintf "%dms" (int64 t.TotalMilliseconds)

let private s (text: string) = Json.String text

let private target (t: Target) =
    Json.objOpt
        [ "apiVersion", Some(s t.ApiVersion)
          "kind", Some(s t.Kind)
          "namespace", t.Namespace |> Option.map s
          "name", Some(s t.Name) ]

let private merge (a: Json) (extra: (string * Json) list) =
    match a with
    | Json.Object m -> Json.Object(extra |> List.fold (fun acc (k, v) -> Map.add k v acc) m)
    | other -> other

// The parser reads an expect step as one mapping, so expectations of one kind are gathered into one member.
let private expectation (name: string) (es: Expectation list) =
    let objects =
        es
        |> List.choose (function
            | ObjectExists(t, []) -> Some(target t)
            | ObjectExists(t, fields) ->
                Some(merge (target t) [ "fields", Json.obj (fields |> List.map (fun f -> f.Path, f.Value)) ])
            | ObjectAbsent t -> Some(merge (target t) [ "absent", Json.Bool true ])
            | _ -> None)

    let conditions =
        es
        |> List.choose (function
            | ConditionIs(kind, ctype, status, reason, contains) ->
                Some(
                    Json.objOpt
                        [ "kind", Some(s kind)
                          "type", Some(s ctype)
                          "status", Some(s status)
                          "reason", reason |> Option.map s
                          "messageContains", contains |> Option.map s ]
                )
            | _ -> None)

    let scalars =
        es
        |> List.choose (function
            | Converged -> Some("converged", Json.Bool true)
            | WritesInPhase n -> Some("writes", Json.num n)
            | OperandWritesInPhase n -> Some("operandWrites", Json.num n)
            | Rejected text -> Some("rejected", s text)
            | _ -> None)

    Json.obj (
        [ "name", s name ]
        @ scalars
        @ (if objects.IsEmpty then
               []
           else
               [ "objects", Json.arr objects ])
        @ (if conditions.IsEmpty then
               []
           else
               [ "conditions", Json.arr conditions ])
    )

let private step (st: Step) =
    let one verb value = Json.obj [ verb, value ]

    match st with
    | ApplyObject(docs, _) -> one "apply" (Json.obj [ "inline", Json.arr docs ])
    | Patch(t, patch) -> one "patch" (merge (target t) [ "merge", patch ])
    | Delete t -> one "delete" (target t)
    | SetEnv(set, unset) ->
        one
            "env"
            (Json.obj
                [ "set", Json.obj (set |> Map.toList |> List.map (fun (k, v) -> k, s v))
                  "unset", Json.arr (unset |> List.map s) ])
    | Restart -> one "restart" (Json.Bool true)
    | Advance span -> one "advance" (s (duration span))
    | RunFor span -> one "run" (s (duration span))
    | RunUntilConverged span -> one "runUntilConverged" (s (duration span))
    | FaultsOn rates -> one "faultsOn" (Json.obj (rates |> List.map (fun (n, r) -> n, Json.Number(decimal r))))
    | FaultsOff names -> one "faultsOff" (Json.arr (names |> List.map s))
    | PodFailure(ns, workload, reason) ->
        one
            "podFailure"
            (Json.objOpt
                [ "namespace", Some(s ns)
                  "workload", Some(s workload)
                  "reason", reason |> Option.map s ])
    | Phase name -> one "phase" (s name)
    | Expect(name, es) -> one "expect" (expectation name es)

/// The scenario as one YAML document.
let yaml (scenario: Scenario) =
    let platform =
        match scenario.Setup.Platform with
        | Ztwim.Kernel.Render.OpenShift -> "openshift"
        | Ztwim.Kernel.Render.Kubernetes -> "kubernetes"

    Json.obj
        [ "cluster",
          Json.obj
              [ "nodes", Json.num scenario.Setup.Nodes
                "platform", s platform
                if scenario.Setup.CertManager then
                    "certManager", Json.Bool true
                "env", Json.obj (scenario.Setup.Env |> Map.toList |> List.map (fun (k, v) -> k, s v)) ]
          "steps", Json.arr (scenario.Steps |> List.map step) ]
    |> Yaml.print
