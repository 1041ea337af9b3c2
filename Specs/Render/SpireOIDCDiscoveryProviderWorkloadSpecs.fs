/// Where the OIDC provider's workload settings and each Mode input land: the Deployment, the Route and its
/// external-certificate RBAC, the namespace and the platform.
module Ztwim.Specs.Render.SpireOIDCDiscoveryProviderWorkloadSpecs

open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Render
open Ztwim.Kernel.Operands.Oidc
open Ztwim.Specs.Api.Examples
open Ztwim.Specs.Render.SpireOIDCDiscoveryProviderSpecs

let private deploymentSpecs =
    testList
        "Deployment"
        [ test "replicaCount lands in spec.replicas, 1 by default" {
              expectAt "spec.replicas" (num 1) (deployment (render id))
              expectAt "spec.replicas" (num 4) (deployment (render (set "spec.replicaCount" (num 4))))
          }

          test "csiDriverName is the workload API volume's driver, csi.spiffe.io by default" {
              let volume = "spec.template.spec.volumes[0]"
              let d = deployment (render id)
              expectAt (volume + ".name") (str "spiffe-workload-api") d
              expectAt (volume + ".csi") (Json.obj [ "driver", str "csi.spiffe.io"; "readOnly", Json.Bool true ]) d

              expectAt
                  (volume + ".csi.driver")
                  (str "csi.example.org")
                  (deployment (render (set "spec.csiDriverName" (str "csi.example.org"))))
          }

          test "the image comes from RELATED_IMAGE_SPIRE_OIDC_DISCOVERY_PROVIDER, the CSV's by default" {
              expectAt
                  (container + ".image")
                  (str "ghcr.io/spiffe/oidc-discovery-provider:1.13.3")
                  (deployment (render id))

              let mode =
                  modeWith OpenShift [ "RELATED_IMAGE_SPIRE_OIDC_DISCOVERY_PROVIDER", "registry.example/oidc:9" ]

              expectAt (container + ".image") (str "registry.example/oidc:9") (deployment (renderFull id id mode))
          }

          test "resources land on the container, {} when unset" {
              expectAt (container + ".resources") (Json.obj []) (deployment (render id))
              let limits = json """{"limits": {"cpu": "500m", "memory": "128Mi"}}"""

              expectAt (container + ".resources") limits (deployment (render (set "spec.resources" limits)))
          }

          test "nodeSelector, tolerations and affinity land on the pod, absent when unset" {
              let pod = "spec.template.spec"
              let d = deployment (render id)

              for field in [ "nodeSelector"; "tolerations"; "affinity" ] do
                  expectAbsent (pod + "." + field) d

              let selector = Json.obj [ "node-role.kubernetes.io/infra", str "" ]

              let tolerations =
                  json """[{"key": "infra", "operator": "Exists", "effect": "NoSchedule"}]"""

              let affinity =
                  json
                      """{"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}]}}}"""

              let d =
                  deployment (
                      render (
                          set "spec.nodeSelector" selector
                          >> set "spec.tolerations" tolerations
                          >> set "spec.affinity" affinity
                      )
                  )

              expectAt (pod + ".nodeSelector") selector d
              expectAt (pod + ".tolerations") tolerations d
              expectAt (pod + ".affinity") affinity d
          }

          test "no proxy, no CA bundle: no env and only the four volumes" {
              let d = deployment (render id)
              expectAbsent (container + ".env") d
              expectAt "spec.template.spec.volumes[3].name" (str "tls-certs") d
              expectAbsent "spec.template.spec.volumes[4]" d
          }

          test "the operator's proxy lands in the container env, NO_PROXY without additions" {
              let mode =
                  modeWith
                      OpenShift
                      [ "HTTP_PROXY", "http://proxy:3128"
                        "HTTPS_PROXY", "http://proxy:3129"
                        "NO_PROXY", ".cluster.local" ]

              let env name value =
                  Json.obj [ "name", str name; "value", str value ]

              expectAt
                  (container + ".env")
                  (Json.Array
                      [ env "HTTP_PROXY" "http://proxy:3128"
                        env "HTTPS_PROXY" "http://proxy:3129"
                        env "NO_PROXY" ".cluster.local" ])
                  (deployment (renderFull id id mode))
          }

          test "NO_PROXY alone adds no env" {
              let mode = modeWith OpenShift [ "NO_PROXY", ".cluster.local" ]
              expectAbsent (container + ".env") (deployment (renderFull id id mode))
          }

          test "the trusted CA bundle is a fifth volume and mount" {
              let mode = modeWith OpenShift [ "TRUSTED_CA_BUNDLE_CONFIGMAP", "trusted-ca" ]
              let d = deployment (renderFull id id mode)

              expectAt
                  "spec.template.spec.volumes[4]"
                  (json
                      """{"name": "trusted-ca-bundle", "configMap": {"name": "trusted-ca", "items": [{"key": "ca-bundle.crt", "path": "tls-ca-bundle.pem"}]}}""")
                  d

              expectAt
                  (container + ".volumeMounts[4]")
                  (json
                      """{"name": "trusted-ca-bundle", "mountPath": "/etc/pki/ca-trust/extracted/pem", "readOnly": true}""")
                  d
          } ]

let private routeAndRbacSpecs =
    testList
        "Route and external certificate"
        [ test "the Route re-encrypts to the Service's https port and redirects plain HTTP" {
              let r = route (render id)

              expectAt
                  "spec.tls"
                  (Json.obj
                      [ "termination", str "reencrypt"
                        "insecureEdgeTerminationPolicy", str "Redirect" ])
                  r

              expectAt "spec.port" (Json.obj [ "targetPort", str "https" ]) r

              expectAt "spec.to" (Json.obj [ "kind", str "Service"; "name", str name; "weight", num 100 ]) r
              expectAt "spec.wildcardPolicy" (str "None") r
          }

          test "managedRoute \"false\" renders no Route" {
              Expect.isNone
                  (tryObject "Route" "spire-oidc-discovery-provider" (render (set "spec.managedRoute" (str "false"))))
                  "Route"
          }

          test "no externalSecretRef: no external-cert Role or RoleBinding" {
              let objects = render id
              Expect.isNone (tryObject "Role" ExternalCertReader.name objects) "Role"
              Expect.isNone (tryObject "RoleBinding" ExternalCertReader.name objects) "RoleBinding"
          }

          test "externalSecretRef: the Route's external certificate, and the router may read that secret" {
              let objects = render (set "spec.externalSecretRef" (str "oidc-cert"))

              expectAt "spec.tls.externalCertificate" (Json.obj [ "name", str "oidc-cert" ]) (route objects)

              Expect.equal
                  (objectKeys objects |> List.skip 6)
                  [ "Role", ExternalCertReader.name
                    "RoleBinding", ExternalCertReader.name
                    "Route", "spire-oidc-discovery-provider" ]
                  "RBAC before the Route"

              expectAt
                  "rules"
                  (json
                      """[{"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["oidc-cert"], "verbs": ["get"]},
                          {"apiGroups": [""], "resources": ["secrets"], "verbs": ["list", "watch"]}]""")
                  (object "Role" ExternalCertReader.name objects)

              let binding = object "RoleBinding" ExternalCertReader.name objects

              expectAt
                  "subjects"
                  (json """[{"kind": "ServiceAccount", "name": "router", "namespace": "openshift-ingress"}]""")
                  binding

              expectAt
                  "roleRef"
                  (json
                      """{"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "spire-oidc-external-cert-reader"}""")
                  binding
          } ]

let private modeSpecs =
    testList
        "Mode"
        [ test "the namespace lands in every namespaced object, the selectors and the domains" {
              let objects =
                  renderFull id id (modeWith OpenShift [ "OPERATOR_NAMESPACE", "spire-system" ])

              for r, _ in manifests objects do
                  if r.Kind <> "ClusterSPIFFEID" then
                      Expect.equal r.Namespace (Some "spire-system") (sprintf "%s %s" r.Kind r.Name)

              let values kind =
                  tryGet "spec.namespaceSelector.matchExpressions[0]" (object "ClusterSPIFFEID" kind objects)

              Expect.equal
                  (values ClusterSpiffeIds.oidcName)
                  (Some(
                      Json.obj
                          [ "key", str "kubernetes.io/metadata.name"
                            "operator", str "In"
                            "values", strings [ "spire-system" ] ]
                  ))
                  "oidc: In"

              Expect.equal
                  (values ClusterSpiffeIds.defaultName)
                  (Some(
                      Json.obj
                          [ "key", str "kubernetes.io/metadata.name"
                            "operator", str "NotIn"
                            "values", strings [ "spire-system" ] ]
                  ))
                  "default: NotIn"

              expectAt
                  "domains"
                  (strings
                      [ name
                        name + ".spire-system"
                        name + ".spire-system.svc.cluster.local"
                        "oidc.example.org" ])
                  (config objects)
          }

          test "OpenShift: the Service asks the service CA for oidc-serving-cert; no certificate requirement" {
              let objects = render id

              Expect.equal
                  (at
                      "metadata.annotations"
                      [ "service.beta.openshift.io/serving-cert-secret-name" ]
                      (object "Service" name objects))
                  (Some(str "oidc-serving-cert"))
                  "annotation"

              Expect.isEmpty
                  (objects
                   |> List.filter (function
                       | ServingCertificateFor _ -> true
                       | Manifest _ -> false))
                  "serving certificates"
          }

          test "plain Kubernetes: no Route, no service-CA annotation, a serving certificate for oidc-serving-cert" {
              let objects =
                  renderFull id id (modeWith Kubernetes [ "OPERATOR_NAMESPACE", "spire-system" ])

              Expect.isNone (tryObject "Route" "spire-oidc-discovery-provider" objects) "Route"
              expectAbsent "metadata.annotations" (object "Service" name objects)

              Expect.equal
                  (objects
                   |> List.choose (function
                       | ServingCertificateFor c -> Some c
                       | Manifest _ -> None))
                  [ { SecretName = "oidc-serving-cert"
                      Namespace = "spire-system"
                      DnsNames =
                        [ name
                          name + ".spire-system"
                          name + ".spire-system.svc"
                          name + ".spire-system.svc.cluster.local" ] } ]
                  "serving certificate"

              expectAt "spec.template.spec.volumes[3].secret.secretName" (str "oidc-serving-cert") (deployment objects)
          } ]

[<Tests>]
let tests =
    testList "SpireOIDCDiscoveryProvider render" [ deploymentSpecs; routeAndRbacSpecs; modeSpecs ]
