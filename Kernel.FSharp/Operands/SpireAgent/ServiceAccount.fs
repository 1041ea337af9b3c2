/// The agent's ServiceAccount, which the projected token (audience spire-server) and the SCC name.
[<RequireQualifiedAccess>]
module Ztwim.Kernel.Operands.Agent.ServiceAccount

open Ztwim.Kernel.Render

/// ServiceAccount spire-agent.
let desired (c: Placement) : DesiredObject =
    Manifest.create "v1" "ServiceAccount" (Some c.Namespace) Context.name (Context.labels c) Map.empty (Some c.Owner) []
