/// Rendering the SpireOIDCDiscoveryProvider for edited CRs, and where its objects, config and jwtIssuer land.
module Ztwim.Specs.Render.SpireOIDCDiscoveryProviderSpecs

open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Render
open Ztwim.Kernel.Operands
open Ztwim.Kernel.Operands.Oidc
open Ztwim.Specs.Api.Examples

let uid = "0b1d5c1e-0000-4000-8000-000000000001"
let ns = "zero-trust-workload-identity-manager"
let name = "spire-spiffe-oidc-discovery-provider"

let ztwimSpec (edit: Json -> Json) =
    match parsed Kind.ZeroTrustWorkloadIdentityManager (edit (minimal Kind.ZeroTrustWorkloadIdentityManager)) with
    | Ztwim r -> r.Spec
    | other -> failtestf "not a ZTWIM: %A" other

let oidcCr (edit: Json -> Json) =
    let doc =
        minimal Kind.SpireOIDCDiscoveryProvider |> set "metadata.uid" (str uid) |> edit

    match parsed Kind.SpireOIDCDiscoveryProvider doc with
    | AnyResource.SpireOIDCDiscoveryProvider r -> r
    | other -> failtestf "not an OIDC provider: %A" other

/// The Mode of an operator on `platform` with these environment variables.
let modeWith (platform: Platform) (env: (string * string) list) =
    Mode.ofEnvironment platform (Map.ofList env)

/// What the operand renders for the minimal CRs edited by `edit`, `ztwimEdit`, in `mode`.
let renderFull (ztwimEdit: Json -> Json) (edit: Json -> Json) (mode: Mode) =
    SpireOIDCDiscoveryProvider.desired (oidcCr edit) (ztwimSpec ztwimEdit) mode

let render (edit: Json -> Json) = renderFull id edit Mode.defaults

let manifests (objects: DesiredObject list) = DesiredObject.manifests objects

let tryObject (kind: string) (objectName: string) (objects: DesiredObject list) =
    manifests objects
    |> List.tryPick (fun (r, j) ->
        if r.Kind = kind && r.Name = objectName then
            Some j
        else
            None)

let object (kind: string) (objectName: string) (objects: DesiredObject list) =
    match tryObject kind objectName objects with
    | Some j -> j
    | None -> failtestf "no %s %s rendered" kind objectName

let deployment objects = object "Deployment" name objects
let configMap objects = object "ConfigMap" name objects

let route objects =
    object "Route" "spire-oidc-discovery-provider" objects

/// The value at a dotted path (`a.b[0].c`), then down the keys that contain dots themselves.
let at (path: string) (keys: string list) (json: Json) =
    keys
    |> List.fold (fun j k -> j |> Option.bind (Json.tryField k)) (tryGet path json)

let expectAt (path: string) (expected: Json) (json: Json) =
    Expect.equal (tryGet path json) (Some expected) path

let expectAbsent (path: string) (json: Json) =
    Expect.equal (tryGet path json) None (path + " absent")

let container = "spec.template.spec.containers[0]"

/// The provider config as the ConfigMap carries it, parsed.
let config objects =
    match at "data" [ Provider.configKey ] (configMap objects) with
    | Some(Json.String text) ->
        match JsonText.parse text with
        | Ok j -> j
        | Error e -> failtestf "config is not JSON: %s" e
    | other -> failtestf "no config text: %A" other

let strings (xs: string list) = Json.Array(xs |> List.map str)

let objectKeys (objects: DesiredObject list) =
    objects
    |> List.map (fun d ->
        let r = DesiredObject.ref d
        r.Kind, r.Name)

let defaultOrder =
    [ "ServiceAccount", name
      "Service", name
      "ClusterSPIFFEID", ClusterSpiffeIds.oidcName
      "ClusterSPIFFEID", ClusterSpiffeIds.defaultName
      "ConfigMap", name
      "Deployment", name
      "Route", "spire-oidc-discovery-provider" ]

let private structure =
    testList
        "objects"
        [ test "the minimal CR renders upstream's objects in upstream's order" {
              Expect.equal (objectKeys (render id)) defaultOrder "objects"
          }

          test "namespaced objects go to the operator namespace, ClusterSPIFFEIDs are cluster-scoped" {
              for r, _ in manifests (render id) do
                  let expected = if r.Kind = "ClusterSPIFFEID" then None else Some ns
                  Expect.equal r.Namespace expected (sprintf "%s %s" r.Kind r.Name)
          }

          test "every object, the Route too, has the standard labels and a controller owner reference to the CR" {
              let owner =
                  Json.obj
                      [ "apiVersion", str Kind.apiVersion
                        "kind", str "SpireOIDCDiscoveryProvider"
                        "name", str "cluster"
                        "uid", str uid
                        "controller", Json.Bool true
                        "blockOwnerDeletion", Json.Bool true ]

              for r, j in manifests (render (set "spec.externalSecretRef" (str "oidc-cert"))) do
                  let what = sprintf "%s %s" r.Kind r.Name
                  Expect.equal (tryGet "metadata.ownerReferences" j) (Some(Json.Array [ owner ])) what

                  Expect.equal
                      (tryGet "metadata.labels" j)
                      (Some(Manifest.stringMap (Labels.standard Map.empty Labels.oidcDiscoveryProvider)))
                      what
          }

          test "custom labels land on every object and the pod template; the standard keys win" {
              let edit =
                  set "spec.labels" (Json.obj [ "team", str "id"; "app.kubernetes.io/name", str "mine" ])

              let objects = render edit

              for r, j in manifests objects do
                  let what = sprintf "%s %s" r.Kind r.Name
                  Expect.equal (at "metadata.labels" [ "team" ] j) (Some(str "id")) what

                  Expect.equal
                      (at "metadata.labels" [ "app.kubernetes.io/name" ] j)
                      (Some(str "spiffe-oidc-discovery-provider"))
                      what

              let d = deployment objects
              Expect.equal (at "spec.template.metadata.labels" [ "team" ] d) (Some(str "id")) "pod template"
              // Selectors never carry custom labels: a label change must not orphan the pods.
              Expect.equal (at "spec.selector.matchLabels" [ "team" ] d) None "selector"

              Expect.equal
                  (at
                      "spec.podSelector.matchLabels"
                      [ "team" ]
                      (object "ClusterSPIFFEID" ClusterSpiffeIds.oidcName objects))
                  None
                  "ClusterSPIFFEID pod selector"
          } ]

let private configSpecs =
    testList
        "oidc-discovery-provider.conf"
        [ test "is upstream's MarshalIndent text" {
              let expected =
                  String.concat
                      "\n"
                      [ "{"
                        "  \"domains\": ["
                        "    \"spire-spiffe-oidc-discovery-provider\","
                        "    \"spire-spiffe-oidc-discovery-provider.zero-trust-workload-identity-manager\","
                        "    \"spire-spiffe-oidc-discovery-provider.zero-trust-workload-identity-manager.svc.cluster.local\","
                        "    \"oidc.example.org\""
                        "  ],"
                        "  \"health_checks\": {"
                        "    \"bind_port\": \"8008\","
                        "    \"live_path\": \"/live\","
                        "    \"ready_path\": \"/ready\""
                        "  },"
                        "  \"log_format\": \"text\","
                        "  \"log_level\": \"info\","
                        "  \"serving_cert_file\": {"
                        "    \"addr\": \":8443\","
                        "    \"cert_file_path\": \"/etc/oidc/tls/tls.crt\","
                        "    \"key_file_path\": \"/etc/oidc/tls/tls.key\""
                        "  },"
                        "  \"workload_api\": {"
                        "    \"socket_path\": \"/spiffe-workload-api/spire-agent.sock\","
                        "    \"trust_domain\": \"example.org\""
                        "  }"
                        "}" ]

              Expect.equal (at "data" [ Provider.configKey ] (configMap (render id))) (Some(str expected)) "config"
          }

          test "logLevel and logFormat land in the config" {
              let c =
                  config (render (set "spec.logLevel" (str "debug") >> set "spec.logFormat" (str "json")))

              expectAt "log_level" (str "debug") c
              expectAt "log_format" (str "json") c
          }

          test "the trust domain lands in the config and in the ConfigMap's and Deployment's applied-trustDomain" {
              let objects =
                  renderFull (set "spec.trustDomain" (str "corp.example")) id Mode.defaults

              expectAt "workload_api.trust_domain" (str "corp.example") (config objects)

              Expect.equal
                  (at "metadata.annotations" [ Manifest.applied "trustDomain" ] (configMap objects))
                  (Some(str "corp.example"))
                  "applied-trustDomain"

              Expect.equal
                  (at "metadata.annotations" [ Manifest.applied "trustDomain" ] (deployment objects))
                  (Some(str "corp.example"))
                  "the Deployment's applied-trustDomain"
          }

          test "the pod template carries the hash of the ConfigMap data and nothing else" {
              let objects = render id

              let data =
                  match tryGet "data" (configMap objects) with
                  | Some(Json.Object m) ->
                      m
                      |> Map.map (fun _ v ->
                          match v with
                          | Json.String s -> s
                          | _ -> "")
                  | _ -> Map.empty

              expectAt
                  "spec.template.metadata.annotations"
                  (Json.obj [ Deployment.configHashAnnotation, str (Hash.ofMap data) ])
                  (deployment objects)
          }

          test "the hash moves exactly when the config text moves" {
              let hashOf edit =
                  at "spec.template.metadata.annotations" [ Deployment.configHashAnnotation ] (deployment (render edit))

              let textOf edit =
                  at "data" [ Provider.configKey ] (configMap (render edit))

              let edits =
                  [ id
                    set "spec.logLevel" (str "warn")
                    set "spec.jwtIssuer" (str "https://other.example.org")
                    set "spec.replicaCount" (num 3)
                    set "spec.csiDriverName" (str "csi.example.org")
                    set "spec.labels" (Json.obj [ "team", str "id" ]) ]

              for a in edits do
                  for b in edits do
                      Expect.equal (hashOf a = hashOf b) (textOf a = textOf b) "hash equality follows text equality"
          } ]

let private issuerSpecs =
    let domainOf issuer =
        tryGet "domains[3]" (config (render (set "spec.jwtIssuer" (str issuer))))

    testList
        "jwtIssuer"
        [ test "its host is the fourth domain" {
              Expect.equal (domainOf "https://oidc.example.org") (Some(str "oidc.example.org")) "domain"
          }

          test "the domain has no scheme, a lowercased host (port kept), the path as given, no trailing /" {
              Expect.equal
                  (domainOf "HTTPS://OIDC.Example.org:8443/Tenant-A//")
                  (Some(str "oidc.example.org:8443/Tenant-A"))
                  "domain"

              Expect.equal (domainOf "http://oidc.example.org/") (Some(str "oidc.example.org")) "bare /"
          }

          test "user information is no part of the domain" {
              Expect.equal (Issuer.domain "https://me@oidc.example.org/x") "oidc.example.org/x" "domain"
              Expect.equal (Issuer.domain "") "" "empty"
          }

          test "the Route host is the issuer's host" {
              let r = route (render (set "spec.jwtIssuer" (str "https://OIDC.example.org")))
              expectAt "spec.host" (str "oidc.example.org") r
              expectAbsent "spec.path" r
          }

          test "an issuer with a path: the host stays a host and the path goes to spec.path (ARCHITECTURE.md)" {
              let objects =
                  render (set "spec.jwtIssuer" (str "https://oidc.example.com/tenant-a/"))

              let r = route objects
              expectAt "spec.host" (str "oidc.example.com") r
              expectAt "spec.path" (str "/tenant-a") r
              expectAt "domains[3]" (str "oidc.example.com/tenant-a") (config objects)
          } ]

[<Tests>]
let tests =
    testList "SpireOIDCDiscoveryProvider render" [ structure; configSpecs; issuerSpecs ]
