/// StatefulSet spire-server: persistence, datastore TLS, federation, CommonConfig, images, proxy and CA bundle.
module Ztwim.Specs.Render.SpireServerStatefulSetSpecs

open Expecto
open Ztwim.Kernel
open Ztwim.Specs.Api.Examples
open Ztwim.Specs.Render.SpireServerRender

let private sts (i: Input) = object "StatefulSet" "spire-server" i
let private server' = container "spire-server"
let private manager = container "spire-controller-manager"

let private servingCert =
    """{"bundleEndpoint": {"profile": "https_web", "httpsWeb": {"servingCert": {}}}}"""

let private proxy (i: Input) =
    mode
        (fun m ->
            { m with
                Proxy =
                    { HttpProxy = Some "http://proxy:3128"
                      HttpsProxy = Some "http://proxy:3129"
                      NoProxy = Some ".cluster.local" } })
        i

let private caBundle (i: Input) =
    mode
        (fun m ->
            { m with
                TrustedCaBundleConfigMap = Some "trusted-ca" })
        i

let private defaults =
    testList
        "defaults"
        [ test "the pod of the minimal CRs" {
              let p = podSpec baseInput
              expectAt "serviceAccountName" (Some(str "spire-server")) p

              Expect.equal
                  (names "volumes" p)
                  [ "server-tmp"
                    "spire-config"
                    "spire-server-socket"
                    "spire-controller-manager-tmp"
                    "controller-manager-config" ]
                  "volumes"

              Expect.equal (names "containers" p) [ "spire-server"; "spire-controller-manager" ] "containers"
              expectAt "nodeSelector" None p
              expectAt "tolerations" None p
              expectAt "affinity" None p
              expectAt "resources" (Some(json "{}")) (server' baseInput)
              expectAt "resources" (Some(json "{}")) (manager baseInput)
              expectAt "image" (Some(str "ghcr.io/spiffe/spire-server:1.13.3")) (server' baseInput)
              expectAt "image" (Some(str "ghcr.io/spiffe/spire-controller-manager:0.6.4")) (manager baseInput)
              Expect.equal (names "ports" (server' baseInput)) [ "grpc"; "server-healthz" ] "ports"
          }
          test "replicas, service name and selector" {
              let s = sts baseInput
              expectAt "spec.replicas" (Some(num 1)) s
              expectAt "spec.serviceName" (Some(str "spire-server")) s

              expectAt
                  "spec.selector.matchLabels"
                  (Some(
                      json
                          """{"app.kubernetes.io/name": "spire-server", "app.kubernetes.io/component": "control-plane",
                              "app.kubernetes.io/instance": "cluster-zero-trust-workload-identity-manager"}"""
                  ))
                  s
          } ]

let private persistence =
    testList
        "persistence"
        [ test
              "size, access mode and storage class land in the claim template and applied-persistence, beside server.conf's applied values" {
              let s =
                  sts (
                      serverJson
                          "spec.persistence"
                          """{"size": "20Gi", "accessMode": "ReadWriteOncePod", "storageClass": "fast"}"""
                          baseInput
                  )

              expectAt
                  "spec.volumeClaimTemplates"
                  (Some(
                      json
                          """[{"metadata": {"name": "spire-data"}, "status": {},
                               "spec": {"accessModes": ["ReadWriteOncePod"], "resources": {"requests": {"storage": "20Gi"}},
                                        "storageClassName": "fast"}}]"""
                  ))
                  s

              expectAt
                  "metadata.annotations"
                  (Some(
                      json
                          """{"ztwim.openshift.io/applied-persistence": "{\"accessMode\":\"ReadWriteOncePod\",\"size\":\"20Gi\",\"storageClass\":\"fast\"}",
                              "ztwim.openshift.io/applied-trustDomain": "example.org",
                              "ztwim.openshift.io/applied-clusterName": "demo",
                              "ztwim.openshift.io/applied-bundleConfigMap": "spire-bundle"}"""
                  ))
                  s

              Expect.equal
                  (s
                   |> field
                       [ "spec"
                         "template"
                         "metadata"
                         "annotations"
                         "ztwim.openshift.io/applied-persistence" ])
                  None
                  "never on the pod template"
          }
          test "an empty storage class leaves storageClassName out" {
              expectAt "spec.volumeClaimTemplates[0].spec.storageClassName" None (sts baseInput)
              expectAt "spec.volumeClaimTemplates[0].spec.resources.requests.storage" (Some(str "1Gi")) (sts baseInput)
          } ]

let private conditional =
    testList
        "conditional volumes"
        [ test "datastore tlsSecretName mounts the Secret writable at /run/spire/db/certs" {
              let i = server "spec.datastore.tlsSecretName" (str "db-tls") baseInput

              Expect.equal
                  (named "volumes" "db-certs" (podSpec i))
                  (Some(json """{"name": "db-certs", "secret": {"secretName": "db-tls"}}"""))
                  "volume"

              Expect.equal
                  (named "volumeMounts" "db-certs" (server' i))
                  (Some(json """{"name": "db-certs", "mountPath": "/run/spire/db/certs"}"""))
                  "mount"
          }
          test "federation adds the federation port; servingCert mounts the service-CA Secret" {
              let spiffe =
                  serverJson "spec.federation" """{"bundleEndpoint": {"profile": "https_spiffe"}}""" baseInput

              Expect.equal
                  (named "ports" "federation" (server' spiffe))
                  (Some(json """{"name": "federation", "containerPort": 8443, "protocol": "TCP"}"""))
                  "port"

              Expect.isNone (named "volumes" "spire-server-tls" (podSpec spiffe)) "no TLS volume for https_spiffe"

              let web = serverJson "spec.federation" servingCert baseInput

              Expect.equal
                  (named "volumes" "spire-server-tls" (podSpec web))
                  (Some(json """{"name": "spire-server-tls", "secret": {"secretName": "spire-server-serving-cert"}}"""))
                  "volume"

              Expect.equal
                  (named "volumeMounts" "spire-server-tls" (server' web))
                  (Some(json """{"name": "spire-server-tls", "mountPath": "/run/spire/server-tls", "readOnly": true}"""))
                  "mount"

              Expect.isNone (named "volumeMounts" "spire-server-tls" (manager web)) "not in the controller manager"
          }
          test "all of them: the CA bundle comes before the federation certificate, as upstream orders them" {
              let i =
                  baseInput
                  |> server "spec.datastore.tlsSecretName" (str "db-tls")
                  |> serverJson "spec.federation" servingCert
                  |> caBundle

              Expect.equal
                  (names "volumes" (podSpec i))
                  [ "server-tmp"
                    "spire-config"
                    "spire-server-socket"
                    "spire-controller-manager-tmp"
                    "controller-manager-config"
                    "db-certs"
                    "trusted-ca-bundle"
                    "spire-server-tls" ]
                  "volumes"

              Expect.equal
                  (names "volumeMounts" (server' i))
                  [ "spire-server-socket"
                    "spire-config"
                    "spire-data"
                    "server-tmp"
                    "db-certs"
                    "trusted-ca-bundle"
                    "spire-server-tls" ]
                  "server mounts"

              Expect.equal
                  (names "volumeMounts" (manager i))
                  [ "spire-server-socket"
                    "controller-manager-config"
                    "spire-controller-manager-tmp"
                    "trusted-ca-bundle" ]
                  "controller-manager mounts"
          } ]

let private mode' =
    testList
        "Mode"
        [ test "images come from the Mode" {
              let i =
                  mode
                      (fun m ->
                          { m with
                              Images =
                                  { m.Images with
                                      SpireServer = "registry.example/spire-server:9"
                                      SpireControllerManager = "registry.example/scm:9" } })
                      baseInput

              expectAt "image" (Some(str "registry.example/spire-server:9")) (server' i)
              expectAt "image" (Some(str "registry.example/scm:9")) (manager i)
          }
          test "the proxy goes to both containers, after their own variables, with no NO_PROXY additions" {
              let i = proxy baseInput

              Expect.equal (names "env" (server' i)) [ "PATH"; "HTTP_PROXY"; "HTTPS_PROXY"; "NO_PROXY" ] "server env"

              Expect.equal
                  (names "env" (manager i))
                  [ "ENABLE_WEBHOOKS"; "HTTP_PROXY"; "HTTPS_PROXY"; "NO_PROXY" ]
                  "controller-manager env"

              Expect.equal
                  (named "env" "NO_PROXY" (manager i))
                  (Some(json """{"name": "NO_PROXY", "value": ".cluster.local"}"""))
                  "NO_PROXY"
          }
          test "the trusted CA bundle is mounted in both containers" {
              let i = caBundle baseInput

              Expect.equal
                  (named "volumes" "trusted-ca-bundle" (podSpec i))
                  (Some(
                      json
                          """{"name": "trusted-ca-bundle", "configMap": {"name": "trusted-ca",
                              "items": [{"key": "ca-bundle.crt", "path": "tls-ca-bundle.pem"}]}}"""
                  ))
                  "volume"

              for c in [ server' i; manager i ] do
                  Expect.equal
                      (named "volumeMounts" "trusted-ca-bundle" c)
                      (Some(
                          json
                              """{"name": "trusted-ca-bundle", "mountPath": "/etc/pki/ca-trust/extracted/pem", "readOnly": true}"""
                      ))
                      "mount"
          } ]

let private commonConfig =
    testList
        "CommonConfig"
        [ test "resources go to both containers" {
              let i =
                  serverJson
                      "spec.resources"
                      """{"limits": {"cpu": "500m"}, "requests": {"memory": "128Mi"}}"""
                      baseInput

              for c in [ server' i; manager i ] do
                  expectAt "resources" (Some(json """{"limits": {"cpu": "500m"}, "requests": {"memory": "128Mi"}}""")) c
          }
          test "nodeSelector, tolerations and affinity go to the pod" {
              let p =
                  baseInput
                  |> serverJson "spec.nodeSelector" """{"node-role.kubernetes.io/infra": ""}"""
                  |> serverJson
                      "spec.tolerations"
                      """[{"key": "node-role.kubernetes.io/infra", "operator": "Exists", "effect": "NoSchedule"}]"""
                  |> serverJson
                      "spec.affinity"
                      """{"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms":
                          [{"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}]}}}"""
                  |> podSpec

              expectAt "nodeSelector" (Some(json """{"node-role.kubernetes.io/infra": ""}""")) p

              expectAt
                  "tolerations"
                  (Some(
                      json
                          """[{"key": "node-role.kubernetes.io/infra", "operator": "Exists", "effect": "NoSchedule"}]"""
                  ))
                  p

              expectAt
                  "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions"
                  (Some(json """[{"key": "zone", "operator": "In", "values": ["a"]}]"""))
                  p
          } ]

[<Tests>]
let tests =
    testList "render SpireServer StatefulSet" [ defaults; persistence; conditional; mode'; commonConfig ]
