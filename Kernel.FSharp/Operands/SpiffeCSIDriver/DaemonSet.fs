namespace Ztwim.Kernel.Operands.Csi

open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Render

/// What the CSI driver DaemonSet is made of.
type CsiDaemonSet =
    {
        DriverImage: string
        RegistrarImage: string
        InitImage: string
        PluginName: string
        /// The host directory of the agent's Workload API socket (spec.agentSocketPath).
        AgentSocketPath: string
        Common: CommonConfig
    }

/// DaemonSet spire-spiffe-csi-driver. It gets no proxy, no CA bundle and no hash annotation, as upstream.
[<RequireQualifiedAccess>]
module CsiDaemonSet =

    let private socketMount = "/spire-agent-socket"
    let private csiMount = "/spiffe-csi"
    let private kubeletPods = "/var/lib/kubelet/pods"
    let private healthPort = 9809

    /// The host directory of the driver's CSI socket, where the kubelet looks for `<pluginName>`.
    let pluginDirectory (pluginName: string) =
        "/var/lib/kubelet/plugins/" + pluginName

    let private strings (xs: string list) = xs |> List.map Json.str |> Json.arr

    let private mount (name: string) (path: string) (readOnly: bool) =
        Json.objOpt
            [ "name", Some(Json.str name)
              "mountPath", Some(Json.str path)
              "readOnly", (if readOnly then Some(Json.Bool true) else None) ]

    let private hostPathVolume (name: string) (path: string) (kind: string) =
        Json.obj
            [ "name", Json.str name
              "hostPath", Json.obj [ "path", Json.str path; "type", Json.str kind ] ]

    // Lowercase "all", as upstream writes it; the runtime matches capability names case-insensitively.
    let private privilegedContext (readOnlyRoot: bool) =
        Json.objOpt
            [ "privileged", Some(Json.Bool true)
              "capabilities", Some(Json.obj [ "drop", strings [ "all" ] ])
              "readOnlyRootFilesystem", (if readOnlyRoot then Some(Json.Bool true) else None) ]

    let private resources (d: CsiDaemonSet) =
        d.Common.Resources
        |> Option.map ResourceRequirements.print
        |> Option.defaultValue (Json.obj [])

    // SELinux-relabels the agent socket directory so that the unprivileged agent and this driver share it.
    let private setContext (d: CsiDaemonSet) =
        Json.obj
            [ "name", Json.str "set-context"
              "image", Json.str d.InitImage
              "imagePullPolicy", Json.str "Always"
              "command", strings [ "chcon"; "-Rvt"; "container_file_t"; "spire-agent-socket/" ]
              "securityContext", privilegedContext false
              "resources", Json.obj []
              "volumeMounts", Json.arr [ mount "spire-agent-socket-dir" socketMount false ]
              "terminationMessagePath", Json.str "/dev/termination-log"
              "terminationMessagePolicy", Json.str "File" ]

    let private driver (d: CsiDaemonSet) =
        Json.obj
            [ "name", Json.str "spiffe-csi-driver"
              "image", Json.str d.DriverImage
              "imagePullPolicy", Json.str "IfNotPresent"
              "args",
              strings
                  [ "-workload-api-socket-dir"
                    socketMount
                    "-plugin-name"
                    d.PluginName
                    "-csi-socket-path"
                    csiMount + "/csi.sock" ]
              "env",
              Json.arr
                  [ Json.obj
                        [ "name", Json.str "MY_NODE_NAME"
                          "valueFrom", Json.obj [ "fieldRef", Json.obj [ "fieldPath", Json.str "spec.nodeName" ] ] ] ]
              "securityContext", privilegedContext true
              "resources", resources d
              "volumeMounts",
              Json.arr
                  [ mount "spire-agent-socket-dir" socketMount true
                    mount "spiffe-csi-socket-dir" csiMount false
                    Json.obj
                        [ "name", Json.str "mountpoint-dir"
                          "mountPath", Json.str kubeletPods
                          "mountPropagation", Json.str "Bidirectional" ] ] ]

    let private registrar (d: CsiDaemonSet) =
        Json.obj
            [ "name", Json.str "node-driver-registrar"
              "image", Json.str d.RegistrarImage
              "imagePullPolicy", Json.str "IfNotPresent"
              "args",
              strings
                  [ "-csi-address"
                    csiMount + "/csi.sock"
                    "-kubelet-registration-path"
                    pluginDirectory d.PluginName + "/csi.sock"
                    "-health-port"
                    string healthPort ]
              "ports", Json.arr [ Json.obj [ "name", Json.str "healthz"; "containerPort", Json.num healthPort ] ]
              "livenessProbe",
              Json.obj
                  [ "httpGet", Json.obj [ "path", Json.str "/healthz"; "port", Json.str "healthz" ]
                    "initialDelaySeconds", Json.num 5
                    "timeoutSeconds", Json.num 5 ]
              "securityContext", privilegedContext false
              "resources", resources d
              "volumeMounts",
              Json.arr
                  [ mount "spiffe-csi-socket-dir" csiMount false
                    mount "kubelet-plugin-registration-dir" "/registration" false ] ]

    /// The pod spec; CommonConfig's scheduling fields are left out when empty, as Go's omitempty leaves them
    /// out of upstream's request.
    let podSpec (d: CsiDaemonSet) =
        let c = d.Common

        Json.objOpt (

            [ "serviceAccountName", Some(Json.str Context.name)
              "initContainers", Some(Json.arr [ setContext d ])
              "containers", Some(Json.arr [ driver d; registrar d ])
              "volumes",
              Some(
                  Json.arr
                      [ hostPathVolume "spire-agent-socket-dir" d.AgentSocketPath "DirectoryOrCreate"
                        hostPathVolume "spiffe-csi-socket-dir" (pluginDirectory d.PluginName) "DirectoryOrCreate"
                        hostPathVolume "mountpoint-dir" kubeletPods "Directory"
                        hostPathVolume "kubelet-plugin-registration-dir" "/var/lib/kubelet/plugins_registry" "Directory" ]
              ) ]
            @ PodScheduling.members c
        )

    /// DaemonSet spire-spiffe-csi-driver.
    let desired (c: Placement) (d: CsiDaemonSet) : DesiredObject =
        DaemonSet.create c Context.name Labels.spiffeCsiDriver Map.empty Map.empty (podSpec d)
