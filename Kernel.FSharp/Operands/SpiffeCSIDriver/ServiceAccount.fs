/// The CSI driver's ServiceAccount, which its SCC names.
[<RequireQualifiedAccess>]
module Ztwim.Kernel.Operands.Csi.ServiceAccount

open Ztwim.Kernel.Render

/// ServiceAccount spire-spiffe-csi-driver.
let desired (c: Placement) : DesiredObject =
    Manifest.create "v1" "ServiceAccount" (Some c.Namespace) Context.name (Context.labels c) Map.empty (Some c.Owner) []
