namespace Ztwim.Kernel.Operands.Oidc

open Ztwim.Kernel
open Ztwim.Kernel.Render

/// The names the OIDC discovery provider's objects share with each other and with upstream.
[<RequireQualifiedAccess>]
module Provider =

    /// ServiceAccount, Service, ConfigMap and Deployment all carry this name.
    let name = "spire-spiffe-oidc-discovery-provider"

    /// The TLS secret OpenShift's service CA makes for the Service, mounted by the pods.
    let servingCertSecret = "oidc-serving-cert"

    /// The key of the provider's config in its ConfigMap.
    let configKey = "oidc-discovery-provider.conf"

    /// The name of the HTTPS port, on the container and the Service alike.
    let httpsPortName = "https"

    /// The label component: spiffe-oidc-discovery-provider / discovery / 1.13.3.
    let labelComponent = Labels.oidcDiscoveryProvider

    /// The standard label set (custom labels first, the six standard keys override them).
    let labels (p: Placement) =
        Labels.standard p.CustomLabels labelComponent

    /// A namespaced manifest in the operator namespace, labelled and owned by the CR.
    let namespaced apiVersion kind name annotations body (p: Placement) =
        Manifest.create apiVersion kind (Some p.Namespace) name (labels p) annotations (Some p.Owner) body

    /// A cluster-scoped manifest, labelled and owned by the CR.
    let clusterScoped apiVersion kind name body (p: Placement) =
        Manifest.create apiVersion kind None name (labels p) Map.empty (Some p.Owner) body

    /// A string map as a JSON object.
    let stringMap (m: Map<string, string>) = Manifest.stringMap m

    /// `{name: ..., ...}` with string values, for the many small records of a pod spec.
    let strings (members: (string * string) list) =
        members |> List.map (fun (k, v) -> k, Json.String v) |> Json.obj
