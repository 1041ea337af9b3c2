namespace Ztwim.Kernel.Plan

open Ztwim.Kernel
open Ztwim.Kernel.Render

/// An immutable value the cluster runs with that the CRs now ask to change.
type AppliedChange =
    {
        /// The CR field, e.g. `ZeroTrustWorkloadIdentityManager spec.trustDomain`.
        Field: string
        /// The value recorded on the running operand (its `ztwim.openshift.io/applied-*` annotation).
        Applied: string
        /// The value the CRs now ask for ("" when the field was removed).
        Requested: string
    }

/// Reading back what is applied: the renderers record each immutable value in an `applied-*` annotation on
/// the object that embodies it, so comparing the annotations of the desired objects with the observed ones
/// finds every immutable change, without knowing which object carries which value.
[<RequireQualifiedAccess>]
module AppliedValues =

    let private prefix = Manifest.applied ""

    /// The CR field each annotation records.
    let fieldOf (annotation: string) =
        match annotation.Substring prefix.Length with
        | "trustDomain" -> "ZeroTrustWorkloadIdentityManager spec.trustDomain"
        | "clusterName" -> "ZeroTrustWorkloadIdentityManager spec.clusterName"
        | "bundleConfigMap" -> "ZeroTrustWorkloadIdentityManager spec.bundleConfigMap"
        | "persistence" -> "SpireServer spec.persistence"
        | "federationProfile" -> "SpireServer spec.federation.bundleEndpoint"
        | other -> other

    let private applied (json: Json) : Map<string, string> =
        match json |> Json.tryField "metadata" |> Option.bind (Json.tryField "annotations") with
        | Some(Json.Object m) ->
            m
            |> Map.filter (fun k _ -> k.StartsWith prefix)
            |> Map.toSeq
            |> Seq.choose (fun (k, v) ->
                match v with
                | Json.String s -> Some(k, s)
                | _ -> None)
            |> Map.ofSeq
        | _ -> Map.empty

    /// Every immutable value whose requested value differs from the applied one, once per field, sorted.
    let changes (desired: DesiredObject list) (observed: Map<ObjectRef, Json>) : AppliedChange list =
        DesiredObject.manifests desired
        |> List.collect (fun (r, d) ->
            match Map.tryFind r observed with
            | None -> []
            | Some o ->
                let wanted = applied d

                applied o
                |> Map.toList
                |> List.choose (fun (k, was) ->
                    let now = Map.tryFind k wanted |> Option.defaultValue ""

                    if now = was then
                        None
                    else
                        Some
                            { Field = fieldOf k
                              Applied = was
                              Requested = now }))
        |> List.distinctBy _.Field
        |> List.sortBy _.Field
