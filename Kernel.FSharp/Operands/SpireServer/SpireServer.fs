/// Everything the SpireServer controller renders for its CR.
[<RequireQualifiedAccess>]
module Ztwim.Kernel.Operands.SpireServer

open Ztwim.Kernel.Api
open Ztwim.Kernel.Render

/// The desired objects for the SpireServer CR, the ZeroTrustWorkloadIdentityManager spec and the Mode.
let desired (cr: Resource<SpireServerSpec>) (ztwim: ZtwimSpec) (mode: Mode) : DesiredObject list =
    ignore (cr, ztwim, mode)
    []
