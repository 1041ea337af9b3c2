namespace Ztwim.Kernel.Operands.Oidc

open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Render

/// What the provider's config is made of.
type DiscoveryConfigInput =
    { Namespace: string
      TrustDomain: string
      JwtIssuer: string
      LogLevel: LogLevel
      LogFormat: LogFormat }

/// oidc-discovery-provider.conf and its ConfigMap, byte for byte as upstream renders them so that the
/// config hash, and with it the pods, stay the same when ztwim takes a cluster over.
[<RequireQualifiedAccess>]
module DiscoveryConfig =

    /// Where the workload API socket of the CSI volume appears in the pod.
    let workloadApiDir = "/spiffe-workload-api"

    /// Where the serving certificate secret is mounted.
    let tlsDir = "/etc/oidc/tls"

    /// The health port; SPIRE reads it as a string here.
    let healthPort = 8008

    /// The HTTPS port the provider listens on.
    let httpsPort = 8443

    /// The names the provider answers to: its Service's names, then the issuer's host and path.
    let domains (input: DiscoveryConfigInput) =
        [ Provider.name
          sprintf "%s.%s" Provider.name input.Namespace
          sprintf "%s.%s.svc.cluster.local" Provider.name input.Namespace
          Issuer.domain input.JwtIssuer ]

    /// The config as Go's json.MarshalIndent prints upstream's map.
    let text (input: DiscoveryConfigInput) =
        Json.obj
            [ "domains", Json.Array(domains input |> List.map Json.String)
              "health_checks",
              Provider.strings [ "bind_port", string healthPort; "live_path", "/live"; "ready_path", "/ready" ]
              "log_level", Json.String(Scalars.spell Scalars.logLevels input.LogLevel)
              "log_format", Json.String(Scalars.spell Scalars.logFormats input.LogFormat)
              "serving_cert_file",
              Provider.strings
                  [ "addr", sprintf ":%d" httpsPort
                    "cert_file_path", tlsDir + "/tls.crt"
                    "key_file_path", tlsDir + "/tls.key" ]
              "workload_api",
              Provider.strings
                  [ "socket_path", workloadApiDir + "/spire-agent.sock"
                    "trust_domain", input.TrustDomain ] ]
        |> JsonText.indented

    /// The ConfigMap's data.
    let data (input: DiscoveryConfigInput) =
        Map.ofList [ Provider.configKey, text input ]

    /// The pod template's config-hash annotation value: upstream hashes the ConfigMap data as a map.
    let hash (input: DiscoveryConfigInput) = Hash.ofMap (data input)

    /// The immutable value the config embodies, recorded on the ConfigMap and on the Deployment that reads it.
    let applied (input: DiscoveryConfigInput) =
        Map.ofList [ Manifest.applied "trustDomain", input.TrustDomain ]

    /// The ConfigMap; it records the trust domain it was rendered for.
    let render (input: DiscoveryConfigInput) (p: Placement) =
        Provider.namespaced "v1" "ConfigMap" Provider.name (applied input) [ "data", Provider.stringMap (data input) ] p
