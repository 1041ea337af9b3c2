/// What the apiextensions server does to a CRD it accepts: its status says Established and NamesAccepted,
/// with the accepted names, so that `kubectl wait --for condition=established crd/...` returns. The kinds it
/// defines are served only if the simulation serves them already (the five operator CRDs and SPIRE's).
module Ztwim.Sim.Serve.CrdStatus

open System.Threading
open Ztwim.Kernel
open Ztwim.Adapters.Cluster
open Ztwim.Adapters.Sim

/// The kind of the CRD objects themselves.
let crdType =
    ResourceType("apiextensions.k8s.io/v1", "CustomResourceDefinition", "customresourcedefinitions", false)

let private isCrd (t: ResourceType) =
    t.ApiVersion = crdType.ApiVersion && t.Kind = crdType.Kind

/// The stored CRD that defines a kind, if one was applied (the simulation serves its kinds without one).
let definitionOf (cluster: SimCluster) (t: ResourceType) =
    if not (cluster.Serves crdType) then
        None
    else
        cluster.Objects crdType
        |> Seq.tryFind (fun d ->
            d.Str([| "spec"; "group" |]) = t.Group
            && d.Str([| "spec"; "names"; "plural" |]) = t.Plural)

let private established (crd: Json) =
    let since =
        Json.String(defaultArg (crd.Meta "creationTimestamp" |> Option.ofObj) "")

    let condition kind reason message =
        Json.obj
            [ "type", Json.String kind
              "status", Json.String "True"
              "reason", Json.String reason
              "message", Json.String message
              "lastTransitionTime", since ]

    let names =
        match box (JsonAccess.At(crd, [| "spec"; "names" |])) with
        | :? Json as n -> n
        | _ -> Json.obj []

    Json.obj
        [ "conditions",
          Json.Array
              [ condition "NamesAccepted" "NoConflicts" "no conflicts found"
                condition "Established" "InitialNamesAccepted" "the initial names have been accepted" ]
          "acceptedNames", names
          "storedVersions",
          Json.Array(
              crd.Items([| "spec"; "versions" |])
              |> Seq.filter (fun v -> JsonAccess.At(v, [| "storage" |]) = Json.Bool true)
              |> Seq.choose (fun v -> v.Str([| "name" |]) |> Option.ofObj |> Option.map Json.String)
              |> List.ofSeq
          ) ]

/// The result of a write, with a written CRD accepted first when its status does not say so yet.
let settle (cluster: SimCluster) (t: ResourceType) (written: ApiResult<Json>) =
    if not (isCrd t) || not written.IsOk then
        written
    else
        let crd = written.Value
        let wanted = established crd

        match box (JsonAccess.At(crd, [| "status" |])) with
        | :? Json as current when current = wanted -> written
        | _ ->
            (cluster.Client "apiextensions-apiserver")
                .UpdateStatusAsync(crd.With([| "status" |], wanted), CancellationToken.None)
                .Result
