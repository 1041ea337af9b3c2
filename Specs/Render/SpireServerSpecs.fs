/// The SpireServer operand's objects: each spec field, ZTWIM field and Mode input, and where it lands.
module Ztwim.Specs.Render.SpireServerSpecs

open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Render
open Ztwim.Specs.Api.Examples
open Ztwim.Specs.Render.SpireServerRender

let private strs (xs: string list) = Json.Array(xs |> List.map str)

let private inNamespace (ns: string) =
    mode (fun m -> { m with Namespace = ns })

let private spiffe = """{"bundleEndpoint": {"profile": "https_spiffe"}}"""

let private acme =
    """{"bundleEndpoint": {"profile": "https_web", "httpsWeb": {"acme": {"directoryUrl": "https://acme.example/directory",
        "domainName": "federation.example.org", "email": "admin@example.org", "tosAccepted": "true"}}}}"""

let private servingCert (externalSecretRef: string) =
    sprintf
        """{"bundleEndpoint": {"profile": "https_web", "httpsWeb": {"servingCert": {"externalSecretRef": "%s"}}}}"""
        externalSecretRef

let private federated (text: string) = serverJson "spec.federation" text

let private kinds (i: Input) =
    desired i
    |> List.map (fun d ->
        let r = DesiredObject.ref d
        r.Kind, r.Name)

let private inventory =
    testList
        "inventory"
        [ test "the minimal CRs give upstream's objects in upstream's order" {
              Expect.equal
                  (kinds baseInput)
                  [ "ServiceAccount", "spire-server"
                    "Service", "spire-server"
                    "Service", "spire-controller-manager-webhook"
                    "ClusterRole", "spire-server"
                    "ClusterRoleBinding", "spire-server"
                    "Role", "spire-bundle"
                    "RoleBinding", "spire-bundle"
                    "ClusterRole", "spire-controller-manager"
                    "ClusterRoleBinding", "spire-controller-manager"
                    "Role", "spire-controller-manager-leader-election"
                    "RoleBinding", "spire-controller-manager-leader-election"
                    "ValidatingWebhookConfiguration", "spire-controller-manager-webhook"
                    "ConfigMap", "spire-server"
                    "ConfigMap", "spire-controller-manager"
                    "ConfigMap", "spire-bundle"
                    "StatefulSet", "spire-server" ]
                  "objects"
          }
          test "every object is owned by the SpireServer CR, labelled, and namespaced in the Mode's namespace" {
              let i = baseInput |> federated (servingCert "ext") |> inNamespace "spire"

              let owner =
                  json (
                      sprintf
                          """[{"apiVersion": "operator.openshift.io/v1alpha1", "kind": "SpireServer", "name": "cluster",
                               "uid": "%s", "controller": true, "blockOwnerDeletion": true}]"""
                          uid
                  )

              for r, o in objects i do
                  Expect.equal (at "metadata.ownerReferences" o) (Some owner) (sprintf "%s %s owner" r.Kind r.Name)

                  Expect.equal
                      (o |> field [ "metadata"; "labels"; "app.kubernetes.io/managed-by" ])
                      (Some(str "zero-trust-workload-identity-manager"))
                      (sprintf "%s %s managed-by" r.Kind r.Name)

                  let clusterScoped =
                      [ "ClusterRole"; "ClusterRoleBinding"; "ValidatingWebhookConfiguration" ]
                      |> List.contains r.Kind

                  Expect.equal
                      (at "metadata.namespace" o)
                      (if clusterScoped then None else Some(str "spire"))
                      (sprintf "%s %s namespace" r.Kind r.Name)

                  Expect.equal r.Namespace (if clusterScoped then None else Some "spire") "ref namespace"
          }
          test "custom labels on every object but the controller-manager ConfigMap, never over the standard keys" {
              let i =
                  serverJson "spec.labels" """{"team": "identity", "app.kubernetes.io/component": "mine"}""" baseInput

              for r, o in objects i do
                  let expected =
                      if r.Kind = "ConfigMap" && r.Name = "spire-controller-manager" then
                          None
                      else
                          Some(str "identity")

                  Expect.equal (o |> field [ "metadata"; "labels"; "team" ]) expected (sprintf "%s %s" r.Kind r.Name)

                  Expect.equal
                      (o |> field [ "metadata"; "labels"; "app.kubernetes.io/component" ])
                      (Some(str "control-plane"))
                      "component"

              let sts = object "StatefulSet" "spire-server" i

              Expect.equal
                  (sts |> field [ "spec"; "template"; "metadata"; "labels"; "team" ])
                  (Some(str "identity"))
                  "pod"

              Expect.equal (sts |> field [ "spec"; "selector"; "matchLabels"; "team" ]) None "selector"
          } ]

let private services =
    testList
        "Services"
        [ test "spire-server without federation: grpc and metrics, no serving certificate" {
              let svc = object "Service" "spire-server" baseInput
              Expect.equal (names "ports" (svc |> at "spec" |> Option.get)) [ "grpc"; "metrics" ] "ports"
              expectAt "metadata.annotations" None svc
          }
          test "spire-server with federation: port 8443 and the service-CA annotation" {
              let svc = object "Service" "spire-server" (federated spiffe baseInput)

              expectAt
                  "spec.ports[2]"
                  (Some(json """{"name": "federation", "port": 8443, "targetPort": 8443, "protocol": "TCP"}"""))
                  svc

              expectAt
                  "metadata.annotations"
                  (Some(json """{"service.beta.openshift.io/serving-cert-secret-name": "spire-server-serving-cert"}"""))
                  svc
          }
          test "the webhook Service selects the pod that runs the controller manager" {
              expectAt
                  "spec.selector"
                  (Some(
                      json
                          """{"app.kubernetes.io/name": "spire-server",
                              "app.kubernetes.io/instance": "cluster-zero-trust-workload-identity-manager"}"""
                  ))
                  (object "Service" "spire-controller-manager-webhook" baseInput)
          } ]

let private rbac =
    testList
        "RBAC"
        [ test "bindings name the server's service account in the Mode's namespace" {
              let i = inNamespace "spire" baseInput

              for kind, name in
                  [ "ClusterRoleBinding", "spire-server"
                    "RoleBinding", "spire-bundle"
                    "ClusterRoleBinding", "spire-controller-manager"
                    "RoleBinding", "spire-controller-manager-leader-election" ] do
                  expectAt
                      "subjects"
                      (Some(json """[{"kind": "ServiceAccount", "name": "spire-server", "namespace": "spire"}]"""))
                      (object kind name i)
          }
          test "the bundle Role names the ZTWIM's bundleConfigMap" {
              expectAt
                  "rules[0].resourceNames"
                  (Some(strs [ "my-bundle" ]))
                  (object "Role" "spire-bundle" (ztwim "spec.bundleConfigMap" (str "my-bundle") baseInput))
          }
          test "the external-cert reader exists only when servingCert names a Secret" {
              Expect.isNone
                  (tryObject "Role" "spire-server-external-cert-reader" (federated (servingCert "") baseInput))
                  "unnamed"

              Expect.isNone (tryObject "Role" "spire-server-external-cert-reader" (federated acme baseInput)) "acme"
              let i = federated (servingCert "fed-cert") baseInput

              expectAt
                  "rules"
                  (Some(
                      json
                          """[{"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["fed-cert"], "verbs": ["get"]},
                              {"apiGroups": [""], "resources": ["secrets"], "verbs": ["list", "watch"]}]"""
                  ))
                  (object "Role" "spire-server-external-cert-reader" i)

              expectAt
                  "subjects"
                  (Some(json """[{"kind": "ServiceAccount", "name": "router", "namespace": "openshift-ingress"}]"""))
                  (object "RoleBinding" "spire-server-external-cert-reader" i)
          }
          test "the webhook points at the webhook Service in the Mode's namespace" {
              let vwc =
                  object
                      "ValidatingWebhookConfiguration"
                      "spire-controller-manager-webhook"
                      (inNamespace "spire" baseInput)

              expectAt "webhooks[0].clientConfig.service.namespace" (Some(str "spire")) vwc
              expectAt "webhooks[1].clientConfig.service.namespace" (Some(str "spire")) vwc
          } ]

let private configMaps =
    testList
        "ConfigMaps"
        [ test "the bundle ConfigMap is named by bundleConfigMap and has no data" {
              let cm =
                  object "ConfigMap" "my-bundle" (ztwim "spec.bundleConfigMap" (str "my-bundle") baseInput)

              expectAt "data" None cm
          }
          test "the server ConfigMap records the immutable values it embodies" {
              expectAt
                  "metadata.annotations"
                  (Some(
                      json
                          """{"ztwim.openshift.io/applied-trustDomain": "example.org",
                              "ztwim.openshift.io/applied-clusterName": "demo",
                              "ztwim.openshift.io/applied-bundleConfigMap": "spire-bundle"}"""
                  ))
                  (object "ConfigMap" "spire-server" baseInput)
          }
          for profile, text, expected in
              [ "https_spiffe", spiffe, "https_spiffe"
                "acme", acme, "https_web/acme"
                "servingCert", servingCert "", "https_web/servingCert" ] do
              test (sprintf "the server ConfigMap records the %s federation profile" profile) {
                  Expect.equal
                      (object "ConfigMap" "spire-server" (federated text baseInput)
                       |> field [ "metadata"; "annotations"; "ztwim.openshift.io/applied-federationProfile" ])
                      (Some(str expected))
                      "applied-federationProfile"
              } ]

let private route =
    testList
        "federation Route"
        [ test "no Route without federation, or with managedRoute false" {
              Expect.isNone (tryObject "Route" "spire-server-federation" baseInput) "no federation"

              Expect.isNone
                  (tryObject
                      "Route"
                      "spire-server-federation"
                      (baseInput
                       |> federated spiffe
                       |> server "spec.federation.managedRoute" (str "false")))
                  "managedRoute false"
          }
          test "https_spiffe: passthrough to the federation port, in the Mode's namespace" {
              let r =
                  object
                      "Route"
                      "spire-server-federation"
                      (baseInput
                       |> federated spiffe
                       |> ztwim "spec.trustDomain" (str "prod.example.com")
                       |> inNamespace "spire")

              expectAt "metadata.namespace" (Some(str "spire")) r

              expectAt
                  "spec"
                  (Some(
                      json
                          """{"host": "federation.prod.example.com", "to": {"kind": "Service", "name": "spire-server", "weight": 100},
                              "port": {"targetPort": "federation"}, "wildcardPolicy": "None",
                              "tls": {"termination": "passthrough", "insecureEdgeTerminationPolicy": "Redirect"}}"""
                  ))
                  r
          }
          test "ACME: passthrough" {
              expectAt
                  "spec.tls"
                  (Some(json """{"termination": "passthrough", "insecureEdgeTerminationPolicy": "Redirect"}"""))
                  (object "Route" "spire-server-federation" (federated acme baseInput))
          }
          test "servingCert: re-encrypt, with the external certificate when named" {
              expectAt
                  "spec.tls"
                  (Some(json """{"termination": "reencrypt", "insecureEdgeTerminationPolicy": "Redirect"}"""))
                  (object "Route" "spire-server-federation" (federated (servingCert "") baseInput))

              expectAt
                  "spec.tls"
                  (Some(
                      json
                          """{"termination": "reencrypt", "insecureEdgeTerminationPolicy": "Redirect",
                              "externalCertificate": {"name": "fed-cert"}}"""
                  ))
                  (object "Route" "spire-server-federation" (federated (servingCert "fed-cert") baseInput))
          } ]

let private kubernetes =
    let onKubernetes = mode (fun m -> { m with Platform = Kubernetes })

    testList
        "plain Kubernetes"
        [ test "federation: no Route, no service-CA annotation, no router Role; a serving certificate instead" {
              let i =
                  baseInput
                  |> federated (servingCert "fed-cert")
                  |> onKubernetes
                  |> inNamespace "spire"

              Expect.isNone (tryObject "Route" "spire-server-federation" i) "Route"
              Expect.isNone (tryObject "Role" "spire-server-external-cert-reader" i) "Role"
              expectAt "metadata.annotations" None (object "Service" "spire-server" i)

              let certificates =
                  desired i
                  |> List.choose (function
                      | ServingCertificateFor c -> Some c
                      | Manifest _ -> None)

              Expect.equal
                  certificates
                  [ { SecretName = "spire-server-serving-cert"
                      Namespace = "spire"
                      DnsNames =
                        [ "spire-server"
                          "spire-server.spire"
                          "spire-server.spire.svc"
                          "spire-server.spire.svc.cluster.local" ] } ]
                  "serving certificates"

              Expect.contains (names "volumes" (podSpec i)) "spire-server-tls" "the server still mounts it"
          }
          test "without federation nothing needs a certificate" {
              let certificates =
                  desired (onKubernetes baseInput)
                  |> List.filter (function
                      | ServingCertificateFor _ -> true
                      | Manifest _ -> false)

              Expect.isEmpty certificates "serving certificates"
          } ]

[<Tests>]
let tests =
    testList "render SpireServer" [ inventory; services; rbac; configMaps; route; kubernetes ]
