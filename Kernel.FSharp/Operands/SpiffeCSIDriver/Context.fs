namespace Ztwim.Kernel.Operands.Csi

open Ztwim.Kernel.Render

/// The CSI driver's names and label sets.
[<RequireQualifiedAccess>]
module Context =

    /// The name of the driver's ServiceAccount, SCC and DaemonSet (the CSIDriver is named after the plugin).
    let name = "spire-spiffe-csi-driver"

    /// The standard label set (LC): custom labels first, the six standard keys override them.
    let labels (c: Placement) =
        Labels.standard c.CustomLabels Labels.spiffeCsiDriver
