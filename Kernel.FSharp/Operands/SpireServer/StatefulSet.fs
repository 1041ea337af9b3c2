/// StatefulSet spire-server: one pod with the SPIRE server and its controller manager, the data volume from a
/// claim template, and the config hashes on the pod template so that a config change rolls the pod.
[<RequireQualifiedAccess>]
module Ztwim.Kernel.Operands.Server.StatefulSet

open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Render

let serverConfigHash = "ztwim.openshift.io/spire-server-config-hash"

let controllerManagerConfigHash =
    "ztwim.openshift.io/spire-controller-manager-config-hash"

let dataVolume = "spire-data"

let private str = Json.String

let private mount (name: string) (path: string) (readOnly: bool) =
    Json.objOpt
        [ "name", Some(str name)
          "mountPath", Some(str path)
          "readOnly", (if readOnly then Some(Json.Bool true) else None) ]

let private emptyDir (name: string) =
    Json.obj [ "name", str name; "emptyDir", Json.obj [] ]

let private configMapVolume (name: string) (configMap: string) =
    Json.obj [ "name", str name; "configMap", Json.obj [ "name", str configMap ] ]

let private secretVolume (name: string) (secret: string) =
    Json.obj [ "name", str name; "secret", Json.obj [ "secretName", str secret ] ]

let private port (name: string) (number: int) (protocol: bool) =
    Json.objOpt
        [ "name", Some(str name)
          "containerPort", Some(Json.num number)
          "protocol", (if protocol then Some(str "TCP") else None) ]

let private httpGet (path: string) (port: string) (timings: (string * int) list) =
    Json.obj (
        ("httpGet", Json.obj [ "path", str path; "port", str port ])
        :: (timings |> List.map (fun (k, v) -> k, Json.num v))
    )

let private env (name: string) (value: string) =
    Json.obj [ "name", str name; "value", str value ]

let private resources (s: Scope) =
    s.Spec.Common.Resources
    |> Option.map ResourceRequirements.print
    |> Option.defaultValue (Json.obj [])

let private serverContainer (s: Scope) =
    let tls = s.Spec.Datastore.TlsSecretName

    Json.obj
        [ "name", str Scope.serverName
          "image", str s.Mode.Images.SpireServer
          "imagePullPolicy", str "IfNotPresent"
          "args", Scope.strings [ "-expandEnv"; "-config"; "/run/spire/config/" + ServerConf.configKey ]
          "env", Json.Array [ env "PATH" "/opt/spire/bin:/bin" ]
          "ports",
          Json.Array(
              [ port "grpc" 8081 true; port "server-healthz" 8080 true ]
              @ (if s.Spec.Federation.IsSome then
                     [ port "federation" 8443 true ]
                 else
                     [])
          )
          "livenessProbe",
          httpGet
              "/live"
              "server-healthz"
              [ "initialDelaySeconds", 15
                "periodSeconds", 60
                "timeoutSeconds", 3
                "failureThreshold", 2 ]
          "readinessProbe", httpGet "/ready" "server-healthz" [ "initialDelaySeconds", 5; "periodSeconds", 5 ]
          "securityContext", Json.obj [ "readOnlyRootFilesystem", Json.Bool true ]
          "resources", resources s
          "volumeMounts",
          Json.Array(
              [ mount "spire-server-socket" "/tmp/spire-server/private" false
                mount "spire-config" "/run/spire/config" true
                mount dataVolume ServerConf.dataDir false
                mount "server-tmp" "/tmp" false ]
              // Upstream mounts the database certificates writable.
              @ (tls
                 |> Option.map (fun _ -> mount "db-certs" "/run/spire/db/certs" false)
                 |> Option.toList)
          ) ]

let private controllerManagerContainer (s: Scope) =
    Json.obj
        [ "name", str Scope.controllerManagerName
          "image", str s.Mode.Images.SpireControllerManager
          "imagePullPolicy", str "IfNotPresent"
          "args", Scope.strings [ "--config=" + ControllerManagerConf.configKey ]
          "env", Json.Array [ env "ENABLE_WEBHOOKS" "true" ]
          "ports", Json.Array [ port "https" 9443 false; port "ctrlmgr-healthz" 8083 false ]
          "livenessProbe", httpGet "/healthz" "ctrlmgr-healthz" []
          "readinessProbe", httpGet "/readyz" "ctrlmgr-healthz" []
          "securityContext", Json.obj [ "readOnlyRootFilesystem", Json.Bool true ]
          "resources", resources s
          "volumeMounts",
          Json.Array
              [ mount "spire-server-socket" "/tmp/spire-server/private" true
                Json.obj
                    [ "name", str "controller-manager-config"
                      "mountPath", str ("/" + ControllerManagerConf.configKey)
                      "subPath", str ControllerManagerConf.configKey
                      "readOnly", Json.Bool true ]
                Json.obj
                    [ "name", str "spire-controller-manager-tmp"
                      "mountPath", str "/tmp"
                      "subPath", str Scope.controllerManagerName ] ] ]

let private setMember (name: string) (value: Json) (json: Json) =
    match json with
    | Json.Object m -> Json.Object(Map.add name value m)
    | other -> other

let private append (name: string) (item: Json) (json: Json) =
    match Json.tryField name json with
    | Some(Json.Array xs) -> setMember name (Json.Array(xs @ [ item ])) json
    | _ -> setMember name (Json.Array [ item ]) json

// The federation serving certificate goes in after the proxy and CA bundle pass, as upstream orders it.
let private withServingCert (s: Scope) (podSpec: Json) =
    match Scope.servingCert s, Json.tryField "containers" podSpec with
    | Some _, Some(Json.Array(server :: rest)) ->
        let server =
            append "volumeMounts" (mount "spire-server-tls" ServerConf.servingCertDir true) server

        podSpec
        |> setMember "containers" (Json.Array(server :: rest))
        |> append "volumes" (secretVolume "spire-server-tls" Scope.servingCertSecret)
    | _ -> podSpec

let private podSpec (s: Scope) =
    let common = s.Spec.Common

    Json.objOpt (

        [ "serviceAccountName", Some(str Scope.serverName)
          "containers", Some(Json.Array [ serverContainer s; controllerManagerContainer s ])
          "volumes",
          Some(
              Json.Array(
                  [ emptyDir "server-tmp"
                    configMapVolume "spire-config" Scope.serverName
                    emptyDir "spire-server-socket"
                    emptyDir "spire-controller-manager-tmp"
                    configMapVolume "controller-manager-config" Scope.controllerManagerName ]
                  @ (s.Spec.Datastore.TlsSecretName
                     |> Option.map (secretVolume "db-certs")
                     |> Option.toList)
              )
          ) ]
        @ PodScheduling.members common
    )
    |> ProxyInjection.apply s.Mode []
    |> withServingCert s

/// The persistence settings as recorded in applied-persistence (compact JSON, sorted keys).
let appliedPersistence (p: Persistence) =
    JsonText.compact (
        Json.obj
            [ "size", str p.Size
              "accessMode", str (Scalars.spell SpireServerSpec.accessModes p.AccessMode)
              "storageClass", str p.StorageClass ]
    )

let private claimTemplate (p: Persistence) =
    Json.obj
        [ "metadata", Json.obj [ "name", str dataVolume ]
          "spec",
          Json.objOpt
              [ "accessModes", Some(Scope.strings [ Scalars.spell SpireServerSpec.accessModes p.AccessMode ])
                "resources", Some(Json.obj [ "requests", Json.obj [ "storage", str p.Size ] ])
                "storageClassName",
                (if p.StorageClass = "" then
                     None
                 else
                     Some(str p.StorageClass)) ]
          "status", Json.obj [] ]

/// StatefulSet spire-server, with the hashes of the two rendered configs on its pod template. It embodies
/// the immutable persistence settings, recorded in applied-persistence on its own metadata, and runs
/// server.conf, whose applied values it records too.
let render (s: Scope) (serverConf: string) (controllerManagerConf: string) =
    let labels = Scope.serverLabels s

    Scope.namespaced
        s
        "apps/v1"
        "StatefulSet"
        Scope.serverName
        labels
        (ServerConf.applied s
         |> Map.add (Manifest.applied "persistence") (appliedPersistence s.Spec.Persistence))
        [ "spec",
          Json.obj
              [ "replicas", Json.num 1
                "serviceName", str Scope.serverName
                "selector", Json.obj [ "matchLabels", Scope.stringMap Scope.serverSelector ]
                "template",
                Json.obj
                    [ "metadata",
                      Json.obj
                          [ "labels", Scope.stringMap labels
                            "annotations",
                            Scope.stringMap (
                                Map.ofList
                                    [ "kubectl.kubernetes.io/default-container", Scope.serverName
                                      serverConfigHash, Hash.ofText serverConf
                                      controllerManagerConfigHash, Hash.ofText controllerManagerConf ]
                            ) ]
                      "spec", podSpec s ]
                "volumeClaimTemplates", Json.Array [ claimTemplate s.Spec.Persistence ]
                // Upstream's struct marshals an empty update strategy; the API server fills it in.
                "updateStrategy", Json.obj [] ] ]
