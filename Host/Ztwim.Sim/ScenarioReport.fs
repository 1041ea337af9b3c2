/// Printing a scenario run: the trace, then the summary, as readable text or as one JSON document. Nothing
/// printed depends on the machine (no wall-clock times), so the same seed prints the same bytes.
module Ztwim.Sim.ScenarioReport

open System
open Ztwim.Kernel
open Ztwim.Adapters.Cluster
open Ztwim.Sim.ScenarioRun

let private time (t: TimeSpan) =
    sprintf "%02d:%02d:%02d.%03d" (int t.TotalHours) t.Minutes t.Seconds t.Milliseconds

let private counts (pairs: (string * int) list) =
    match pairs with
    | [] -> "none"
    | _ -> pairs |> List.map (fun (k, n) -> sprintf "%s %d" k n) |> String.concat ", "

let private conditionLine (c: FinalConditions) =
    let cs =
        c.Conditions
        |> List.map (fun (t, s, r) -> sprintf "%s=%s (%s)" t s r)
        |> String.concat ", "

    sprintf "  %-28s %s" c.Kind cs

/// The table of operand objects: kind, namespace/name, ready.
let operandTable (r: Report) =
    [ yield sprintf "  %-32s %-72s %s" "KIND" "NAME" "READY"
      for ref, ready in r.Operands |> List.sortBy (fun (ref, _) -> ref.Kind, ref.Namespace, ref.Name) do
          let name =
              match ref.Namespace with
              | Some ns -> ns + "/" + ref.Name
              | None -> ref.Name

          yield sprintf "  %-32s %-72s %s" ref.Kind name ready ]

/// The readable report.
let text (withOperands: bool) (r: Report) =
    [ yield sprintf "scenario %s (seed %d)" r.Scenario r.Seed
      yield! r.Trace |> List.map string
      yield ""
      yield "summary"
      yield sprintf "  simulated time   %s" (time r.SimulatedTime)
      yield sprintf "  reconciles       %d" r.Reconciles
      yield sprintf "  restarts         %d" r.Restarts
      yield sprintf "  requests         %s" (counts r.Requests)
      yield sprintf "  writes by phase  %s" (counts r.Phases)

      match List.tryLast r.Phases with
      | Some(name, n) -> yield sprintf "  last phase       %s: %d writes" name n
      | None -> ()

      yield sprintf "  faults injected  %s" (counts r.FaultsInjected)

      // The quickstart ends with what an administrator looks at first: the objects, then the CRs' conditions.
      if not withOperands then
          yield "conditions"
          yield! r.Conditions |> List.map conditionLine

      yield "expectations"

      for v in r.Verdicts do
          let detail = if v.Detail = "" then "" else " — " + v.Detail
          yield sprintf "  %s  %s: %s%s" (if v.Holds then "ok  " else "FAIL") v.Step v.What detail

      match r.Failure with
      | Some f -> yield sprintf "error: %s" f
      | None -> ()

      let held = r.Verdicts |> List.filter _.Holds |> List.length

      yield
          sprintf
              "result: %s, %d of %d expectations hold"
              (if r.Passed then "passed" else "FAILED")
              held
              r.Verdicts.Length

      if withOperands then
          yield "operands"
          yield! operandTable r
          yield "conditions"
          yield! r.Conditions |> List.map conditionLine ]
    |> String.concat "\n"

/// The report as one JSON document.
let json (r: Report) =
    let s (t: string) = Json.String t
    let n (i: int) = Json.num i

    let pairs (ps: (string * int) list) =
        Json.obj (ps |> List.map (fun (k, v) -> k, n v))

    Json.obj
        [ "scenario", s r.Scenario
          "seed", n r.Seed
          "passed", Json.Bool r.Passed
          "trace",
          Json.arr (
              r.Trace
              |> List.map (fun l ->
                  Json.obj
                      [ "at", s (time l.At)
                        "actor", s l.Actor
                        "verb", s l.Verb
                        "target", s l.Target
                        "detail", s l.Detail ])
          )
          "summary",
          Json.obj
              [ "simulatedTime", s (time r.SimulatedTime)
                "reconciles", n r.Reconciles
                "restarts", n r.Restarts
                "requests", pairs r.Requests
                "writesByPhase",
                Json.arr (r.Phases |> List.map (fun (k, v) -> Json.obj [ "phase", s k; "writes", n v ]))
                "faultsInjected", pairs r.FaultsInjected ]
          "conditions",
          Json.obj (
              r.Conditions
              |> List.map (fun c ->
                  c.Kind,
                  Json.arr (
                      c.Conditions
                      |> List.map (fun (t, st, re) -> Json.obj [ "type", s t; "status", s st; "reason", s re ])
                  ))
          )
          "expectations",
          Json.arr (
              r.Verdicts
              |> List.map (fun v ->
                  Json.obj
                      [ "step", s v.Step
                        "expectation", s v.What
                        "holds", Json.Bool v.Holds
                        "detail", s v.Detail ])
          )
          "error", (r.Failure |> Option.map s |> Option.defaultValue Json.Null) ]
    |> JsonText.indented
