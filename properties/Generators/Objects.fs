/// Desired operand objects as the renderers make them: workloads with containers, env, ports, mounts, probes,
/// resources and tolerations; Services, ConfigMaps, RBAC, claims, Routes and disruption budgets, labelled as ours.
module Ztwim.Properties.Generators.Objects

open FsCheck
open FsCheck.FSharp
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Render

let private s = Json.String

/// The component label values of the four operands (and the webhook, a second component of one controller).
let roles = [ "control-plane"; "node-agent"; "csi"; "discovery"; "webhook" ]

/// A quantity in one of its spellings: strings with any suffix, or a bare number.
let quantity =
    Gen.elements
        [ s "500m"
          s "1"
          Json.Number 1m
          Json.Number 0.25m
          s "1Gi"
          s "512Mi"
          s "100M"
          s "2"
          s "1e3"
          s "64Ki"
          s "0.5" ]

let private intOrString (port: int) =
    Gen.elements [ Json.num port; s (string port); s "https"; s "healthz" ]

/// Up to `max` distinct picks from `pool`, in a random order.
let private some (max: int) (pool: 'a list) =
    gen {
        let! picked = Gen.subListOf pool
        let! order = Gen.shuffle picked
        return order |> List.ofArray |> List.truncate max
    }

let private env =
    gen {
        let! names = some 4 [ "HTTPS_PROXY"; "NO_PROXY"; "MY_POD_NAME"; "LOG_LEVEL"; "SSL_CERT_DIR" ]

        let! values =
            names
            |> List.map (fun n ->
                Gen.elements
                    [ Json.obj [ "name", s n; "value", s "http://proxy:3128" ]
                      Json.obj [ "name", s n; "value", s "" ]
                      Json.obj [ "name", s n ]
                      Json.obj
                          [ "name", s n
                            "valueFrom", Json.obj [ "fieldRef", Json.obj [ "fieldPath", s "metadata.name" ] ] ] ])
            |> Gen.sequenceToList

        return Json.arr values
    }

let private ports =
    gen {
        let! picked = some 3 [ 8081, "TCP"; 8443, "TCP"; 53, "UDP"; 9402, "TCP" ]

        let! items =
            picked
            |> List.map (fun (p, protocol) ->
                gen {
                    let! spelled = Gen.elements [ None; Some protocol ]
                    let! name = Gen.elements [ None; Some(s (sprintf "p%d" p)) ]

                    return
                        Json.objOpt
                            [ "containerPort", Some(Json.num p)
                              "protocol", spelled |> Option.map s
                              "name", name ]
                })
            |> Gen.sequenceToList

        return Json.arr items
    }

let private volumeNames =
    [ "spire-config"; "spire-data"; "spire-socket"; "spire-bundle"; "tmp" ]

let private mounts =
    gen {
        let! picked = some 3 [ "/run/spire/config"; "/run/spire/data"; "/run/spire/sockets"; "/tmp" ]

        let! items =
            picked
            |> List.map (fun path ->
                gen {
                    let! volume = Gen.elements volumeNames
                    let! readOnly = Gen.elements [ None; Some(Json.Bool true) ]
                    let! subPath = Gen.elements [ None; Some(s "server.conf") ]

                    return
                        Json.objOpt
                            [ "name", Some(s volume)
                              "mountPath", Some(s path)
                              "readOnly", readOnly
                              "subPath", subPath ]
                })
            |> Gen.sequenceToList

        return Json.arr items
    }

let private resources =
    gen {
        let! cpu = Values.maybe quantity
        let! memory = Values.maybe quantity
        let! requests = Values.maybe quantity
        let! empty = Gen.elements [ false; true ]

        return
            if empty then
                Json.obj []
            else
                Json.objOpt
                    [ "limits", Some(Json.objOpt [ "cpu", cpu; "memory", memory ])
                      "requests", requests |> Option.map (fun q -> Json.obj [ "cpu", q ]) ]
    }

let private container (name: string) =
    gen {
        let! tag = Gen.elements [ "1.13.3"; "1.12.0"; "latest" ]
        let! args = Gen.elements [ []; [ "-config"; "/run/spire/config/server.conf" ]; [ "-expandEnv" ] ]
        let! env = env
        let! ports = ports
        let! mounts = mounts
        let! resources = resources
        let! probePort = intOrString 8080
        let! probe = Gen.elements [ None; Some "httpGet"; Some "tcpSocket" ]
        let! pullPolicy = Gen.elements [ None; Some(s "IfNotPresent"); Some(s "Always") ]

        let probeJson =
            probe
            |> Option.map (fun p ->
                Json.obj
                    [ p,
                      Json.objOpt
                          [ "port", Some probePort
                            "path", (if p = "httpGet" then Some(s "/live") else None) ]
                      "periodSeconds", Json.num 10 ])

        return
            Json.objOpt
                [ "name", Some(s name)
                  "image", Some(s (sprintf "ghcr.io/spiffe/%s:%s" name tag))
                  "args", Some(Json.arr (args |> List.map s))
                  "env", Some env
                  "ports", Some ports
                  "volumeMounts", Some mounts
                  "resources", Some resources
                  "livenessProbe", probeJson
                  "imagePullPolicy", pullPolicy
                  "securityContext",
                  Some(
                      Json.obj
                          [ "readOnlyRootFilesystem", Json.Bool true
                            "capabilities", Json.obj [ "drop", Json.arr [ s "ALL" ] ] ]
                  ) ]
    }

let private volumes =
    gen {
        let! names = some 4 volumeNames

        let! items =
            names
            |> List.map (fun n ->
                Gen.elements
                    [ Json.obj [ "name", s n; "emptyDir", Json.obj [] ]
                      Json.obj [ "name", s n; "emptyDir", Json.obj [ "sizeLimit", s "1Gi" ] ]
                      Json.obj [ "name", s n; "configMap", Json.obj [ "name", s "spire-server" ] ]
                      Json.obj [ "name", s n; "secret", Json.obj [ "secretName", s "spire-server-tls" ] ]
                      Json.obj
                          [ "name", s n
                            "hostPath",
                            Json.obj [ "path", s "/run/spire/agent-sockets"; "type", s "DirectoryOrCreate" ] ] ])
            |> Gen.sequenceToList

        return Json.arr items
    }

let private tolerations =
    gen {
        let! picked =
            some
                3
                [ Json.obj
                      [ "key", s "node-role.kubernetes.io/master"
                        "effect", s "NoSchedule"
                        "operator", s "Exists" ]
                  Json.obj [ "operator", s "Exists" ]
                  Json.obj [ "key", s "dedicated"; "value", s "spire"; "effect", s "NoExecute" ]
                  Json.obj [ "key", s ""; "operator", s "Exists"; "effect", s "NoSchedule" ] ]

        return Json.arr picked
    }

let private podSpec (containerNames: string list) =
    gen {
        let! containers = containerNames |> List.map container |> Gen.sequenceToList
        let! init = Gen.elements [ []; [ "init" ] ]
        let! initContainers = init |> List.map container |> Gen.sequenceToList
        let! volumes = volumes
        let! tolerations = tolerations
        let! nodeSelector = Gen.elements [ Json.obj []; Json.obj [ "kubernetes.io/os", s "linux" ] ]

        return
            Json.obj
                [ "serviceAccountName", s containerNames.Head
                  "containers", Json.arr containers
                  "initContainers", Json.arr initContainers
                  "volumes", volumes
                  "tolerations", tolerations
                  "nodeSelector", nodeSelector ]
    }

/// A desired object of kind `kind` named `name` in `ns`, labelled for `role`.
let private manifest apiVersion kind (ns: string option) name (role: string) (body: (string * Json) list) =
    let labels =
        Labels.standard (Map.ofList [ "example.com/team", "spire" ]) { Labels.spireServer with Role = role }

    let owner =
        { Kind = Kind.SpireServer
          Uid = "4f1c2b4e-0000-4000-8000-000000000001" }

    Manifest.create apiVersion kind ns name labels (Map.ofList [ "ztwim.openshift.io/x", "1" ]) (Some owner) body

let private workload (ns: string) (role: string) =
    gen {
        let! kind = Gen.elements [ "StatefulSet"; "DaemonSet"; "Deployment" ]
        let! name = Gen.elements [ "spire-server"; "spire-agent"; "spire-spiffe-oidc-discovery-provider" ]
        let! second = Gen.elements [ []; [ "spire-controller-manager" ] ]
        let! pod = podSpec (name :: second)
        let! replicas = Gen.choose (1, 3)
        let! maxUnavailable = Gen.elements [ Json.num 1; s "1"; s "10%" ]
        let! storage = quantity

        let selector =
            Json.obj [ "matchLabels", Json.obj [ "app.kubernetes.io/name", s name ] ]

        let template =
            Json.obj
                [ "metadata", Json.obj [ "labels", Json.obj [ "app.kubernetes.io/name", s name ] ]
                  "spec", pod ]

        let spec =
            match kind with
            | "StatefulSet" ->
                [ "replicas", Json.num replicas
                  "serviceName", s name
                  "volumeClaimTemplates",
                  Json.arr
                      [ Json.obj
                            [ "metadata", Json.obj [ "name", s "spire-data" ]
                              "spec",
                              Json.obj
                                  [ "accessModes", Json.arr [ s "ReadWriteOnce" ]
                                    "resources", Json.obj [ "requests", Json.obj [ "storage", storage ] ] ] ] ] ]
            | "DaemonSet" ->
                [ "updateStrategy",
                  Json.obj
                      [ "rollingUpdate", Json.obj [ "maxUnavailable", maxUnavailable ]
                        "type", s "RollingUpdate" ] ]
            | _ ->
                [ "replicas", Json.num replicas
                  "strategy", Json.obj [ "rollingUpdate", Json.obj [ "maxSurge", maxUnavailable ] ] ]

        return
            manifest
                "apps/v1"
                kind
                (Some ns)
                name
                role
                [ "spec", Json.obj ([ "selector", selector; "template", template ] @ spec) ]
    }

let private service (ns: string) (role: string) =
    gen {
        let! name = Gen.elements [ "spire-server"; "spire-controller-manager-webhook"; "spire-oidc" ]
        let! picked = some 3 [ 443, "TCP"; 8081, "TCP"; 53, "UDP"; 80, "TCP" ]

        let! items =
            picked
            |> List.map (fun (p, protocol) ->
                gen {
                    let! target =
                        Gen.elements [ None; Some(Json.num (p + 8000)); Some(s (string (p + 8000))); Some(s "grpc") ]

                    let! spelled = Gen.elements [ None; Some(s protocol) ]

                    return
                        Json.objOpt
                            [ "name", Some(s (sprintf "port-%d" p))
                              "port", Some(Json.num p)
                              "targetPort", target
                              "protocol", spelled ]
                })
            |> Gen.sequenceToList

        let! serviceType = Gen.elements [ None; Some(s "ClusterIP") ]

        return
            manifest
                "v1"
                "Service"
                (Some ns)
                name
                role
                [ "spec",
                  Json.objOpt
                      [ "ports", Some(Json.arr items)
                        "selector", Some(Json.obj [ "app.kubernetes.io/name", s name ])
                        "type", serviceType ] ]
    }

let private configMap (ns: string) (role: string) =
    gen {
        let! name = Gen.elements [ "spire-server"; "spire-agent"; "spire-bundle" ]
        let! keys = some 3 [ "server.conf"; "agent.conf"; "controller-manager-config.yaml"; "bundle.crt" ]
        let! values = Gen.listOfLength keys.Length (Gen.elements [ "{}"; ""; "a = 1\n"; "x" ])
        return manifest "v1" "ConfigMap" (Some ns) name role [ "data", Json.obj (List.zip keys (values |> List.map s)) ]
    }

let private serviceAccount (ns: string) (role: string) =
    gen {
        let! name = Gen.elements [ "spire-server"; "spire-agent" ]
        return manifest "v1" "ServiceAccount" (Some ns) name role []
    }

let private clusterRole (role: string) =
    gen {
        let! name = Gen.elements [ "spire-server"; "spire-agent"; "spire-controller-manager" ]
        let! verbs = Gen.elements [ [ "get" ]; [ "get"; "list"; "watch" ]; [ "create"; "patch" ] ]

        let rule (resource: string) =
            Json.obj
                [ "apiGroups", Json.arr [ s "" ]
                  "resources", Json.arr [ s resource ]
                  "verbs", Json.arr (verbs |> List.map s) ]

        let! resources = some 3 [ "pods"; "nodes"; "configmaps"; "tokenreviews" ]

        return
            manifest
                "rbac.authorization.k8s.io/v1"
                "ClusterRole"
                None
                name
                role
                [ "rules", Json.arr (resources |> List.map rule) ]
    }

/// A claim as the operator would create it, or as a StatefulSet's claim template leaves it behind.
let claim (ns: string) (role: string) =
    gen {
        let! ordinal = Gen.choose (0, 2)
        let! storage = quantity

        return
            manifest
                "v1"
                "PersistentVolumeClaim"
                (Some ns)
                (sprintf "spire-data-spire-server-%d" ordinal)
                role
                [ "spec",
                  Json.obj
                      [ "accessModes", Json.arr [ s "ReadWriteOnce" ]
                        "resources", Json.obj [ "requests", Json.obj [ "storage", storage ] ] ] ]
    }

let private route (ns: string) (role: string) =
    gen {
        let! target = intOrString 8443

        return
            manifest
                "route.openshift.io/v1"
                "Route"
                (Some ns)
                "spire-oidc-discovery-provider"
                role
                [ "spec",
                  Json.obj
                      [ "host", s "oidc.example.org"
                        "port", Json.obj [ "targetPort", target ]
                        "to", Json.obj [ "kind", s "Service"; "name", s "spire-oidc"; "weight", Json.num 100 ]
                        "tls", Json.obj [ "termination", s "reencrypt" ] ] ]
    }

let private disruptionBudget (ns: string) (role: string) =
    gen {
        let! minAvailable = Gen.elements [ Json.num 1; s "1"; s "50%" ]

        return
            manifest
                "policy/v1"
                "PodDisruptionBudget"
                (Some ns)
                "spire-server"
                role
                [ "spec",
                  Json.obj
                      [ "minAvailable", minAvailable
                        "selector", Json.obj [ "matchLabels", Json.obj [ "app.kubernetes.io/name", s "spire-server" ] ] ] ]
    }

/// One desired object of any kind, labelled for `role`.
let desired (ns: string) (role: string) : Gen<DesiredObject> =
    Gen.frequency
        [ 4, workload ns role
          2, service ns role
          2, configMap ns role
          1, serviceAccount ns role
          1, clusterRole role
          1, claim ns role
          1, route ns role
          1, disruptionBudget ns role ]
