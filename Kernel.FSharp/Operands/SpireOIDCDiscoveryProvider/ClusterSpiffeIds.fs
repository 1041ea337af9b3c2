namespace Ztwim.Kernel.Operands.Oidc

open Ztwim.Kernel
open Ztwim.Kernel.Render

/// The two ClusterSPIFFEIDs: one gives the provider pods their identity (with a DNS name for its serving
/// certificate), the other is the fallback identity of every workload outside the operator namespace.
[<RequireQualifiedAccess>]
module ClusterSpiffeIds =

    /// The SPIRE controller manager's API.
    let apiVersion = "spire.spiffe.io/v1alpha1"

    /// The provider pods' ClusterSPIFFEID.
    let oidcName = "zero-trust-workload-identity-manager-spire-oidc-discovery-provider"
    /// The fallback ClusterSPIFFEID.
    let defaultName = "zero-trust-workload-identity-manager-spire-default"

    /// The SPIRE controller manager's class: it only acts on ClusterSPIFFEIDs of its own class.
    let className = "zero-trust-workload-identity-manager-spire"

    /// spiffe://<trust domain>/ns/<namespace>/sa/<service account>, for both.
    let spiffeIdTemplate =
        "spiffe://{{ .TrustDomain }}/ns/{{ .PodMeta.Namespace }}/sa/{{ .PodSpec.ServiceAccountName }}"

    let private namespaceSelector (operator: string) (ns: string) =
        Json.obj
            [ "matchExpressions",
              Json.Array
                  [ Json.obj
                        [ "key", Json.String "kubernetes.io/metadata.name"
                          "operator", Json.String operator
                          "values", Json.Array [ Json.String ns ] ] ] ]

    // Upstream sends the zero durations of its typed spec ("0s"), which SPIRE reads as "use the default".
    let private common (hint: string) =
        [ "className", Json.String className
          "hint", Json.String hint
          "spiffeIDTemplate", Json.String spiffeIdTemplate
          "ttl", Json.String "0s"
          "jwtTtl", Json.String "0s" ]

    /// The identity of the provider pods, in the operator namespace.
    let oidc (p: Placement) =
        Provider.clusterScoped
            apiVersion
            "ClusterSPIFFEID"
            oidcName
            [ "spec",
              Json.obj (
                  common "oidc-discovery-provider"
                  @ [ "dnsNameTemplates", Json.Array [ Json.String "oidc-discovery.{{ .TrustDomain }}" ]
                      "autoPopulateDNSNames", Json.Bool true
                      "podSelector",
                      Json.obj [ "matchLabels", Provider.stringMap (Labels.selector Provider.labelComponent) ]
                      "namespaceSelector", namespaceSelector "In" p.Namespace ]
              ) ]
            p

    /// The fallback identity of the workloads in every other namespace.
    let fallback (p: Placement) =
        Provider.clusterScoped
            apiVersion
            "ClusterSPIFFEID"
            defaultName
            [ "spec",
              Json.obj (
                  common "default"
                  @ [ "fallback", Json.Bool true
                      "namespaceSelector", namespaceSelector "NotIn" p.Namespace ]
              ) ]
            p
