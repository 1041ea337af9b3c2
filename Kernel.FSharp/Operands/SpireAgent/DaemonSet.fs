namespace Ztwim.Kernel.Operands.Agent

open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Render

/// What the agent DaemonSet is made of.
type AgentDaemonSet =
    {
        Image: string
        BundleConfigMap: string
        /// The host directory of the Workload API socket (spec.socketPath), shared with the CSI driver.
        SocketPath: string
        KubeletCa: KubeletCa
        /// HashS(agent.conf): a changed config rolls the pods.
        ConfigHash: string
        /// The immutable values the agent runs with (ConfigMap.applied), recorded on the DaemonSet too.
        Applied: Map<string, string>
        Common: CommonConfig
    }

/// DaemonSet spire-agent.
[<RequireQualifiedAccess>]
module AgentDaemonSet =

    /// The pod-template annotation that carries the agent.conf hash (the same key as upstream's).
    let configHashAnnotation = "ztwim.openshift.io/spire-agent-config-hash"

    let private container = "spire-agent"
    let private configDirectory = "/opt/spire/conf/agent"

    let private mount (name: string) (path: string) (readOnly: bool) =
        Json.objOpt
            [ "name", Some(Json.str name)
              "mountPath", Some(Json.str path)
              "readOnly", (if readOnly then Some(Json.Bool true) else None) ]

    let private volume (name: string) (source: string) (body: Json) =
        Json.obj [ "name", Json.str name; source, body ]

    let private hostPath (path: string) (kind: string) =
        Json.obj [ "path", Json.str path; "type", Json.str kind ]

    let private probe (path: string) (delay: int) (period: int) =
        Json.obj
            [ "httpGet", Json.obj [ "path", Json.str path; "port", Json.str "healthz" ]
              "initialDelaySeconds", Json.num delay
              "periodSeconds", Json.num period ]

    let private volumes (d: AgentDaemonSet) =
        [ volume "spire-config" "configMap" (Json.obj [ "name", Json.str Context.name ])
          volume "spire-agent-admin-socket-dir" "emptyDir" (Json.obj [])
          volume "spire-agent-persistence" "emptyDir" (Json.obj [])
          volume "spire-bundle" "configMap" (Json.obj [ "name", Json.str d.BundleConfigMap ])
          volume
              "spire-token"
              "projected"
              (Json.obj
                  [ "sources",
                    Json.arr
                        [ Json.obj
                              [ "serviceAccountToken",
                                Json.obj
                                    [ "path", Json.str Context.name
                                      "expirationSeconds", Json.num 7200
                                      "audience", Json.str "spire-server" ] ] ] ])
          volume "spire-agent-socket-dir" "hostPath" (hostPath d.SocketPath "DirectoryOrCreate") ]
        @ (d.KubeletCa.HostDirectory
           |> Option.map (fun dir -> volume "kubelet-ca" "hostPath" (hostPath dir "Directory"))
           |> Option.toList)

    let private mounts (d: AgentDaemonSet) =
        [ mount "spire-config" configDirectory true
          mount "spire-agent-persistence" "/var/lib/spire" false
          mount "spire-bundle" AgentConf.bundleDirectory true
          mount "spire-agent-socket-dir" AgentConf.socketDirectory false
          mount "spire-token" "/var/run/secrets/tokens" false ]
        @ (d.KubeletCa.HostDirectory
           |> Option.map (fun dir -> mount "kubelet-ca" dir true)
           |> Option.toList)

    let private agentContainer (d: AgentDaemonSet) =
        Json.obj
            [ "name", Json.str container
              "image", Json.str d.Image
              "imagePullPolicy", Json.str "IfNotPresent"
              "args", Json.arr [ Json.str "-config"; Json.str (configDirectory + "/" + ConfigMap.key) ]
              "env",
              Json.arr
                  [ Json.obj [ "name", Json.str "PATH"; "value", Json.str "/opt/spire/bin:/bin" ]
                    Json.obj
                        [ "name", Json.str "MY_NODE_NAME"
                          "valueFrom", Json.obj [ "fieldRef", Json.obj [ "fieldPath", Json.str "spec.nodeName" ] ] ] ]
              "ports",
              Json.arr [ Json.obj [ "name", Json.str "healthz"; "containerPort", Json.num AgentConf.healthPort ] ]
              "livenessProbe", probe "/live" 15 60
              "readinessProbe", probe "/ready" 10 30
              "securityContext",
              Json.obj
                  [ "allowPrivilegeEscalation", Json.Bool false
                    "privileged", Json.Bool false
                    "capabilities", Json.obj [ "drop", Json.arr [ Json.str "ALL" ] ]
                    "readOnlyRootFilesystem", Json.Bool true ]
              "resources",
              d.Common.Resources
              |> Option.map ResourceRequirements.print
              |> Option.defaultValue (Json.obj [])
              "volumeMounts", Json.arr (mounts d) ]

    /// The pod spec before proxy injection; CommonConfig's scheduling fields are left out when empty, as Go's
    /// omitempty leaves them out of upstream's request.
    let podSpec (d: AgentDaemonSet) =
        let c = d.Common

        Json.objOpt (

            [ "hostPID", Some(Json.Bool true)
              "dnsPolicy", Some(Json.str "ClusterFirst")
              "serviceAccountName", Some(Json.str Context.name)
              "containers", Some(Json.arr [ agentContainer d ])
              "volumes", Some(Json.arr (volumes d)) ]
            @ PodScheduling.members c
        )

    /// DaemonSet spire-agent, with the operator's proxy (plus the agent's NO_PROXY additions) and trusted CA
    /// bundle injected.
    let desired (c: Placement) (mode: Mode) (d: AgentDaemonSet) : DesiredObject =
        DaemonSet.create
            c
            Context.name
            Labels.spireAgent
            d.Applied
            (Map.ofList
                [ "kubectl.kubernetes.io/default-container", container
                  configHashAnnotation, d.ConfigHash ])
            (ProxyInjection.apply mode (ProxyInjection.agentNoProxy c.Namespace) (podSpec d))
