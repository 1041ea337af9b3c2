/// The agent's SecurityContextConstraints (OpenShift only): host PID and host directories, nothing privileged.
[<RequireQualifiedAccess>]
module Ztwim.Kernel.Operands.Agent.Scc

open Ztwim.Kernel
open Ztwim.Kernel.Render

let private strategy (t: string) = Json.obj [ "type", Json.str t ]
let private strings (xs: string list) = xs |> List.map Json.str |> Json.arr

/// SCC spire-agent, as upstream sends it on create. `priority` is an explicit null: upstream keeps a live
/// object's priority (and userNamespaceLevel) on update, so a fresh object carries none.
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
          "runAsUser", strategy "RunAsAny"
          "seLinuxContext", strategy "MustRunAs"
          "supplementalGroups", strategy "MustRunAs"
          "fsGroup", strategy "MustRunAs"
          "users", strings [ sprintf "system:serviceaccount:%s:%s" c.Namespace Context.name ]
          "groups", strings []
          "volumes", strings [ "configMap"; "hostPath"; "projected"; "secret"; "emptyDir" ]
          "allowHostDirVolumePlugin", Json.Bool true
          "allowHostPID", Json.Bool true
          "allowHostIPC", Json.Bool false
          "allowHostNetwork", Json.Bool false
          "allowHostPorts", Json.Bool false
          "allowPrivilegeEscalation", Json.Bool false
          "allowPrivilegedContainer", Json.Bool false
          "allowedCapabilities", strings []
          "defaultAddCapabilities", strings []
          "requiredDropCapabilities", strings [ "ALL" ] ]
