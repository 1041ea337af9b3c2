/// ConfigMap spire-agent: agent.conf, and the immutable values it embodies.
[<RequireQualifiedAccess>]
module Ztwim.Kernel.Operands.Agent.ConfigMap

open Ztwim.Kernel
open Ztwim.Kernel.Render

/// The data key the DaemonSet's `-config` argument names.
let key = "agent.conf"

/// The immutable values the agent runs with: agent.conf's trust domain and cluster name, and the trust bundle
/// ConfigMap the DaemonSet mounts. The ConfigMap and the DaemonSet both record them.
let applied (conf: AgentConf) (bundleConfigMap: string) =
    Map.ofList
        [ Manifest.applied "trustDomain", conf.TrustDomain
          Manifest.applied "clusterName", conf.ClusterName
          Manifest.applied "bundleConfigMap", bundleConfigMap ]

/// ConfigMap spire-agent holding `text`. Upstream also puts the managed-by label in an annotation; ztwim adds
/// the `applied` values so that a later reconcile can read back what the agent runs with.
let desired (c: Placement) (applied: Map<string, string>) (text: string) : DesiredObject =
    let annotations = Map.add Labels.managedByKey Labels.operatorName applied

    Manifest.create
        "v1"
        "ConfigMap"
        (Some c.Namespace)
        Context.name
        (Context.labels c)
        annotations
        (Some c.Owner)
        [ "data", Json.obj [ key, Json.str text ] ]
