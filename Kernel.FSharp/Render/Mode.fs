namespace Ztwim.Kernel.Render

open System

/// Where the operator runs: OpenShift has Routes, SCCs and the service CA; plain Kubernetes has none of them.
type Platform =
    | OpenShift
    | Kubernetes

/// The operand images (RELATED_IMAGE_*).
type Images =
    { SpireServer: string
      SpireAgent: string
      SpiffeCsiDriver: string
      SpireOidcDiscoveryProvider: string
      SpireControllerManager: string
      NodeDriverRegistrar: string
      SpiffeCsiInitContainer: string }

/// The operator's egress proxy settings, injected into the operands that call out.
type Proxy =
    { HttpProxy: string option
      HttpsProxy: string option
      NoProxy: string option }

/// The cert-manager issuer that signs serving certificates on plain Kubernetes (CERT_MANAGER_ISSUER): an
/// Issuer in the operator's namespace or a ClusterIssuer.
type CertManagerIssuer = { Kind: string; Name: string }

/// Everything about the operator's environment that shapes the desired state: a value, passed in, so the
/// kernel never reads the environment itself.
type Mode =
    {
        Namespace: string
        Platform: Platform
        CreateOnly: bool
        Images: Images
        Proxy: Proxy
        TrustedCaBundleConfigMap: string option
        /// The cluster serves cert-manager.io: on plain Kubernetes, cert-manager keeps the serving certificates.
        CertManager: bool
        /// The issuer cert-manager signs them with; None for a self-signed Issuer of the operator's own.
        CertManagerIssuer: CertManagerIssuer option
    }

/// Building a Mode from environment variables, as upstream reads them.
[<RequireQualifiedAccess>]
module Mode =

    /// The images of the released CSV, used when a RELATED_IMAGE_* variable is unset.
    let defaultImages =
        { SpireServer = "ghcr.io/spiffe/spire-server:1.13.3"
          SpireAgent = "ghcr.io/spiffe/spire-agent:1.13.3"
          SpiffeCsiDriver = "ghcr.io/spiffe/spiffe-csi-driver:0.2.8"
          SpireOidcDiscoveryProvider = "ghcr.io/spiffe/oidc-discovery-provider:1.13.3"
          SpireControllerManager = "ghcr.io/spiffe/spire-controller-manager:0.6.4"
          NodeDriverRegistrar = "registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.9.4"
          SpiffeCsiInitContainer = "registry.access.redhat.com/ubi9:latest" }

    let defaultNamespace = "zero-trust-workload-identity-manager"

    /// CREATE_ONLY_MODE: trimmed, case-insensitive "true" turns it on; anything else is off.
    let createOnly (value: string option) =
        value
        |> Option.exists (fun v -> v.Trim().Equals("true", StringComparison.OrdinalIgnoreCase))

    /// CERT_MANAGER_ISSUER: `Issuer/NAME` (in the operator's namespace) or `ClusterIssuer/NAME`; why not, if not.
    let certManagerIssuer (value: string) : Result<CertManagerIssuer, string> =
        match value.Trim().Split('/') with
        | [| kind; name |] when kind = "Issuer" || kind = "ClusterIssuer" ->
            match Ztwim.Kernel.Api.Names.subdomain name with
            | None -> Ok { Kind = kind; Name = name }
            | Some why -> Error(sprintf "names an issuer that %s" why)
        | _ -> Error "must be Issuer/NAME or ClusterIssuer/NAME"

    /// The Mode for these environment variables. A set but empty RELATED_IMAGE_* gives an empty image, as
    /// upstream; an unset one gives the default. The CSI init image falls back to its default when empty too. A
    /// malformed CERT_MANAGER_ISSUER counts as unset: the operator's start-up refuses it before a Mode is made.
    let ofEnvironment (platform: Platform) (env: Map<string, string>) =
        let get name = Map.tryFind name env

        let nonEmpty name =
            get name |> Option.filter (fun v -> v <> "")

        let image name fallback =
            get name |> Option.defaultValue fallback

        let d = defaultImages

        { Namespace = get "OPERATOR_NAMESPACE" |> Option.defaultValue defaultNamespace
          Platform = platform
          CreateOnly = createOnly (get "CREATE_ONLY_MODE")
          Images =
            { SpireServer = image "RELATED_IMAGE_SPIRE_SERVER" d.SpireServer
              SpireAgent = image "RELATED_IMAGE_SPIRE_AGENT" d.SpireAgent
              SpiffeCsiDriver = image "RELATED_IMAGE_SPIFFE_CSI_DRIVER" d.SpiffeCsiDriver
              SpireOidcDiscoveryProvider =
                image "RELATED_IMAGE_SPIRE_OIDC_DISCOVERY_PROVIDER" d.SpireOidcDiscoveryProvider
              SpireControllerManager = image "RELATED_IMAGE_SPIRE_CONTROLLER_MANAGER" d.SpireControllerManager
              NodeDriverRegistrar = image "RELATED_IMAGE_NODE_DRIVER_REGISTRAR" d.NodeDriverRegistrar
              SpiffeCsiInitContainer =
                nonEmpty "RELATED_IMAGE_SPIFFE_CSI_INIT_CONTAINER"
                |> Option.defaultValue d.SpiffeCsiInitContainer }
          Proxy =
            { HttpProxy = nonEmpty "HTTP_PROXY"
              HttpsProxy = nonEmpty "HTTPS_PROXY"
              NoProxy = nonEmpty "NO_PROXY" }
          TrustedCaBundleConfigMap = nonEmpty "TRUSTED_CA_BUNDLE_CONFIGMAP"
          CertManager = false
          CertManagerIssuer =
            nonEmpty "CERT_MANAGER_ISSUER"
            |> Option.bind (certManagerIssuer >> Result.toOption) }

    /// The same Mode where discovery found (or did not find) the cert-manager.io API.
    let withCertManager (served: bool) (mode: Mode) = { mode with CertManager = served }

    /// The Mode of an operator started with no environment at all, on OpenShift.
    let defaults = ofEnvironment OpenShift Map.empty
