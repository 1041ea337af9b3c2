namespace Ztwim.Kernel.Operands.Agent

open Ztwim.Kernel.Render

/// What every SpireAgent object shares: the namespace it lives in (binding subjects and the server address
/// name it too), the CR's custom labels and the owner.
type Context =
    { Namespace: string
      CustomLabels: Map<string, string>
      Owner: Owner }

/// The agent's names and label sets.
[<RequireQualifiedAccess>]
module Context =

    /// The name of the agent's ServiceAccount, Service, ClusterRole(Binding), SCC, ConfigMap and DaemonSet.
    let name = "spire-agent"

    /// The standard label set (LA): custom labels first, the six standard keys override them.
    let labels (c: Context) =
        Labels.standard c.CustomLabels Labels.spireAgent
