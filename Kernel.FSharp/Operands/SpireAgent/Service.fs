/// The agent's metrics Service.
[<RequireQualifiedAccess>]
module Ztwim.Kernel.Operands.Agent.Service

open Ztwim.Kernel
open Ztwim.Kernel.Render

/// The port of the agent's Prometheus listener (telemetry.Prometheus.port in agent.conf).
let metricsPort = 9402

/// Service spire-agent: ClusterIP, port metrics 9402. Upstream selects on name and instance only (not the
/// component), and leaves the protocol to the API server's default.
let desired (c: Placement) : DesiredObject =
    let selector = Labels.selector Labels.spireAgent |> Map.remove Labels.componentKey

    Manifest.create
        "v1"
        "Service"
        (Some c.Namespace)
        Context.name
        (Context.labels c)
        Map.empty
        (Some c.Owner)
        [ "spec",
          Json.obj
              [ "type", Json.str "ClusterIP"
                "ports",
                Json.arr
                    [ Json.obj
                          [ "name", Json.str "metrics"
                            "port", Json.num metricsPort
                            "targetPort", Json.num metricsPort ] ]
                "selector", Manifest.stringMap selector ] ]
