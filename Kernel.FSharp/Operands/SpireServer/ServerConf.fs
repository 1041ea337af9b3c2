/// server.conf (ConfigMap spire-server): the SPIRE server's configuration, as Go's json.MarshalIndent prints
/// upstream's map, so that its hash, and so the pod, stays the same when ztwim takes over.
[<RequireQualifiedAccess>]
module Ztwim.Kernel.Operands.Server.ServerConf

open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Render

let configKey = "server.conf"
let dataDir = "/run/spire/data"
let keysPath = "/run/spire/data/keys.json"

/// Where the StatefulSet mounts the federation serving certificate.
let servingCertDir = "/run/spire/server-tls"

let private str = Json.String
let private seconds (n: int64) = Json.String(sprintf "%ds" n)

let private plugin (name: string) (data: Json) =
    Json.Array [ Json.obj [ name, Json.obj [ "plugin_data", data ] ] ]

let private datastore (d: Datastore) =
    Json.objOpt
        [ "connection_string", Some(str d.ConnectionString)
          "database_type", Some(str (Scalars.spell SpireServerSpec.databaseTypes d.DatabaseType))
          "max_open_conns",
          (if d.MaxOpenConns > 0L then
               Some(Json.Number(decimal d.MaxOpenConns))
           else
               None)
          "max_idle_conns",
          (if d.MaxIdleConns > 0L then
               Some(Json.Number(decimal d.MaxIdleConns))
           else
               None)
          // Upstream writes it whenever the string is set, which the CRD default ("false") always makes it.
          "disable_migration", Some(Json.Bool d.DisableMigration)
          "conn_max_lifetime",
          (if d.ConnMaxLifetime > 0L then
               Some(seconds d.ConnMaxLifetime)
           else
               None) ]

// Upstream ignores spec.keyManager and always keeps keys on disk; ztwim honours it. SPIRE loads exactly one
// KeyManager, so an explicit memoryEnabled "true" wins (diskEnabled defaults to "true"), and with both
// disabled the keys stay on disk.
let private keyManager (k: KeyManager option) =
    match k with
    | Some k when k.MemoryEnabled -> plugin "memory" Json.Null
    | _ -> plugin "disk" (Json.obj [ "keys_path", str keysPath ])

let private bundleEndpointProfile (e: BundleEndpoint) =
    match e.Profile, e.HttpsWeb with
    | HttpsSpiffe, _ -> Json.obj [ "https_spiffe", Json.obj [] ]
    | HttpsWeb, Some(Acme a) ->
        Json.obj
            [ "https_web",
              Json.obj
                  [ "acme",
                    Json.obj
                        [ "directory_url", str a.DirectoryUrl
                          "domain_name", str a.DomainName
                          "email", str a.Email
                          "tos_accepted", Json.Bool a.TosAccepted ] ] ]
    | HttpsWeb, Some(ServingCert c) ->
        Json.obj
            [ "https_web",
              Json.obj
                  [ "serving_cert_file",
                    Json.obj
                        [ "cert_file_path", str (servingCertDir + "/tls.crt")
                          "key_file_path", str (servingCertDir + "/tls.key")
                          "file_sync_interval",
                          seconds (
                              if c.FileSyncInterval = 0L then
                                  3600L
                              else
                                  c.FileSyncInterval
                          ) ] ] ]
    | HttpsWeb, None -> Json.obj [ "https_web", Json.obj [] ]

let private peer (p: FederatedTrustDomain) =
    let profile =
        match p.BundleEndpointProfile with
        | HttpsSpiffe ->
            Json.obj
                [ "https_spiffe", Json.obj [ "endpoint_spiffe_id", str (p.EndpointSpiffeId |> Option.defaultValue "") ] ]
        | HttpsWeb -> Json.obj [ "https_web", Json.obj [] ]

    p.TrustDomain,
    Json.obj
        [ "bundle_endpoint_url", str p.BundleEndpointUrl
          "bundle_endpoint_profile", profile ]

let private federation (f: Federation) =
    let e = f.BundleEndpoint

    Json.objOpt
        [ "bundle_endpoint",
          Some(
              Json.obj
                  [ "address", str "0.0.0.0"
                    "port", Json.num 8443
                    "refresh_hint", seconds (if e.RefreshHint = 0L then 300L else e.RefreshHint)
                    "profile", bundleEndpointProfile e ]
          )
          // A map keyed by trust domain: a duplicate keeps the last entry, as upstream's Go map does.
          "federates_with",
          (if f.FederatesWith.IsEmpty then
               None
           else
               Some(Json.obj (f.FederatesWith |> List.map peer))) ]

let private caSubject (c: CaSubject) =
    let text (v: string option) = v |> Option.defaultValue ""

    Json.Array
        [ Json.obj
              [ "common_name", str (text c.CommonName)
                "country", Scope.strings [ text c.Country ]
                "organization", Scope.strings [ text c.Organization ] ] ]

let private server (s: Scope) =
    let spec = s.Spec

    Json.objOpt
        [ "audit_log_enabled", Some(Json.Bool false)
          "bind_address", Some(str "0.0.0.0")
          "bind_port", Some(str "8081")
          "ca_key_type", Some(str (Scalars.spell Scalars.keyTypes spec.CaKeyType))
          "ca_subject", Some(caSubject spec.CaSubject)
          "ca_ttl", Some(str (Duration.goString spec.CaValidity))
          "default_x509_svid_ttl", Some(str (Duration.goString spec.DefaultX509Validity))
          "default_jwt_svid_ttl", Some(str (Duration.goString spec.DefaultJWTValidity))
          "data_dir", Some(str dataDir)
          "jwt_issuer", Some(str spec.JwtIssuer)
          "jwt_key_type", spec.JwtKeyType |> Option.map (Scalars.spell Scalars.keyTypes >> str)
          "log_level", Some(str (Scalars.spell Scalars.logLevels spec.LogLevel))
          "log_format", Some(str (Scalars.spell Scalars.logFormats spec.LogFormat))
          "trust_domain", Some(str s.Ztwim.TrustDomain)
          "federation", spec.Federation |> Option.map federation ]

/// The server.conf value: health checks, plugins, server and telemetry.
let json (s: Scope) =
    let ns = s.Mode.Namespace

    Json.obj
        [ "health_checks",
          Json.obj
              [ "bind_address", str "0.0.0.0"
                "bind_port", str "8080"
                "listener_enabled", Json.Bool true
                "live_path", str "/live"
                "ready_path", str "/ready" ]
          "plugins",
          Json.obj
              [ "DataStore", plugin "sql" (datastore s.Spec.Datastore)
                "KeyManager", keyManager s.Spec.KeyManager
                "NodeAttestor",
                plugin
                    "k8s_psat"
                    (Json.obj
                        [ "clusters",
                          Json.Array
                              [ Json.obj
                                    [ s.Ztwim.ClusterName,
                                      Json.obj
                                          [ "allowed_node_label_keys", Json.Array []
                                            "allowed_pod_label_keys", Json.Array []
                                            "audience", Scope.strings [ "spire-server" ]
                                            "service_account_allow_list", Scope.strings [ ns + ":spire-agent" ] ] ] ] ])
                "Notifier",
                plugin "k8sbundle" (Json.obj [ "config_map", str s.Ztwim.BundleConfigMap; "namespace", str ns ]) ]
          "server", server s
          "telemetry", Json.obj [ "Prometheus", Json.obj [ "host", str "0.0.0.0"; "port", str "9402" ] ] ]

/// server.conf as upstream writes it (json.MarshalIndent, two spaces, no trailing newline).
let text (s: Scope) = JsonText.indented (json s)

/// The federation profile as recorded in applied-federationProfile.
let federationProfile (f: Federation) =
    match f.BundleEndpoint.Profile, f.BundleEndpoint.HttpsWeb with
    | HttpsSpiffe, _ -> "https_spiffe"
    | HttpsWeb, Some(Acme _) -> "https_web/acme"
    | HttpsWeb, Some(ServingCert _) -> "https_web/servingCert"
    | HttpsWeb, None -> "https_web"

/// The immutable values server.conf embodies: trust domain, cluster name, bundle ConfigMap and federation
/// profile, as applied-* annotations (the ConfigMap and the StatefulSet record them).
let applied (s: Scope) =
    [ Manifest.applied "trustDomain", s.Ztwim.TrustDomain
      Manifest.applied "clusterName", s.Ztwim.ClusterName
      Manifest.applied "bundleConfigMap", s.Ztwim.BundleConfigMap ]
    @ (s.Spec.Federation
       |> Option.map (fun f -> Manifest.applied "federationProfile", federationProfile f)
       |> Option.toList)
    |> Map.ofList

/// ConfigMap spire-server, recording the `applied` values for the kernel to read back.
let configMap (s: Scope) (conf: string) =
    let annotations = applied s

    Scope.namespaced
        s
        "v1"
        "ConfigMap"
        Scope.serverName
        (Scope.serverLabels s)
        annotations
        [ "data", Json.obj [ configKey, Json.String conf ] ]
