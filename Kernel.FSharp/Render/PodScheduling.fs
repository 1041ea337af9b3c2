namespace Ztwim.Kernel.Render

open Ztwim.Kernel
open Ztwim.Kernel.Api

/// Where a CR's CommonConfig lands in a pod spec: nodeSelector, tolerations and affinity. Empty values are
/// left out, as upstream sends them (Go's omitempty).
[<RequireQualifiedAccess>]
module PodScheduling =

    /// The pod spec members for the CR's scheduling settings.
    let members (c: CommonConfig) : (string * Json option) list =
        [ "nodeSelector",
          (if c.NodeSelector.IsEmpty then
               None
           else
               Some(Manifest.stringMap c.NodeSelector))
          "tolerations",
          (if c.Tolerations.IsEmpty then
               None
           else
               Some(Json.Array(c.Tolerations |> List.map Toleration.print)))
          "affinity", c.Affinity |> Option.map Affinity.print ]
