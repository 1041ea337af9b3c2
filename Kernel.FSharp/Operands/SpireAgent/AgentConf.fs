namespace Ztwim.Kernel.Operands.Agent

open Ztwim.Kernel
open Ztwim.Kernel.Api

/// What agent.conf is made of.
type AgentConf =
    { Namespace: string
      TrustDomain: string
      ClusterName: string
      LogLevel: LogLevel
      LogFormat: LogFormat
      NodeAttestor: NodeAttestor
      WorkloadAttestors: WorkloadAttestors }

/// agent.conf, byte for byte as upstream's json.MarshalIndent of its map, so that its hash (and so the agent
/// pods) stay the same when ztwim takes over.
[<RequireQualifiedAccess>]
module AgentConf =

    /// Where the agent's Workload API socket lives inside the container (the host socket dir is mounted here).
    let socketDirectory = "/tmp/spire-agent/public"

    /// Where the bundle ConfigMap is mounted.
    let bundleDirectory = "/run/spire/bundle"

    /// The health listener port: an integer in agent.conf, unlike the server's string.
    let healthPort = 9982

    /// The inputs taken from the SpireAgent spec, the ZeroTrustWorkloadIdentityManager spec and the namespace.
    let ofSpec (ns: string) (ztwim: ZtwimSpec) (spec: SpireAgentSpec) =
        { Namespace = ns
          TrustDomain = ztwim.TrustDomain
          ClusterName = ztwim.ClusterName
          LogLevel = spec.LogLevel
          LogFormat = spec.LogFormat
          NodeAttestor = spec.NodeAttestor
          WorkloadAttestors = spec.WorkloadAttestors }

    let private plugin (name: string) (data: Json) =
        Json.arr [ Json.obj [ name, Json.obj [ "plugin_data", data ] ] ]

    let private workloadAttestor (w: WorkloadAttestors) =
        let ca = KubeletCa.ofVerification w.Verification

        Json.objOpt
            [ "disable_container_selectors", Some(Json.Bool w.DisableContainerSelectors)
              "node_name_env", Some(Json.str "MY_NODE_NAME")
              "use_new_container_locator", Some(Json.Bool w.UseNewContainerLocator)
              "verbose_container_locator_logs", Some(Json.Bool false)
              "skip_kubelet_verification", Some(Json.Bool ca.SkipVerification)
              "kubelet_ca_path", ca.CaPath |> Option.map Json.str ]

    /// The config as a JSON value.
    let json (c: AgentConf) : Json =
        let plugins =
            Json.objOpt
                [ "KeyManager", Some(plugin "memory" Json.Null)
                  "NodeAttestor",
                  (if c.NodeAttestor.K8sPSATEnabled then
                       Some(plugin "k8s_psat" (Json.obj [ "cluster", Json.str c.ClusterName ]))
                   else
                       None)
                  "WorkloadAttestor",
                  (if c.WorkloadAttestors.K8sEnabled then
                       Some(plugin "k8s" (workloadAttestor c.WorkloadAttestors))
                   else
                       None) ]

        Json.obj
            [ "agent",
              Json.obj
                  [ "data_dir", Json.str "/var/lib/spire"
                    "log_level", Json.str (Scalars.spell Scalars.logLevels c.LogLevel)
                    "log_format", Json.str (Scalars.spell Scalars.logFormats c.LogFormat)
                    "retry_bootstrap", Json.Bool true
                    "server_address", Json.str (sprintf "spire-server.%s" c.Namespace)
                    "server_port", Json.str "443"
                    "socket_path", Json.str (socketDirectory + "/spire-agent.sock")
                    "trust_bundle_path", Json.str (bundleDirectory + "/bundle.crt")
                    "trust_domain", Json.str c.TrustDomain ]
              "health_checks",
              Json.obj
                  [ "bind_address", Json.str "0.0.0.0"
                    "bind_port", Json.num healthPort
                    "listener_enabled", Json.Bool true
                    "live_path", Json.str "/live"
                    "ready_path", Json.str "/ready" ]
              "plugins", plugins
              "telemetry", Json.obj [ "Prometheus", Json.obj [ "host", Json.str "0.0.0.0"; "port", Json.str "9402" ] ] ]

    /// The config text: Go MarshalIndent with two spaces, no trailing newline.
    let render (c: AgentConf) = JsonText.indented (json c)
