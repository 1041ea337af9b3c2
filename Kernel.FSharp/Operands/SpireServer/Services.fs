/// The Services of the SPIRE server: its gRPC/metrics/federation endpoint and the controller manager's webhook.
[<RequireQualifiedAccess>]
module Ztwim.Kernel.Operands.Server.Services

open Ztwim.Kernel
open Ztwim.Kernel.Render

/// The annotation that asks OpenShift's service CA for a serving certificate.
let servingCertAnnotation = "service.beta.openshift.io/serving-cert-secret-name"

let private port (name: string) (number: int) (target: Json) =
    Json.obj
        [ "name", Json.String name
          "port", Json.num number
          "targetPort", target
          // Upstream leaves the metrics port's protocol empty and then sets TCP before it sends the object.
          "protocol", Json.String "TCP" ]

let private spec (ports: Json list) (selector: Map<string, string>) =
    [ "spec",
      Json.obj
          [ "type", Json.String "ClusterIP"
            "ports", Json.Array ports
            "selector", Scope.stringMap selector ] ]

/// Selects the StatefulSet pod by name and instance only, as upstream does.
let private serverPodSelector =
    Map.ofList
        [ "app.kubernetes.io/name", Labels.spireServer.Name
          "app.kubernetes.io/instance", Labels.instance ]

/// Service spire-server: gRPC 443, metrics 9402, and with federation the bundle endpoint on 8443 with a
/// serving certificate from the service CA (OpenShift) or from the adapter (plain Kubernetes).
let server (s: Scope) : DesiredObject list =
    let federated = s.Spec.Federation.IsSome

    let ports =
        [ port "grpc" 443 (Json.String "grpc"); port "metrics" 9402 (Json.num 9402) ]
        @ (if federated then
               [ port "federation" 8443 (Json.num 8443) ]
           else
               [])

    let annotations =
        if federated && s.Mode.Platform = OpenShift then
            Map.ofList [ servingCertAnnotation, Scope.servingCertSecret ]
        else
            Map.empty

    let service =
        Scope.namespaced
            s
            "v1"
            "Service"
            Scope.serverName
            (Scope.serverLabels s)
            annotations
            (spec ports serverPodSelector)

    let certificate =
        if federated then
            let ns = s.Mode.Namespace
            let svc = Scope.serverName

            ServingCertificates.render
                s.Mode
                (Scope.serverLabels s)
                s.Owner
                { SecretName = Scope.servingCertSecret
                  Namespace = ns
                  DnsNames =
                    [ svc
                      sprintf "%s.%s" svc ns
                      sprintf "%s.%s.svc" svc ns
                      sprintf "%s.%s.svc.cluster.local" svc ns ] }
        else
            []

    service :: certificate

/// Service spire-controller-manager-webhook: 443 to the controller manager's `https` port. Unlike upstream
/// (whose selector names spire-controller-manager and matches no pod), it selects the StatefulSet pod that
/// runs the controller manager.
let webhook (s: Scope) =
    Scope.namespaced
        s
        "v1"
        "Service"
        Scope.webhookName
        (Scope.controllerManagerLabels s)
        Map.empty
        (spec [ port "https" 443 (Json.String "https") ] serverPodSelector)
