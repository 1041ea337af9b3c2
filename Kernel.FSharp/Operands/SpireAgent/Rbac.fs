/// The agent's cluster-wide read access: the k8s workload attestor asks the kubelet (nodes/proxy) about pods,
/// and the k8s_psat node attestor reads nodes and pods.
[<RequireQualifiedAccess>]
module Ztwim.Kernel.Operands.Agent.Rbac

open Ztwim.Kernel
open Ztwim.Kernel.Render

let private rbac = "rbac.authorization.k8s.io"
let private apiVersion = rbac + "/v1"

/// ClusterRole spire-agent: get on pods, nodes and nodes/proxy.
let clusterRole (c: Placement) : DesiredObject =
    Manifest.create
        apiVersion
        "ClusterRole"
        None
        Context.name
        (Context.labels c)
        Map.empty
        (Some c.Owner)
        [ "rules",
          Json.arr
              [ Json.obj
                    [ "apiGroups", Json.arr [ Json.str "" ]
                      "resources", Json.arr [ Json.str "pods"; Json.str "nodes"; Json.str "nodes/proxy" ]
                      "verbs", Json.arr [ Json.str "get" ] ] ] ]

/// ClusterRoleBinding spire-agent: the ClusterRole to the agent's ServiceAccount in the operator namespace.
let clusterRoleBinding (c: Placement) : DesiredObject =
    Manifest.create
        apiVersion
        "ClusterRoleBinding"
        None
        Context.name
        (Context.labels c)
        Map.empty
        (Some c.Owner)
        [ "roleRef",
          Json.obj
              [ "apiGroup", Json.str rbac
                "kind", Json.str "ClusterRole"
                "name", Json.str Context.name ]
          "subjects",
          Json.arr
              [ Json.obj
                    [ "kind", Json.str "ServiceAccount"
                      "name", Json.str Context.name
                      "namespace", Json.str c.Namespace ] ] ]
