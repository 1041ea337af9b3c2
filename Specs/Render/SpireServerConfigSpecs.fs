/// server.conf and controller-manager-config.yaml: each spec field, ZTWIM field and Mode input, and where it
/// lands in the rendered configs and their hashes.
module Ztwim.Specs.Render.SpireServerConfigSpecs

open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Render
open Ztwim.Specs.Api.Examples
open Ztwim.Specs.Render.SpireServerRender

let private conf (path: string) (i: Input) = serverConf i |> at path
let private strs (xs: string list) = Json.Array(xs |> List.map str)

let private confLands (name: string) (edit: Input -> Input) (path: string) (expected: Json option) =
    test name { Expect.equal (conf path (edit baseInput)) expected path }

let private acme =
    """{"profile": "https_web", "httpsWeb": {"acme": {"directoryUrl": "https://acme.example/directory",
        "domainName": "federation.example.org", "email": "admin@example.org", "tosAccepted": "true"}}}"""

let private servingCert =
    """{"profile": "https_web", "httpsWeb": {"servingCert": {"fileSyncInterval": 7200}}}"""

let private peers =
    """[{"trustDomain": "peer.org", "bundleEndpointUrl": "https://federation.peer.org", "bundleEndpointProfile": "https_spiffe",
         "endpointSpiffeId": "spiffe://peer.org/spire/server"},
        {"trustDomain": "web.org", "bundleEndpointUrl": "https://web.org/bundle", "bundleEndpointProfile": "https_web"}]"""

let private serverConfSpecs =
    testList
        "server.conf"
        [ test "defaults of the minimal CRs" {
              let c = serverConf baseInput
              expectAt "server.log_level" (Some(str "info")) c
              expectAt "server.log_format" (Some(str "text")) c
              expectAt "server.ca_ttl" (Some(str "24h0m0s")) c
              expectAt "server.default_x509_svid_ttl" (Some(str "1h0m0s")) c
              expectAt "server.default_jwt_svid_ttl" (Some(str "5m0s")) c
              expectAt "server.ca_key_type" (Some(str "rsa-2048")) c
              expectAt "server.jwt_key_type" None c
              expectAt "server.jwt_issuer" (Some(str "https://oidc.example.org")) c
              expectAt "server.trust_domain" (Some(str "example.org")) c
              expectAt "server.data_dir" (Some(str "/run/spire/data")) c
              expectAt "server.bind_port" (Some(str "8081")) c
              expectAt "server.audit_log_enabled" (Some(Json.Bool false)) c
              expectAt "server.federation" None c

              expectAt
                  "server.ca_subject"
                  (Some(json """[{"common_name": "", "country": [""], "organization": [""]}]"""))
                  c

              expectAt
                  "plugins.DataStore[0].sql.plugin_data"
                  (Some(
                      json
                          """{"connection_string": "/run/spire/data/datastore.sqlite3", "database_type": "sqlite3",
                              "disable_migration": false, "max_idle_conns": 2, "max_open_conns": 100}"""
                  ))
                  c

              expectAt
                  "plugins.KeyManager"
                  (Some(json """[{"disk": {"plugin_data": {"keys_path": "/run/spire/data/keys.json"}}}]"""))
                  c

              expectAt
                  "health_checks"
                  (Some(
                      json
                          """{"bind_address": "0.0.0.0", "bind_port": "8080", "listener_enabled": true,
                              "live_path": "/live", "ready_path": "/ready"}"""
                  ))
                  c

              expectAt "telemetry" (Some(json """{"Prometheus": {"host": "0.0.0.0", "port": "9402"}}""")) c
          }
          test "printed as Go's MarshalIndent: two spaces, sorted keys, no trailing newline" {
              let text = serverConfText baseInput
              Expect.stringStarts text "{\n  \"health_checks\": {\n    \"bind_address\": \"0.0.0.0\"," "start"
              Expect.stringEnds text "\n  }\n}" "end"
          }
          test "<, > and & are escaped as Go escapes them" {
              let text =
                  serverConfText (server "spec.caSubject.organization" (str "A&B <Labs>") baseInput)

              Expect.stringContains text "\"A\\u0026B \\u003cLabs\\u003e\"" "organization"
          }
          confLands "logLevel" (server "spec.logLevel" (str "debug")) "server.log_level" (Some(str "debug"))
          confLands "logFormat" (server "spec.logFormat" (str "json")) "server.log_format" (Some(str "json"))
          confLands
              "jwtIssuer verbatim"
              (server "spec.jwtIssuer" (str "https://oidc.example.org/tenant-a/"))
              "server.jwt_issuer"
              (Some(str "https://oidc.example.org/tenant-a/"))
          confLands
              "caValidity as a Go duration"
              (server "spec.caValidity" (str "48h"))
              "server.ca_ttl"
              (Some(str "48h0m0s"))
          confLands
              "defaultX509Validity as a Go duration"
              (server "spec.defaultX509Validity" (str "90m"))
              "server.default_x509_svid_ttl"
              (Some(str "1h30m0s"))
          confLands
              "defaultJWTValidity as a Go duration"
              (server "spec.defaultJWTValidity" (str "90s"))
              "server.default_jwt_svid_ttl"
              (Some(str "1m30s"))
          confLands "caKeyType" (server "spec.caKeyType" (str "ec-p256")) "server.ca_key_type" (Some(str "ec-p256"))
          confLands "jwtKeyType" (server "spec.jwtKeyType" (str "ec-p384")) "server.jwt_key_type" (Some(str "ec-p384"))
          confLands
              "caSubject"
              (serverJson "spec.caSubject" """{"country": "DE", "organization": "Acme", "commonName": "Acme CA"}""")
              "server.ca_subject"
              (Some(json """[{"common_name": "Acme CA", "country": ["DE"], "organization": ["Acme"]}]"""))
          confLands
              "keyManager memoryEnabled keeps keys in memory"
              (serverJson "spec.keyManager" """{"memoryEnabled": "true"}""")
              "plugins.KeyManager"
              (Some(json """[{"memory": {"plugin_data": null}}]"""))
          confLands
              "keyManager memoryEnabled wins over diskEnabled (SPIRE loads one KeyManager)"
              (serverJson "spec.keyManager" """{"memoryEnabled": "true", "diskEnabled": "true"}""")
              "plugins.KeyManager"
              (Some(json """[{"memory": {"plugin_data": null}}]"""))
          confLands
              "keyManager diskEnabled keeps keys on disk"
              (serverJson "spec.keyManager" """{"diskEnabled": "true", "memoryEnabled": "false"}""")
              "plugins.KeyManager"
              (Some(json """[{"disk": {"plugin_data": {"keys_path": "/run/spire/data/keys.json"}}}]"""))
          confLands
              "keyManager with both disabled falls back to disk"
              (serverJson "spec.keyManager" """{"diskEnabled": "false", "memoryEnabled": "false"}""")
              "plugins.KeyManager"
              (Some(json """[{"disk": {"plugin_data": {"keys_path": "/run/spire/data/keys.json"}}}]"""))
          confLands
              "datastore"
              (serverJson
                  "spec.datastore"
                  """{"databaseType": "postgres", "connectionString": "dbname=spire host=db", "maxOpenConns": 50,
                      "maxIdleConns": 0, "connMaxLifetime": 3600, "disableMigration": "true", "tlsSecretName": "db-tls"}""")
              "plugins.DataStore[0].sql.plugin_data"
              (Some(
                  json
                      """{"connection_string": "dbname=spire host=db", "database_type": "postgres", "max_open_conns": 50,
                          "conn_max_lifetime": "3600s", "disable_migration": true}"""
              ))
          confLands
              "ZTWIM trustDomain"
              (ztwim "spec.trustDomain" (str "prod.example.com"))
              "server.trust_domain"
              (Some(str "prod.example.com"))
          test "ZTWIM clusterName names the PSAT cluster" {
              let c = serverConf (ztwim "spec.clusterName" (str "east") baseInput)

              Expect.equal
                  (c |> field [ "plugins"; "NodeAttestor" ])
                  (Some(
                      json
                          """[{"k8s_psat": {"plugin_data": {"clusters": [{"east": {"allowed_node_label_keys": [],
                              "allowed_pod_label_keys": [], "audience": ["spire-server"],
                              "service_account_allow_list": ["zero-trust-workload-identity-manager:spire-agent"]}}]}}}]"""
                  ))
                  "NodeAttestor"
          }
          confLands
              "ZTWIM bundleConfigMap and the namespace feed the k8sbundle notifier"
              (ztwim "spec.bundleConfigMap" (str "my-bundle")
               >> mode (fun m -> { m with Namespace = "spire" }))
              "plugins.Notifier[0].k8sbundle.plugin_data"
              (Some(json """{"config_map": "my-bundle", "namespace": "spire"}"""))
          confLands
              "the namespace names the agents' service account"
              (mode (fun m -> { m with Namespace = "spire" }))
              "plugins.NodeAttestor[0].k8s_psat.plugin_data.clusters[0].demo.service_account_allow_list"
              (Some(strs [ "spire:spire-agent" ]))
          confLands
              "federation https_spiffe"
              (serverJson "spec.federation.bundleEndpoint" """{"profile": "https_spiffe", "refreshHint": 600}""")
              "server.federation"
              (Some(
                  json
                      """{"bundle_endpoint": {"address": "0.0.0.0", "port": 8443, "refresh_hint": "600s",
                          "profile": {"https_spiffe": {}}}}"""
              ))
          confLands
              "federation refreshHint defaults to 300s"
              (serverJson "spec.federation.bundleEndpoint" """{"profile": "https_spiffe"}""")
              "server.federation.bundle_endpoint.refresh_hint"
              (Some(str "300s"))
          confLands
              "federation https_web with ACME"
              (serverJson "spec.federation.bundleEndpoint" acme)
              "server.federation.bundle_endpoint.profile"
              (Some(
                  json
                      """{"https_web": {"acme": {"directory_url": "https://acme.example/directory",
                          "domain_name": "federation.example.org", "email": "admin@example.org", "tos_accepted": true}}}"""
              ))
          confLands
              "federation https_web with servingCert"
              (serverJson "spec.federation.bundleEndpoint" servingCert)
              "server.federation.bundle_endpoint.profile"
              (Some(
                  json
                      """{"https_web": {"serving_cert_file": {"cert_file_path": "/run/spire/server-tls/tls.crt",
                          "key_file_path": "/run/spire/server-tls/tls.key", "file_sync_interval": "7200s"}}}"""
              ))
          confLands
              "federation servingCert fileSyncInterval defaults to 86400s (the CRD default)"
              (serverJson
                  "spec.federation.bundleEndpoint"
                  """{"profile": "https_web", "httpsWeb": {"servingCert": {}}}""")
              "server.federation.bundle_endpoint.profile.https_web.serving_cert_file.file_sync_interval"
              (Some(str "86400s"))
          test "federatesWith peers, keyed by trust domain" {
              let c =
                  serverConf (
                      baseInput
                      |> serverJson "spec.federation.bundleEndpoint" """{"profile": "https_spiffe"}"""
                      |> serverJson "spec.federation.federatesWith" peers
                  )

              Expect.equal
                  (c |> field [ "server"; "federation"; "federates_with" ])
                  (Some(
                      json
                          """{"peer.org": {"bundle_endpoint_url": "https://federation.peer.org",
                                "bundle_endpoint_profile": {"https_spiffe": {"endpoint_spiffe_id": "spiffe://peer.org/spire/server"}}},
                              "web.org": {"bundle_endpoint_url": "https://web.org/bundle",
                                "bundle_endpoint_profile": {"https_web": {}}}}"""
                  ))
                  "federates_with"
          }
          confLands
              "no federates_with without peers"
              (serverJson "spec.federation.bundleEndpoint" """{"profile": "https_spiffe"}""")
              "server.federation.federates_with"
              None ]

let private yamlLines (i: Input) =
    (controllerManagerYaml i).Split('\n') |> List.ofArray

let private controllerManagerSpecs =
    testList
        "controller-manager-config.yaml"
        [ test "the minimal CRs, as sigs.k8s.io/yaml prints upstream's struct" {
              Expect.equal
                  (controllerManagerYaml baseInput)
                  ("apiVersion: spire.spiffe.io/v1alpha1\nclassName: zero-trust-workload-identity-manager-spire\n"
                   + "clusterDomain: \"\"\nclusterName: demo\nentryIDPrefix: demo\nexpandEnvStaticManifests: false\n"
                   + "gcInterval: 0\nhealth:\n  healthProbeBindAddress: 0.0.0.0:8083\nignoreNamespaces:\n- kube-system\n"
                   + "- kube-public\n- local-path-storage\n- openshift-*\nkind: ControllerManagerConfig\n"
                   + "logEncoding: \"\"\nlogLevel: \"\"\nmetadata:\n  labels:\n"
                   + "    app.kubernetes.io/component: control-plane\n"
                   + "    app.kubernetes.io/instance: cluster-zero-trust-workload-identity-manager\n"
                   + "    app.kubernetes.io/managed-by: zero-trust-workload-identity-manager\n"
                   + "    app.kubernetes.io/name: spire-controller-manager\n"
                   + "    app.kubernetes.io/part-of: zero-trust-workload-identity-manager\n"
                   + "    app.kubernetes.io/version: 0.6.4\n  name: spire-controller-manager\n"
                   + "  namespace: zero-trust-workload-identity-manager\nmetrics:\n  bindAddress: 0.0.0.0:8082\n"
                   + "parentIDTemplate: spiffe://{{ .TrustDomain }}/spire/agent/k8s_psat/{{ .ClusterName\n"
                   + "  }}/{{ .NodeMeta.UID }}\nreconcile:\n  clusterFederatedTrustDomains: true\n"
                   + "  clusterSPIFFEIDs: true\n  clusterStaticEntries: true\n"
                   + "spireServerSocketPath: /tmp/spire-server/private/api.sock\ntrustDomain: example.org\n"
                   + "validatingWebhookConfigurationName: spire-controller-manager-webhook\nwebhook: {}\n")
                  "yaml"
          }
          test "trust domain, cluster name and namespace land" {
              let lines =
                  baseInput
                  |> ztwim "spec.trustDomain" (str "prod.example.com")
                  |> ztwim "spec.clusterName" (str "east")
                  |> mode (fun m -> { m with Namespace = "spire" })
                  |> yamlLines

              Expect.contains lines "trustDomain: prod.example.com" "trustDomain"
              Expect.contains lines "clusterName: east" "clusterName"
              Expect.contains lines "entryIDPrefix: east" "entryIDPrefix"
              Expect.contains lines "  namespace: spire" "namespace"
          }
          test "the CR's labels are in the config's metadata (not on its ConfigMap), quoted where YAML needs it" {
              let i =
                  serverJson
                      "spec.labels"
                      """{"team": "identity", "zz-flag": "true", "release": "2024-01-01"}"""
                      baseInput

              let lines = yamlLines i
              Expect.contains lines "    team: identity" "team"
              Expect.contains lines "    zz-flag: \"true\"" "a boolean-looking value is quoted"
              Expect.contains lines "    release: \"2024-01-01\"" "a date-looking value is quoted"

              Expect.equal
                  (object "ConfigMap" "spire-controller-manager" i
                   |> field [ "metadata"; "labels"; "team" ])
                  None
                  "ConfigMap labels"
          }
          test "the CR's labels never override the standard ones" {
              let lines =
                  yamlLines (serverJson "spec.labels" """{"app.kubernetes.io/name": "mine"}""" baseInput)

              Expect.contains lines "    app.kubernetes.io/name: spire-controller-manager" "name"
          } ]

let private hashSpecs =
    testList
        "config hashes"
        [ test "the pod template carries the hashes of the rendered configs" {
              let annotations =
                  object "StatefulSet" "spire-server" baseInput
                  |> at "spec.template.metadata.annotations"

              Expect.equal
                  annotations
                  (Some(
                      Json.obj
                          [ "kubectl.kubernetes.io/default-container", str "spire-server"
                            "ztwim.openshift.io/spire-server-config-hash", str (Hash.ofText (serverConfText baseInput))
                            "ztwim.openshift.io/spire-controller-manager-config-hash",
                            str (Hash.ofText (controllerManagerYaml baseInput)) ]
                  ))
                  "annotations"
          }
          test "a server.conf change changes only the server hash" {
              let hashes (i: Input) =
                  let a =
                      object "StatefulSet" "spire-server" i |> at "spec.template.metadata.annotations"

                  a |> Option.bind (field [ "ztwim.openshift.io/spire-server-config-hash" ]),
                  a
                  |> Option.bind (field [ "ztwim.openshift.io/spire-controller-manager-config-hash" ])

              let s0, c0 = hashes baseInput
              let s1, c1 = hashes (server "spec.logLevel" (str "debug") baseInput)
              Expect.notEqual s1 s0 "server hash"
              Expect.equal c1 c0 "controller-manager hash"
          } ]

[<Tests>]
let tests =
    testList "render SpireServer configs" [ serverConfSpecs; controllerManagerSpecs; hashSpecs ]
