/// SpiffeCSIDriver's objects against what the upstream operator sent, with every deliberate difference listed.
module Ztwim.Specs.Render.UpstreamSpiffeCSIDriverSpecs

open Expecto
open Ztwim.Kernel.Api
open Ztwim.Specs.Render.Upstream

/// The differences ARCHITECTURE.md makes on purpose for this operand, each with its path and reason.
let allowances: Allowance list = []

[<Tests>]
let tests =
    testList "upstream differential" (differential Kind.SpiffeCSIDriver allowances)
