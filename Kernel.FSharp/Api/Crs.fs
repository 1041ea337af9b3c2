namespace Ztwim.Kernel.Api

open Ztwim.Kernel

/// A parsed CR of any of the five kinds.
type AnyResource =
    | Ztwim of Resource<ZtwimSpec>
    | SpireServer of Resource<SpireServerSpec>
    | SpireAgent of Resource<SpireAgentSpec>
    | SpiffeCSIDriver of Resource<SpiffeCSIDriverSpec>
    | SpireOIDCDiscoveryProvider of Resource<SpireOIDCDiscoveryProviderSpec>

/// Parsing and printing CRs: `parse` applies every default and reports every broken rule with its path.
[<RequireQualifiedAccess>]
module Crs =

    /// Parses a ZeroTrustWorkloadIdentityManager.
    let parseZtwim = Resource.read Kind.ZeroTrustWorkloadIdentityManager ZtwimSpec.read
    /// Parses a SpireServer.
    let parseSpireServer = Resource.read Kind.SpireServer SpireServerSpec.read
    /// Parses a SpireAgent.
    let parseSpireAgent = Resource.read Kind.SpireAgent SpireAgentSpec.read

    /// Parses a SpiffeCSIDriver.
    let parseSpiffeCSIDriver =
        Resource.read Kind.SpiffeCSIDriver SpiffeCSIDriverSpec.read

    /// Parses a SpireOIDCDiscoveryProvider.
    let parseSpireOIDCDiscoveryProvider =
        Resource.read Kind.SpireOIDCDiscoveryProvider SpireOIDCDiscoveryProviderSpec.read

    /// Parses a CR of the given kind.
    let parseKind (kind: Kind) (json: Json) : Result<AnyResource, FieldError list> =
        match kind with
        | Kind.ZeroTrustWorkloadIdentityManager -> parseZtwim json |> Result.map Ztwim
        | Kind.SpireServer -> parseSpireServer json |> Result.map SpireServer
        | Kind.SpireAgent -> parseSpireAgent json |> Result.map SpireAgent
        | Kind.SpiffeCSIDriver -> parseSpiffeCSIDriver json |> Result.map SpiffeCSIDriver
        | Kind.SpireOIDCDiscoveryProvider ->
            parseSpireOIDCDiscoveryProvider json |> Result.map SpireOIDCDiscoveryProvider

    /// The kind an object says it is, if it is one of ours.
    let kindOf (json: Json) =
        match Json.tryField "apiVersion" json, Json.tryField "kind" json with
        | Some(Json.String v), Some(Json.String k) when v = Kind.apiVersion -> Kind.tryParse k
        | _ -> None

    /// Parses any of the five kinds, by its apiVersion and kind.
    let parse (json: Json) : Result<AnyResource, FieldError list> =
        match kindOf json with
        | Some kind -> parseKind kind json
        | None ->
            let found =
                match Json.tryField "apiVersion" json, Json.tryField "kind" json with
                | Some v, Some k -> Some(Json.obj [ "apiVersion", v; "kind", k ])
                | _ -> None

            Error
                [ FieldError.admission
                      "kind"
                      (sprintf
                          "must be one of %s in %s"
                          (Kind.all |> List.map Kind.name |> String.concat ", ")
                          Kind.apiVersion)
                      found ]

    let kind (r: AnyResource) =
        match r with
        | Ztwim _ -> Kind.ZeroTrustWorkloadIdentityManager
        | SpireServer _ -> Kind.SpireServer
        | SpireAgent _ -> Kind.SpireAgent
        | SpiffeCSIDriver _ -> Kind.SpiffeCSIDriver
        | SpireOIDCDiscoveryProvider _ -> Kind.SpireOIDCDiscoveryProvider

    let metadata (r: AnyResource) =
        match r with
        | Ztwim x -> x.Metadata
        | SpireServer x -> x.Metadata
        | SpireAgent x -> x.Metadata
        | SpiffeCSIDriver x -> x.Metadata
        | SpireOIDCDiscoveryProvider x -> x.Metadata

    /// The spec alone, printed with every default filled in.
    let printSpec (r: AnyResource) =
        match r with
        | Ztwim x -> ZtwimSpec.print x.Spec
        | SpireServer x -> SpireServerSpec.print x.Spec
        | SpireAgent x -> SpireAgentSpec.print x.Spec
        | SpiffeCSIDriver x -> SpiffeCSIDriverSpec.print x.Spec
        | SpireOIDCDiscoveryProvider x -> SpireOIDCDiscoveryProviderSpec.print x.Spec

    /// The whole object with its defaulted spec (metadata and status as read).
    let print (r: AnyResource) =
        match r with
        | Ztwim x -> Resource.print ZtwimSpec.print x
        | SpireServer x -> Resource.print SpireServerSpec.print x
        | SpireAgent x -> Resource.print SpireAgentSpec.print x
        | SpiffeCSIDriver x -> Resource.print SpiffeCSIDriverSpec.print x
        | SpireOIDCDiscoveryProvider x -> Resource.print SpireOIDCDiscoveryProviderSpec.print x
