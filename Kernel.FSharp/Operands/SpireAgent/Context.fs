namespace Ztwim.Kernel.Operands.Agent

open Ztwim.Kernel.Render

/// The agent's names and label sets.
[<RequireQualifiedAccess>]
module Context =

    /// The name of the agent's ServiceAccount, Service, ClusterRole(Binding), SCC, ConfigMap and DaemonSet.
    let name = "spire-agent"

    /// The standard label set (LA): custom labels first, the six standard keys override them.
    let labels (c: Placement) =
        Labels.standard c.CustomLabels Labels.spireAgent
