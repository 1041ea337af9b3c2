/// Everything the SpireOIDCDiscoveryProvider controller renders for its CR.
[<RequireQualifiedAccess>]
module Ztwim.Kernel.Operands.SpireOIDCDiscoveryProvider

open Ztwim.Kernel.Api
open Ztwim.Kernel.Render

/// The desired objects for the SpireOIDCDiscoveryProvider CR, the ZeroTrustWorkloadIdentityManager spec and the Mode.
let desired (cr: Resource<SpireOIDCDiscoveryProviderSpec>) (ztwim: ZtwimSpec) (mode: Mode) : DesiredObject list =
    ignore (cr, ztwim, mode)
    []
