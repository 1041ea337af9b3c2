namespace Ztwim.Kernel.Operands.Oidc

open Ztwim.Kernel
open Ztwim.Kernel.Render

/// Service spire-spiffe-oidc-discovery-provider: HTTPS in front of the provider pods, and the source of their
/// serving certificate (OpenShift's service CA, or on plain Kubernetes a certificate the adapter provides).
[<RequireQualifiedAccess>]
module Service =

    let private servingCertAnnotation =
        "service.beta.openshift.io/serving-cert-secret-name"

    // Name and instance only, as upstream: both select the provider pods alone.
    let private selector =
        Map.ofList
            [ "app.kubernetes.io/name", Provider.labelComponent.Name
              "app.kubernetes.io/instance", Labels.instance ]

    /// The names a certificate for the Service must carry, as OpenShift's service CA would issue them.
    let dnsNames (ns: string) =
        let svc = Provider.name

        [ svc
          sprintf "%s.%s" svc ns
          sprintf "%s.%s.svc" svc ns
          sprintf "%s.%s.svc.cluster.local" svc ns ]

    /// The Service and, on plain Kubernetes, the serving certificate the service CA would otherwise make.
    let render (mode: Mode) (p: Placement) : DesiredObject list =
        let annotations =
            match mode.Platform with
            | OpenShift -> Map.ofList [ servingCertAnnotation, Provider.servingCertSecret ]
            | Kubernetes -> Map.empty

        let service =
            Provider.namespaced
                "v1"
                "Service"
                Provider.name
                annotations
                [ "spec",
                  Json.obj
                      [ "type", Json.String "ClusterIP"
                        "ports",
                        Json.Array
                            [ Json.obj
                                  [ "name", Json.String Provider.httpsPortName
                                    "port", Json.num 443
                                    "targetPort", Json.String Provider.httpsPortName
                                    "protocol", Json.String "TCP" ] ]
                        "selector", Provider.stringMap selector ] ]
                p

        service
        :: ServingCertificates.render
            mode
            (Provider.labels p)
            p.Owner
            { SecretName = Provider.servingCertSecret
              Namespace = p.Namespace
              DnsNames = dnsNames p.Namespace }
