/// ValidatingWebhookConfiguration spire-controller-manager-webhook: the controller manager validates its
/// ClusterFederatedTrustDomains and ClusterSPIFFEIDs. It fills in the caBundle itself.
[<RequireQualifiedAccess>]
module Ztwim.Kernel.Operands.Server.Webhook

open Ztwim.Kernel

let private webhook (s: Scope) (name: string) (kind: string) (resource: string) =
    Json.obj
        [ "name", Json.String name
          "admissionReviewVersions", Scope.strings [ "v1" ]
          "clientConfig",
          Json.obj
              [ "service",
                Json.obj
                    [ "name", Json.String Scope.webhookName
                      "namespace", Json.String s.Mode.Namespace
                      "path", Json.String(sprintf "/validate-spire-spiffe-io-v1alpha1-%s" kind) ] ]
          "failurePolicy", Json.String "Ignore"
          "sideEffects", Json.String "None"
          "rules",
          Json.Array
              [ Json.obj
                    [ "apiGroups", Scope.strings [ "spire.spiffe.io" ]
                      "apiVersions", Scope.strings [ "v1alpha1" ]
                      "operations", Scope.strings [ "CREATE"; "UPDATE" ]
                      "resources", Scope.strings [ resource ] ] ] ]

/// The two webhooks, with no port, caBundle, selectors or timeout (left to the server and the controller manager).
let render (s: Scope) =
    Scope.clusterScoped
        s
        "admissionregistration.k8s.io/v1"
        "ValidatingWebhookConfiguration"
        Scope.webhookName
        (Scope.controllerManagerLabels s)
        [ "webhooks",
          Json.Array
              [ webhook
                    s
                    "vclusterfederatedtrustdomain.kb.io"
                    "clusterfederatedtrustdomain"
                    "clusterfederatedtrustdomains"
                webhook s "vclusterspiffeid.kb.io" "clusterspiffeid" "clusterspiffeids" ] ]
