/// Where CommonConfig and each Mode input (images, namespace, platform, proxy, CA bundle) land in the SpireAgent objects.
module Ztwim.Specs.Render.SpireAgentModeSpecs

open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Render
open Ztwim.Kernel.Operands
open Ztwim.Specs.Api.Examples
open Ztwim.Specs.Render.RenderedObjects
open Ztwim.Specs.Render.SpireAgentSpecs

let private commonConfig =
    testList
        "CommonConfig"
        [ test "labels: on every object and the pod template, never in the selector" {
              let objects = render (set "spec.labels" customLabels)
              labelsAndOwners Kind.SpireAgent objects Labels.spireAgent
              let ds = daemonSet objects

              Expect.equal
                  (at [ "spec"; "template"; "metadata"; "labels"; "team" ] ds)
                  (Some(str "identity"))
                  "template"

              Expect.equal
                  (tryGet "spec.selector.matchLabels" ds)
                  (Some(
                      json
                          """{"app.kubernetes.io/component": "node-agent", "app.kubernetes.io/name": "spire-agent",
                             "app.kubernetes.io/instance": "cluster-zero-trust-workload-identity-manager"}"""
                  ))
                  "selector"

              Expect.equal
                  (tryGet "spec.selector" (find "Service" "spire-agent" objects))
                  (Some(
                      json
                          """{"app.kubernetes.io/name": "spire-agent",
                             "app.kubernetes.io/instance": "cluster-zero-trust-workload-identity-manager"}"""
                  ))
                  "service selector"
          }
          test "resources: the agent container's resources, {} when unset" {
              Expect.equal (Json.tryField "resources" (agentContainer (render id))) (Some(Json.obj [])) "unset"

              Expect.equal
                  (Json.tryField "resources" (agentContainer (render (set "spec.resources" resources))))
                  (Some resources)
                  "set"
          }
          test "affinity, tolerations, nodeSelector: the pod spec, absent when unset" {
              let p =
                  pod (
                      render (
                          set "spec.affinity" affinity
                          >> set "spec.tolerations" tolerations
                          >> set "spec.nodeSelector" nodeSelector
                      )
                  )

              Expect.equal (Json.tryField "affinity" p) (Some affinity) "affinity"
              Expect.equal (Json.tryField "tolerations" p) (Some tolerations) "tolerations"
              Expect.equal (Json.tryField "nodeSelector" p) (Some nodeSelector) "nodeSelector"
              let bare = pod (render id)

              for k in [ "affinity"; "tolerations"; "nodeSelector" ] do
                  Expect.isNone (Json.tryField k bare) k
          } ]

let private proxyEnv (env: (string * string) list) =
    match Json.tryField "env" (agentContainer (renderWith id id (modeOf OpenShift env))) with
    | Some(Json.Array vars) ->
        vars
        |> List.choose (fun v ->
            match Json.tryField "name" v, Json.tryField "value" v with
            | Some(Json.String n), Some(Json.String value) -> Some(n, value)
            | Some(Json.String n), _ -> Some(n, "<from>")
            | _ -> None)
    | _ -> []

let private additions =
    "spire-server.zero-trust-workload-identity-manager,spire-server.zero-trust-workload-identity-manager.svc,"
    + "spire-server.zero-trust-workload-identity-manager.svc.cluster.local,"
    + "kubernetes.default,kubernetes.default.svc,kubernetes.default.svc.cluster.local"

let private baseEnv = [ "PATH", "/opt/spire/bin:/bin"; "MY_NODE_NAME", "<from>" ]

let private modeInputs =
    testList
        "Mode"
        [ test "RELATED_IMAGE_SPIRE_AGENT: the container image" {
              let objects =
                  renderWith id id (modeOf OpenShift [ "RELATED_IMAGE_SPIRE_AGENT", "quay.io/x/agent:2" ])

              Expect.equal (Json.tryField "image" (agentContainer objects)) (Some(str "quay.io/x/agent:2")) "image"

              Expect.equal
                  (Json.tryField "image" (agentContainer (render id)))
                  (Some(str "ghcr.io/spiffe/spire-agent:1.13.3"))
                  "default"
          }
          test "namespace: namespaced objects, the binding subject, the SCC user, the server address" {
              let objects =
                  renderWith id id (modeOf OpenShift [ "OPERATOR_NAMESPACE", "spire-system" ])

              let refs = objects |> List.map DesiredObject.ref

              Expect.equal
                  (refs |> List.map (fun r -> r.Kind, r.Namespace))
                  [ "ServiceAccount", Some "spire-system"
                    "Service", Some "spire-system"
                    "ClusterRole", None
                    "ClusterRoleBinding", None
                    "SecurityContextConstraints", None
                    "ConfigMap", Some "spire-system"
                    "DaemonSet", Some "spire-system" ]
                  "kinds in upstream's order, with their namespaces"

              for r, j in DesiredObject.manifests objects do
                  Expect.equal
                      (tryGet "metadata.namespace" j)
                      (r.Namespace |> Option.map str)
                      (sprintf "%s metadata.namespace" r.Kind)

              Expect.equal
                  (tryGet "subjects" (find "ClusterRoleBinding" "spire-agent" objects))
                  (Some(json """[{"kind": "ServiceAccount", "name": "spire-agent", "namespace": "spire-system"}]"""))
                  "subjects"

              Expect.equal
                  (tryGet "users" (find "SecurityContextConstraints" "spire-agent" objects))
                  (Some(strings [ "system:serviceaccount:spire-system:spire-agent" ]))
                  "SCC users"

              Expect.equal
                  (tryGet "agent.server_address" (conf objects))
                  (Some(str "spire-server.spire-system"))
                  "server"
          }
          test "plain Kubernetes: no SCC and no serving certificate" {
              let objects = renderWith id id (modeOf Kubernetes [])

              Expect.equal
                  (objects |> List.map (fun d -> (DesiredObject.ref d).Kind))
                  [ "ServiceAccount"
                    "Service"
                    "ClusterRole"
                    "ClusterRoleBinding"
                    "ConfigMap"
                    "DaemonSet" ]
                  "kinds"

              Expect.equal (daemonSet objects) (daemonSet (render id)) "the DaemonSet is the same"
          }
          test "no proxy: only PATH and MY_NODE_NAME" { Expect.equal (proxyEnv []) baseEnv "env" }
          test "NO_PROXY alone adds nothing" { Expect.equal (proxyEnv [ "NO_PROXY", ".corp" ]) baseEnv "env" }
          test "HTTP_PROXY: appended with NO_PROXY = the six agent additions" {
              Expect.equal
                  (proxyEnv [ "HTTP_PROXY", "http://proxy:3128" ])
                  (baseEnv @ [ "HTTP_PROXY", "http://proxy:3128"; "NO_PROXY", additions ])
                  "env"
          }
          test "HTTPS_PROXY with NO_PROXY: the operator's NO_PROXY first, then the additions" {
              Expect.equal
                  (proxyEnv [ "HTTPS_PROXY", "http://proxy:3129"; "NO_PROXY", ".corp,10.0.0.0/8" ])
                  (baseEnv
                   @ [ "HTTPS_PROXY", "http://proxy:3129"
                       "NO_PROXY", ".corp,10.0.0.0/8," + additions ])
                  "env"
          }
          test "both proxies, in the order HTTP_PROXY, HTTPS_PROXY, NO_PROXY" {
              Expect.equal
                  (proxyEnv [ "HTTPS_PROXY", "https://p2"; "HTTP_PROXY", "http://p1" ]
                   |> List.map fst)
                  [ "PATH"; "MY_NODE_NAME"; "HTTP_PROXY"; "HTTPS_PROXY"; "NO_PROXY" ]
                  "order"
          }
          test "the NO_PROXY additions name the operator namespace" {
              Expect.equal
                  (proxyEnv [ "HTTP_PROXY", "http://p"; "OPERATOR_NAMESPACE", "ns1" ] |> List.last)
                  ("NO_PROXY",
                   "spire-server.ns1,spire-server.ns1.svc,spire-server.ns1.svc.cluster.local,"
                   + "kubernetes.default,kubernetes.default.svc,kubernetes.default.svc.cluster.local")
                  "NO_PROXY"
          }
          test "TRUSTED_CA_BUNDLE_CONFIGMAP: the trusted-ca-bundle volume last, and its mount last" {
              let objects =
                  renderWith id id (modeOf OpenShift [ "TRUSTED_CA_BUNDLE_CONFIGMAP", "trusted-ca" ])

              Expect.equal (names "volumes" (pod objects) |> List.last) "trusted-ca-bundle" "last volume"

              Expect.equal
                  (named "trusted-ca-bundle" "volumes" (pod objects))
                  (Some(
                      json
                          """{"name": "trusted-ca-bundle", "configMap": {"name": "trusted-ca",
                             "items": [{"key": "ca-bundle.crt", "path": "tls-ca-bundle.pem"}]}}"""
                  ))
                  "volume"

              Expect.equal (names "volumeMounts" (agentContainer objects) |> List.last) "trusted-ca-bundle" "last mount"

              Expect.equal
                  (named "trusted-ca-bundle" "volumeMounts" (agentContainer objects))
                  (Some(
                      json
                          """{"name": "trusted-ca-bundle", "mountPath": "/etc/pki/ca-trust/extracted/pem", "readOnly": true}"""
                  ))
                  "mount"

              Expect.equal (proxyEnv [ "TRUSTED_CA_BUNDLE_CONFIGMAP", "trusted-ca" ]) baseEnv "no proxy env"
          }
          test "without a CA bundle: no trusted-ca-bundle" {
              Expect.isNone (named "trusted-ca-bundle" "volumes" (pod (render id))) "volume"
          } ]

[<Tests>]
let tests = testList "render SpireAgent" [ commonConfig; modeInputs ]
