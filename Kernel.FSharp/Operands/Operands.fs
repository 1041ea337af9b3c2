/// The desired state of all operands for a set of CRs.
[<RequireQualifiedAccess>]
module Ztwim.Kernel.Operands.Operands

open Ztwim.Kernel.Api
open Ztwim.Kernel.Render

/// The five singletons as observed, each optional.
type CrSet =
    { Ztwim: Resource<ZtwimSpec> option
      SpireServer: Resource<SpireServerSpec> option
      SpireAgent: Resource<SpireAgentSpec> option
      SpiffeCSIDriver: Resource<SpiffeCSIDriverSpec> option
      SpireOIDCDiscoveryProvider: Resource<SpireOIDCDiscoveryProviderSpec> option }

let empty =
    { Ztwim = None
      SpireServer = None
      SpireAgent = None
      SpiffeCSIDriver = None
      SpireOIDCDiscoveryProvider = None }

/// Collects parsed CRs into a set (a later CR of a kind replaces an earlier one).
let ofResources (resources: AnyResource list) =
    resources
    |> List.fold
        (fun set r ->
            match r with
            | Ztwim x -> { set with Ztwim = Some x }
            | AnyResource.SpireServer x -> { set with SpireServer = Some x }
            | AnyResource.SpireAgent x -> { set with SpireAgent = Some x }
            | AnyResource.SpiffeCSIDriver x -> { set with SpiffeCSIDriver = Some x }
            | AnyResource.SpireOIDCDiscoveryProvider x ->
                { set with
                    SpireOIDCDiscoveryProvider = Some x })
        empty

/// Every desired object, sorted by kind, namespace and name. Without the ZeroTrustWorkloadIdentityManager
/// nothing is rendered: it holds the trust domain every operand needs.
let desired (crs: CrSet) (mode: Mode) : DesiredObject list =
    match crs.Ztwim with
    | None -> []
    | Some z ->
        let render (cr: Resource<'s> option) (f: Resource<'s> -> ZtwimSpec -> Mode -> DesiredObject list) =
            cr |> Option.map (fun cr -> f cr z.Spec mode) |> Option.defaultValue []

        render crs.SpireServer SpireServer.desired
        @ render crs.SpireAgent SpireAgent.desired
        @ render crs.SpiffeCSIDriver SpiffeCSIDriver.desired
        @ render crs.SpireOIDCDiscoveryProvider SpireOIDCDiscoveryProvider.desired
        |> List.sortBy DesiredObject.sortKey
