namespace Ztwim.Kernel.Operands.Csi

open Ztwim.Kernel.Render

/// What every SpiffeCSIDriver object shares: the namespace of its namespaced objects, the CR's custom
/// labels and the owner.
type Context =
    { Namespace: string
      CustomLabels: Map<string, string>
      Owner: Owner }

/// The CSI driver's names and label sets.
[<RequireQualifiedAccess>]
module Context =

    /// The name of the driver's ServiceAccount, SCC and DaemonSet (the CSIDriver is named after the plugin).
    let name = "spire-spiffe-csi-driver"

    /// The standard label set (LC): custom labels first, the six standard keys override them.
    let labels (c: Context) =
        Labels.standard c.CustomLabels Labels.spiffeCsiDriver
