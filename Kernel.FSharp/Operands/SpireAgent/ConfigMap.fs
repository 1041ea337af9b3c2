/// ConfigMap spire-agent: agent.conf, and the immutable values it embodies.
[<RequireQualifiedAccess>]
module Ztwim.Kernel.Operands.Agent.ConfigMap

open Ztwim.Kernel
open Ztwim.Kernel.Render

/// The data key the DaemonSet's `-config` argument names.
let key = "agent.conf"

/// ConfigMap spire-agent holding `text`. Upstream also puts the managed-by label in an annotation; ztwim adds
/// applied-trustDomain, applied-clusterName and applied-bundleConfigMap (the trust bundle the DaemonSet mounts) so
/// that a later reconcile can read back every ZeroTrustWorkloadIdentityManager value the agent runs with.
let desired (c: Placement) (conf: AgentConf) (bundleConfigMap: string) (text: string) : DesiredObject =
    let annotations =
        Map.ofList
            [ Labels.managedByKey, Labels.operatorName
              Manifest.applied "trustDomain", conf.TrustDomain
              Manifest.applied "clusterName", conf.ClusterName
              Manifest.applied "bundleConfigMap", bundleConfigMap ]

    Manifest.create
        "v1"
        "ConfigMap"
        (Some c.Namespace)
        Context.name
        (Context.labels c)
        annotations
        (Some c.Owner)
        [ "data", Json.obj [ key, Json.str text ] ]
