/// The operator's /metrics: controller-runtime's names and labels, ztwim's own, in the Prometheus text format.
module Ztwim.Specs.Operator.MetricsSpecs

open System
open System.Text.RegularExpressions
open Expecto
open Ztwim.Kernel
open Ztwim.Adapters.Cluster
open Ztwim.Adapters.Runtime
open Ztwim.Operator.Observability

let private ref kind ns name = JsonAccess.Ref("v1", kind, ns, name)

let private record controller (ms: float) outcome (writes: WriteRecord list) requeue =
    ReconcileRecord(
        controller,
        DateTimeOffset.UnixEpoch,
        TimeSpan.FromMilliseconds ms,
        ResizeArray writes,
        outcome,
        null,
        Option.toNullable requeue
    )

let private fed () =
    let m = OperatorMetrics(ControllerKeys.All)
    let observer = m :> IRuntimeObserver
    observer.ReconcileStarted "SpireServer"
    observer.ReconcileStarted "SpireAgent"

    observer.Reconciled(
        record
            "SpireServer"
            30.0
            ReconcileOutcome.Success
            [ WriteRecord("SpireServer", "apply", ref "ConfigMap" "ns" "spire-server", "differs", null)
              WriteRecord("SpireServer", "create", ref "Service" "ns" "spire-server", "missing", null) ]
            None
    )

    observer.Reconciled(
        record
            "SpireServer"
            2000.0
            ReconcileOutcome.Error
            [ WriteRecord(
                  "SpireServer",
                  "apply",
                  ref "ConfigMap" "ns" "spire-server",
                  "differs",
                  ApiError(500, "InternalError", "boom")
              ) ]
            (Some(TimeSpan.FromSeconds 1.0))
    )

    observer.InformerError(ResourceTypes.SpireServer, "watch", ApiError.Gone "too old")
    m

let private sample (text: string) (line: string) =
    text.Split('\n') |> Array.exists (fun l -> l = line)

[<Tests>]
let tests =
    testList
        "Operator metrics"
        [ test "controller-runtime's reconcile counters by controller and result" {
              let text = (fed ()).Render()

              for line in
                  [ "controller_runtime_reconcile_total{controller=\"SpireServer\",result=\"success\"} 1"
                    "controller_runtime_reconcile_total{controller=\"SpireServer\",result=\"error\"} 1"
                    "controller_runtime_reconcile_total{controller=\"SpireAgent\",result=\"success\"} 0"
                    "controller_runtime_reconcile_errors_total{controller=\"SpireServer\"} 1"
                    "controller_runtime_active_workers{controller=\"SpireServer\"} 0"
                    "controller_runtime_active_workers{controller=\"SpireAgent\"} 1"
                    "controller_runtime_max_concurrent_reconciles{controller=\"SpireServer\"} 1" ] do
                  Expect.isTrue (sample text line) $"has {line}"
          }

          test "the reconcile time histogram is cumulative, with +Inf, sum and count" {
              let text = (fed ()).Render()
              let h = "controller_runtime_reconcile_time_seconds"

              Expect.isTrue
                  (sample text $"{h}_bucket{{controller=\"SpireServer\",le=\"0.025\"}} 0")
                  "30 ms is above 25 ms"

              Expect.isTrue
                  (sample text $"{h}_bucket{{controller=\"SpireServer\",le=\"0.05\"}} 1")
                  "30 ms is under 50 ms"

              Expect.isTrue (sample text $"{h}_bucket{{controller=\"SpireServer\",le=\"2\"}} 2") "2 s is in le=2"
              Expect.isTrue (sample text $"{h}_bucket{{controller=\"SpireServer\",le=\"+Inf\"}} 2") "+Inf counts all"
              Expect.isTrue (sample text $"{h}_count{{controller=\"SpireServer\"}} 2") "count"
              Expect.isTrue (sample text $"{h}_sum{{controller=\"SpireServer\"}} 2.03") "sum"
          }

          test "writes by kind, verb and result; informer errors by kind, verb and code" {
              let text = (fed ()).Render()

              for line in
                  [ "ztwim_writes_total{kind=\"ConfigMap\",verb=\"apply\",result=\"error\"} 1"
                    "ztwim_writes_total{kind=\"ConfigMap\",verb=\"apply\",result=\"ok\"} 1"
                    "ztwim_writes_total{kind=\"Service\",verb=\"create\",result=\"ok\"} 1"
                    "ztwim_informer_errors_total{kind=\"SpireServer\",verb=\"watch\",code=\"410\"} 1" ] do
                  Expect.isTrue (sample text line) $"has {line}"
          }

          test "operand readiness per CR, from the CRs' Ready condition" {
              let m = fed ()

              let cr kind status =
                  match
                      JsonText.parse (
                          $"""{{"apiVersion":"operator.openshift.io/v1alpha1","kind":"{kind}","metadata":{{"name":"cluster"}},"status":{{"conditions":[{{"type":"Ready","status":"{status}"}}]}}}}"""
                      )
                  with
                  | Ok j -> j
                  | Error e -> failwith e

              m.Crs <-
                  Func<_>(fun () ->
                      seq {
                          cr "SpireServer" "True"
                          cr "SpireAgent" "False"
                      })

              let text = m.Render()
              Expect.isTrue (sample text "ztwim_operand_ready{kind=\"SpireServer\",name=\"cluster\"} 1") "ready"
              Expect.isTrue (sample text "ztwim_operand_ready{kind=\"SpireAgent\",name=\"cluster\"} 0") "not ready"
          }

          test "the text format: HELP and TYPE before each family, every other line a sample" {
              let text = (fed ()).Render()
              Expect.isTrue (text.EndsWith "\n") "ends with a newline"

              let sampleLine =
                  Regex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*=""([^""\\]|\\.)*"",?)*\})? \S+$")

              let mutable typed = Set.empty

              for line in text.TrimEnd('\n').Split('\n') do
                  if line.StartsWith "# TYPE " then
                      let parts = line.Split(' ')
                      Expect.contains [ "counter"; "gauge"; "histogram" ] parts.[3] "a known type"
                      typed <- typed.Add parts.[2]
                  elif not (line.StartsWith "# HELP ") then
                      Expect.isTrue (sampleLine.IsMatch line) $"a sample line: {line}"
                      let name = line.Split([| '{'; ' ' |]).[0]

                      let family =
                          Regex.Replace(name, "_(bucket|sum|count)$", "")
                          |> fun f -> if typed.Contains f then f else name

                      Expect.isTrue (typed.Contains family) $"{name} follows its TYPE line"
          }

          test "label values are escaped" {
              Expect.equal
                  (Ztwim.Operator.Observability.PrometheusText.EscapeLabel "a\"b\\c\nd")
                  "a\\\"b\\\\c\\nd"
                  "escaped"
          } ]
