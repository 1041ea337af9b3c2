/// Everything the SpireAgent controller renders for its CR.
[<RequireQualifiedAccess>]
module Ztwim.Kernel.Operands.SpireAgent

open Ztwim.Kernel.Api
open Ztwim.Kernel.Render

/// The desired objects for the SpireAgent CR, the ZeroTrustWorkloadIdentityManager spec and the Mode.
let desired (cr: Resource<SpireAgentSpec>) (ztwim: ZtwimSpec) (mode: Mode) : DesiredObject list =
    ignore (cr, ztwim, mode)
    []
