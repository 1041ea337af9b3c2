/// Where each SpireAgent spec field and each ZeroTrustWorkloadIdentityManager field lands in the rendered objects.
module Ztwim.Specs.Render.SpireAgentSpecs

open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Render
open Ztwim.Kernel.Operands
open Ztwim.Specs.Api.Examples
open Ztwim.Specs.Render.RenderedObjects

/// The minimal SpireAgent CR (with the examples' uid) after `edit`, parsed.
let agentCr (edit: Json -> Json) =
    match Crs.parseSpireAgent (minimal Kind.SpireAgent |> set "metadata.uid" (str uid) |> edit) with
    | Ok r -> r
    | Error e -> failtestf "SpireAgent rejected: %A" e

/// The SpireAgent objects for the minimal CR after `edit`, the ztwim spec after `ztwim` and `mode`.
let renderWith (edit: Json -> Json) (ztwim: Json -> Json) (mode: Mode) =
    SpireAgent.desired (agentCr edit) (ztwimSpec ztwim) mode

/// The SpireAgent objects for the minimal CR after `edit` on OpenShift with the default environment.
let render (edit: Json -> Json) = renderWith edit id openShift

/// DaemonSet spire-agent.
let daemonSet (objects: DesiredObject list) = find "DaemonSet" "spire-agent" objects

/// The agent's pod spec.
let pod objects =
    tryGet "spec.template.spec" (daemonSet objects) |> Option.get

/// The spire-agent container.
let agentContainer objects =
    named "spire-agent" "containers" (pod objects) |> Option.get

/// agent.conf, parsed.
let conf (objects: DesiredObject list) =
    match at [ "data"; "agent.conf" ] (find "ConfigMap" "spire-agent" objects) with
    | Some(Json.String text) ->
        match JsonText.parse text with
        | Ok j -> j
        | Error e -> failtestf "agent.conf is not JSON: %s" e
    | other -> failtestf "no agent.conf: %A" other

/// agent.conf as rendered.
let confText (objects: DesiredObject list) =
    match at [ "data"; "agent.conf" ] (find "ConfigMap" "spire-agent" objects) with
    | Some(Json.String text) -> text
    | _ -> failtest "no agent.conf"

/// The k8s workload attestor's plugin data in agent.conf.
let k8s = "plugins.WorkloadAttestor[0].k8s.plugin_data"
/// The CR path of the kubelet verification object.
let verification = "spec.workloadAttestors.workloadAttestorsVerification"

/// Sets the kubelet verification object to these string fields.
let verify (fields: (string * string) list) =
    set verification (Json.obj (fields |> List.map (fun (k, v) -> k, str v)))


let private specFields =
    testList
        "spec fields"
        [ test "socketPath: the host directory of the socket volume" {
              let objects = render (set "spec.socketPath" (str "/var/run/spire/sockets"))

              Expect.equal
                  (named "spire-agent-socket-dir" "volumes" (pod objects))
                  (Some(
                      json
                          """{"name": "spire-agent-socket-dir", "hostPath": {"path": "/var/run/spire/sockets", "type": "DirectoryOrCreate"}}"""
                  ))
                  "socket volume"
              // Inside the container the socket stays where agent.conf says.
              Expect.equal
                  (tryGet "agent.socket_path" (conf objects))
                  (Some(str "/tmp/spire-agent/public/spire-agent.sock"))
                  "socket_path"
          }
          test "socketPath defaults to /run/spire/agent-sockets" {
              Expect.equal
                  (named "spire-agent-socket-dir" "volumes" (pod (render id))
                   |> Option.bind (tryGet "hostPath.path"))
                  (Some(str "/run/spire/agent-sockets"))
                  "default"
          }
          test "logLevel and logFormat: agent.log_level and agent.log_format" {
              let c =
                  conf (render (set "spec.logLevel" (str "debug") >> set "spec.logFormat" (str "json")))

              Expect.equal (tryGet "agent.log_level" c) (Some(str "debug")) "log_level"
              Expect.equal (tryGet "agent.log_format" c) (Some(str "json")) "log_format"
          }
          test "logLevel and logFormat default to info and text" {
              let c = conf (render id)
              Expect.equal (tryGet "agent.log_level" c) (Some(str "info")) "log_level"
              Expect.equal (tryGet "agent.log_format" c) (Some(str "text")) "log_format"
          }
          test "nodeAttestor.k8sPSATEnabled false: no NodeAttestor plugin" {
              let c = conf (render (set "spec.nodeAttestor.k8sPSATEnabled" (str "false")))

              Expect.isNone (tryGet "plugins.NodeAttestor" c) "NodeAttestor"
              Expect.isSome (tryGet "plugins.KeyManager" c) "KeyManager stays"
          }
          test "nodeAttestor omitted: k8s_psat for the cluster (deliberate: upstream renders none)" {
              Expect.equal
                  (tryGet "plugins.NodeAttestor" (conf (render (remove "spec.nodeAttestor"))))
                  (Some(json """[{"k8s_psat": {"plugin_data": {"cluster": "demo"}}}]"""))
                  "NodeAttestor"
          }
          test "workloadAttestors omitted: the k8s attestor with its documented defaults (deliberate)" {
              Expect.equal
                  (tryGet "plugins.WorkloadAttestor" (conf (render (remove "spec.workloadAttestors"))))
                  (Some(
                      json
                          """[{"k8s": {"plugin_data": {"disable_container_selectors": false, "node_name_env": "MY_NODE_NAME",
                             "skip_kubelet_verification": true, "use_new_container_locator": true,
                             "verbose_container_locator_logs": false}}}]"""
                  ))
                  "WorkloadAttestor"
          }
          test "workloadAttestors.k8sEnabled false: no WorkloadAttestor plugin" {
              Expect.isNone
                  (tryGet
                      "plugins.WorkloadAttestor"
                      (conf (render (set "spec.workloadAttestors.k8sEnabled" (str "false")))))
                  "WorkloadAttestor"
          }
          test "disableContainerSelectors: disable_container_selectors" {
              let c =
                  conf (render (set "spec.workloadAttestors.disableContainerSelectors" (str "true")))

              Expect.equal (tryGet (k8s + ".disable_container_selectors") c) (Some(Json.Bool true)) "true"
          }
          test "useNewContainerLocator: use_new_container_locator" {
              let c =
                  conf (render (set "spec.workloadAttestors.useNewContainerLocator" (str "false")))

              Expect.equal (tryGet (k8s + ".use_new_container_locator") c) (Some(Json.Bool false)) "false"
          }
          test "the empty spec: every fixed member of agent.conf" {
              Expect.equal
                  (conf (render id))
                  (json
                      """{"agent": {"data_dir": "/var/lib/spire", "log_format": "text", "log_level": "info",
                           "retry_bootstrap": true, "server_address": "spire-server.zero-trust-workload-identity-manager",
                           "server_port": "443", "socket_path": "/tmp/spire-agent/public/spire-agent.sock",
                           "trust_bundle_path": "/run/spire/bundle/bundle.crt", "trust_domain": "example.org"},
                         "health_checks": {"bind_address": "0.0.0.0", "bind_port": 9982, "listener_enabled": true,
                           "live_path": "/live", "ready_path": "/ready"},
                         "plugins": {"KeyManager": [{"memory": {"plugin_data": null}}],
                           "NodeAttestor": [{"k8s_psat": {"plugin_data": {"cluster": "demo"}}}],
                           "WorkloadAttestor": [{"k8s": {"plugin_data": {"disable_container_selectors": false,
                             "node_name_env": "MY_NODE_NAME", "skip_kubelet_verification": true,
                             "use_new_container_locator": true, "verbose_container_locator_logs": false}}}]},
                         "telemetry": {"Prometheus": {"host": "0.0.0.0", "port": "9402"}}}""")
                  "agent.conf"
          }
          test "agent.conf is Go's MarshalIndent: two spaces, sorted keys, no trailing newline" {
              let text = confText (render id)
              Expect.stringStarts text "{\n  \"agent\": {\n    \"data_dir\": \"/var/lib/spire\",\n" "start"
              Expect.stringEnds text "\"port\": \"9402\"\n    }\n  }\n}" "end"
          } ]

let private ztwimFields =
    testList
        "ZeroTrustWorkloadIdentityManager fields"
        [ test "trustDomain: agent.trust_domain and the ConfigMap's applied-trustDomain" {
              let objects =
                  renderWith id (set "spec.trustDomain" (str "prod.example.net")) openShift

              Expect.equal (tryGet "agent.trust_domain" (conf objects)) (Some(str "prod.example.net")) "trust_domain"

              Expect.equal
                  (at
                      [ "metadata"; "annotations"; "ztwim.openshift.io/applied-trustDomain" ]
                      (find "ConfigMap" "spire-agent" objects))
                  (Some(str "prod.example.net"))
                  "annotation"
          }
          test "clusterName: the k8s_psat cluster and the ConfigMap's applied-clusterName" {
              let objects = renderWith id (set "spec.clusterName" (str "east-1")) openShift

              Expect.equal
                  (tryGet "plugins.NodeAttestor[0].k8s_psat.plugin_data.cluster" (conf objects))
                  (Some(str "east-1"))
                  "cluster"

              Expect.equal
                  (at
                      [ "metadata"; "annotations"; "ztwim.openshift.io/applied-clusterName" ]
                      (find "ConfigMap" "spire-agent" objects))
                  (Some(str "east-1"))
                  "annotation"
          }
          test "the DaemonSet records the same applied values as the ConfigMap" {
              let objects =
                  renderWith id (set "spec.bundleConfigMap" (str "trust-bundle")) openShift

              let applied (json: Json) =
                  match at [ "metadata"; "annotations" ] json with
                  | Some(Json.Object m) -> m |> Map.filter (fun k _ -> k.StartsWith "ztwim.openshift.io/applied-")
                  | other -> failtestf "annotations: %A" other

              Expect.equal
                  (applied (daemonSet objects))
                  (Map.ofList
                      [ "ztwim.openshift.io/applied-bundleConfigMap", str "trust-bundle"
                        "ztwim.openshift.io/applied-clusterName", str "demo"
                        "ztwim.openshift.io/applied-trustDomain", str "example.org" ])
                  "DaemonSet"

              Expect.equal (applied (find "ConfigMap" "spire-agent" objects)) (applied (daemonSet objects)) "ConfigMap"
          }
          test "the applied annotations stay off the pod template" {
              let annotations =
                  tryGet "spec.template.metadata.annotations" (daemonSet (render id))
                  |> Option.get

              match annotations with
              | Json.Object m ->
                  Expect.equal
                      (m |> Map.keys |> List.ofSeq)
                      [ "kubectl.kubernetes.io/default-container"
                        "ztwim.openshift.io/spire-agent-config-hash" ]
                      "template annotations"
              | other -> failtestf "annotations: %A" other
          }
          test "bundleConfigMap: the spire-bundle volume and the ConfigMap's applied-bundleConfigMap" {
              let objects =
                  renderWith id (set "spec.bundleConfigMap" (str "trust-bundle")) openShift

              Expect.equal
                  (named "spire-bundle" "volumes" (pod objects))
                  (Some(json """{"name": "spire-bundle", "configMap": {"name": "trust-bundle"}}"""))
                  "bundle volume"

              Expect.equal
                  (at
                      [ "metadata"; "annotations"; "ztwim.openshift.io/applied-bundleConfigMap" ]
                      (find "ConfigMap" "spire-agent" objects))
                  (Some(str "trust-bundle"))
                  "annotation"
          } ]

let private hashes =
    testList
        "config hash"
        [ test "the pod template carries HashS(agent.conf)" {
              let objects = render id

              Expect.equal
                  (at
                      [ "spec"
                        "template"
                        "metadata"
                        "annotations"
                        "ztwim.openshift.io/spire-agent-config-hash" ]
                      (daemonSet objects))
                  (Some(str (Hash.ofText (confText objects))))
                  "hash"
          }
          test "a config change changes the hash, a label change does not" {
              let hash objects =
                  at
                      [ "spec"
                        "template"
                        "metadata"
                        "annotations"
                        "ztwim.openshift.io/spire-agent-config-hash" ]
                      (daemonSet objects)

              let before = hash (render id)
              Expect.notEqual (hash (render (set "spec.logLevel" (str "debug")))) before "logLevel"
              Expect.equal (hash (render (set "spec.labels" (json """{"team": "a"}""")))) before "labels"
          } ]

[<Tests>]
let tests = testList "render SpireAgent" [ specFields; ztwimFields; hashes ]
