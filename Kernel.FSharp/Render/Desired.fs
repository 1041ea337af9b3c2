namespace Ztwim.Kernel.Render

open Ztwim.Kernel
open Ztwim.Kernel.Api

/// Which object: apiVersion, kind, namespace (None for cluster-scoped) and name.
type ObjectRef =
    { ApiVersion: string
      Kind: string
      Namespace: string option
      Name: string }

/// A TLS secret that OpenShift's service CA would create from a Service annotation. On plain Kubernetes
/// the adapter fulfils it instead (cert-manager, or a certificate the operator makes).
type ServingCertificate =
    { SecretName: string
      Namespace: string
      DnsNames: string list }

/// One thing the desired state needs: an object to create or apply, or a serving certificate.
type DesiredObject =
    | Manifest of ObjectRef * Json
    | ServingCertificateFor of ServingCertificate

/// The CR that owns what an operand renders.
type Owner = { Kind: Kind; Uid: string }

/// Reading desired objects.
[<RequireQualifiedAccess>]
module DesiredObject =

    /// The object reference of a manifest, or of the Secret a serving certificate fills.
    let ref (d: DesiredObject) =
        match d with
        | Manifest(r, _) -> r
        | ServingCertificateFor c ->
            { ApiVersion = "v1"
              Kind = "Secret"
              Namespace = Some c.Namespace
              Name = c.SecretName }

    /// The manifests alone.
    let manifests (objects: DesiredObject list) =
        objects
        |> List.choose (function
            | Manifest(r, j) -> Some(r, j)
            | ServingCertificateFor _ -> None)

    /// The order `ztwim-sim render` prints in: kind, namespace, name.
    let sortKey (d: DesiredObject) =
        let r = ref d
        r.Kind, r.Namespace |> Option.defaultValue "", r.Name
