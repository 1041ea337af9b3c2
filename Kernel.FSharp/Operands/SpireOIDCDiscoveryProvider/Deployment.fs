namespace Ztwim.Kernel.Operands.Oidc

open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Render

/// What the provider's Deployment is made of.
type DeploymentInput =
    {
        Replicas: int64
        Image: string
        /// The CSI driver that mounts the SPIFFE workload API socket into the pods.
        CsiDriverName: string
        /// The config hash: a change rolls the pods so that they read the new config.
        ConfigHash: string
        /// The immutable values the config embodies (DiscoveryConfig.applied), recorded on the Deployment too.
        Applied: Map<string, string>
        Common: CommonConfig
    }

/// Deployment spire-spiffe-oidc-discovery-provider: the provider pods, with the operator's proxy and
/// trusted CA bundle injected as upstream does.
[<RequireQualifiedAccess>]
module Deployment =

    /// The provider container.
    let containerName = "spiffe-oidc-discovery-provider"

    /// The pod template annotation that carries the config hash, spelled as upstream.
    let configHashAnnotation =
        Manifest.annotationPrefix + "spire-oidc-discovery-provider-config-hash"

    let private configDir = "/run/spire/oidc/config"

    let private probe (path: string) =
        Json.obj
            [ "httpGet", Provider.strings [ "path", path; "port", "healthz"; "scheme", "HTTP" ]
              "initialDelaySeconds", Json.num 5
              "periodSeconds", Json.num 5 ]

    let private port (name: string) (number: int) =
        Json.obj
            [ "name", Json.String name
              "containerPort", Json.num number
              "protocol", Json.String "TCP" ]

    let private mount (name: string) (path: string) (readOnly: bool) (subPath: string option) =
        Json.objOpt
            [ "name", Some(Json.String name)
              "mountPath", Some(Json.String path)
              "readOnly", (if readOnly then Some(Json.Bool true) else None)
              "subPath", subPath |> Option.map Json.String ]

    let private container (input: DeploymentInput) =
        Json.obj
            [ "name", Json.String containerName
              "image", Json.String input.Image
              "imagePullPolicy", Json.String "IfNotPresent"
              "args", Json.Array [ Json.String "-config"; Json.String(configDir + "/" + Provider.configKey) ]
              "ports",
              Json.Array
                  [ port "healthz" DiscoveryConfig.healthPort
                    port Provider.httpsPortName DiscoveryConfig.httpsPort ]
              "readinessProbe", probe "/ready"
              "livenessProbe", probe "/live"
              "securityContext", Json.obj [ "readOnlyRootFilesystem", Json.Bool true ]
              "resources",
              input.Common.Resources
              |> Option.map ResourceRequirements.print
              |> Option.defaultValue (Json.obj [])
              "volumeMounts",
              Json.Array
                  [ mount "spiffe-workload-api" DiscoveryConfig.workloadApiDir true None
                    mount "spire-oidc-sockets" "/run/spire/oidc-sockets" false None
                    mount "spire-oidc-config" (configDir + "/" + Provider.configKey) true (Some Provider.configKey)
                    mount "tls-certs" DiscoveryConfig.tlsDir true None ] ]

    let private volumes (input: DeploymentInput) =
        Json.Array
            [ Json.obj
                  [ "name", Json.String "spiffe-workload-api"
                    "csi", Json.obj [ "driver", Json.String input.CsiDriverName; "readOnly", Json.Bool true ] ]
              Json.obj [ "name", Json.String "spire-oidc-sockets"; "emptyDir", Json.obj [] ]
              Json.obj
                  [ "name", Json.String "spire-oidc-config"
                    "configMap", Provider.strings [ "name", Provider.name ] ]
              Json.obj
                  [ "name", Json.String "tls-certs"
                    "secret", Provider.strings [ "secretName", Provider.servingCertSecret ] ] ]

    // Empty node selectors and tolerations are left out, as Go's omitempty leaves them out upstream.
    let private podSpec (input: DeploymentInput) =
        let c = input.Common

        Json.objOpt (

            [ "serviceAccountName", Some(Json.String Provider.name)
              "containers", Some(Json.Array [ container input ])
              "volumes", Some(volumes input) ]
            @ PodScheduling.members c
        )

    /// The Deployment, its pod spec carrying the operator's proxy settings and trusted CA bundle.
    let render (mode: Mode) (input: DeploymentInput) (p: Placement) =
        Provider.namespaced
            "apps/v1"
            "Deployment"
            Provider.name
            input.Applied
            [ "spec",
              Json.obj
                  [ "replicas", Json.Number(decimal (max 1L input.Replicas))
                    "selector", Json.obj [ "matchLabels", Provider.stringMap (Labels.selector Provider.labelComponent) ]
                    "template",
                    Json.obj
                        [ "metadata",
                          Json.obj
                              [ "labels", Provider.stringMap (Provider.labels p)
                                "annotations",
                                Provider.stringMap (Map.ofList [ configHashAnnotation, input.ConfigHash ]) ]
                          "spec", ProxyInjection.apply mode [] (podSpec input) ]
                    // Upstream sends its empty strategy struct; the API server fills in RollingUpdate.
                    "strategy", Json.obj [] ] ]
            p
