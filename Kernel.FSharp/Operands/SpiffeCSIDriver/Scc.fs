/// The CSI driver's SecurityContextConstraints (OpenShift only): privileged, for bidirectional mount
/// propagation into the kubelet's pod directories and for relabelling the agent socket directory.
[<RequireQualifiedAccess>]
module Ztwim.Kernel.Operands.Csi.Scc

open Ztwim.Kernel
open Ztwim.Kernel.Render

let private strategy (t: string) = Json.obj [ "type", Json.str t ]
let private strings (xs: string list) = xs |> List.map Json.str |> Json.arr

/// SCC spire-spiffe-csi-driver, as upstream sends it on create: `priority`, `groups` and
/// `allowedCapabilities` are explicit nulls (upstream keeps a live object's priority and userNamespaceLevel).
let desired (c: Placement) : DesiredObject =
    Manifest.create
        "security.openshift.io/v1"
        "SecurityContextConstraints"
        None
        Context.name
        (Context.labels c)
        Map.empty
        (Some c.Owner)
        [ "priority", Json.Null
          "readOnlyRootFilesystem", Json.Bool true
          "runAsUser", strategy "MustRunAsRange"
          "seLinuxContext", strategy "MustRunAs"
          "supplementalGroups", strategy "MustRunAs"
          "fsGroup", strategy "MustRunAs"
          "users", strings [ sprintf "system:serviceaccount:%s:%s" c.Namespace Context.name ]
          "groups", Json.Null
          "volumes", strings [ "configMap"; "hostPath"; "secret" ]
          "allowHostDirVolumePlugin", Json.Bool true
          "allowHostPID", Json.Bool false
          "allowHostIPC", Json.Bool false
          "allowHostNetwork", Json.Bool false
          "allowHostPorts", Json.Bool false
          "allowPrivilegeEscalation", Json.Bool true
          "allowPrivilegedContainer", Json.Bool true
          "allowedCapabilities", Json.Null
          "defaultAddCapabilities", strings []
          "requiredDropCapabilities", strings [ "ALL" ] ]
