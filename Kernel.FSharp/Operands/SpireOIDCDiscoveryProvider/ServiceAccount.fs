namespace Ztwim.Kernel.Operands.Oidc

open Ztwim.Kernel.Render

/// ServiceAccount spire-spiffe-oidc-discovery-provider: the identity the provider's pods run as (and the one
/// their SPIFFE ID is made of). Automount and pull secrets are left to the API server, as upstream.
[<RequireQualifiedAccess>]
module ServiceAccount =

    /// The provider's ServiceAccount.
    let render (p: Placement) =
        Provider.namespaced "v1" "ServiceAccount" Provider.name Map.empty [] p
