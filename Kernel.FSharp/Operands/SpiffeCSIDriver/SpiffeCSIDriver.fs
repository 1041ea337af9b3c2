/// Everything the SpiffeCSIDriver controller renders for its CR.
[<RequireQualifiedAccess>]
module Ztwim.Kernel.Operands.SpiffeCSIDriver

open Ztwim.Kernel.Api
open Ztwim.Kernel.Render

/// The desired objects for the SpiffeCSIDriver CR, the ZeroTrustWorkloadIdentityManager spec and the Mode.
let desired (cr: Resource<SpiffeCSIDriverSpec>) (ztwim: ZtwimSpec) (mode: Mode) : DesiredObject list =
    ignore (cr, ztwim, mode)
    []
