namespace Ztwim.Kernel.Plan

open System
open System.Globalization
open Ztwim.Kernel
open Ztwim.Kernel.Api

/// Where desired and observed first disagree: the field path (`spec.template.spec.containers[spire-server].image`)
/// and what is wrong there (`differs`, `is missing`, `has 3 items, desired 2`).
type Difference = { Path: string; Problem: string }

/// Printing differences.
[<RequireQualifiedAccess>]
module Difference =

    /// `path problem`, the reason an Apply carries.
    let describe (d: Difference) =
        if d.Path = "" then d.Problem else d.Path + " " + d.Problem

/// "desired ⊆ observed": every field we set is present and equal in the observed object, after the
/// normalisation the API server applies; whatever else the server or others add never matters.
[<RequireQualifiedAccess>]
module Subset =

    /// One step from the root: a member, or an item of a list.
    type private Step =
        | Member of string
        | Item

    /// Where the comparison is: the desired object's kind, the steps from the root (innermost first) and the
    /// printable path.
    type private At =
        { Kind: string
          Steps: Step list
          Path: string }

    let private simpleName (k: string) =
        k <> ""
        && k |> Seq.forall (fun c -> Char.IsAsciiLetterOrDigit c || c = '-' || c = '_')

    let private memberAt (at: At) (k: string) =
        { at with
            Steps = Member k :: at.Steps
            Path =
                if simpleName k then
                    (if at.Path = "" then k else at.Path + "." + k)
                else
                    at.Path + "[" + k + "]" }

    let private itemAt (at: At) (label: string) =
        { at with
            Steps = Item :: at.Steps
            Path = at.Path + "[" + label + "]" }

    /// A key part: a string, or a number as JSON prints it, or the server's default when absent.
    let private part (fallback: string option) (field: string) (item: Json) =
        match Json.tryField field item with
        | Some(Json.String s) -> Some s
        | Some(Json.Number n) -> Some(JsonText.number n)
        | None
        | Some Json.Null -> fallback
        | Some _ -> None

    let private required = part None
    let private defaulted value = part (Some value)

    /// How Kubernetes merges the items of a list: by which fields, printed how. None: atomic, by position.
    let private keyOf (at: At) : (Json -> string option) option =
        let joined (sep: string) (parts: (Json -> string option) list) (item: Json) =
            let values = parts |> List.map (fun p -> p item)

            if values |> List.forall Option.isSome then
                Some(values |> List.choose id |> String.concat sep)
            else
                None

        match at.Steps with
        | Member "ports" :: Item :: Member("containers" | "initContainers" | "ephemeralContainers") :: _ ->
            Some(joined "/" [ required "containerPort"; defaulted "TCP" "protocol" ])
        | [ Member "ports"; Member "spec" ] when at.Kind = "Service" ->
            Some(joined "/" [ required "port"; defaulted "TCP" "protocol" ])
        | Member("containers" | "initContainers" | "ephemeralContainers" | "volumes" | "env" | "imagePullSecrets") :: _ ->
            Some(required "name")
        // The API server keys volume mounts by mountPath: one volume may be mounted twice (subPath).
        | Member "volumeMounts" :: _ -> Some(required "mountPath")
        | Member "tolerations" :: _ ->
            Some(joined ":" [ defaulted "" "key"; defaulted "" "effect"; defaulted "Equal" "operator" ])
        | Member "ownerReferences" :: Member "metadata" :: _ -> Some(required "uid")
        | _ -> None

    /// Resource quantities: container and claim `resources.limits`/`requests`, and an emptyDir's sizeLimit.
    let private isQuantity (at: At) =
        match at.Steps with
        | Member _ :: Member("limits" | "requests") :: Member "resources" :: _
        | Member "sizeLimit" :: _ -> true
        | _ -> false

    /// Fields of type IntOrString, where 8443 and "8443" are one value.
    let private isIntOrString (at: At) =
        match at.Steps with
        | Member("targetPort" | "maxSurge" | "maxUnavailable" | "minAvailable") :: _
        | Member "port" :: Member("httpGet" | "tcpSocket") :: _ -> true
        | _ -> false

    let private quantityValue (j: Json) =
        match j with
        | Json.Number n -> Some n
        | Json.String s ->
            match Quantity.parse s with
            | Ok q -> Some q.Value
            | Error _ -> None
        | _ -> None

    let private integerValue (j: Json) =
        match j with
        | Json.Number n when n = Math.Truncate n -> Some n
        | Json.String s ->
            match Int64.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture) with
            | true, i -> Some(decimal i)
            | _ -> None
        | _ -> None

    let private sameScalar (at: At) (d: Json) (o: Json) =
        let sameBy (value: Json -> decimal option) =
            match value d, value o with
            | Some x, Some y -> x = y
            | _ -> false

        d = o
        || (isQuantity at && sameBy quantityValue)
        || (isIntOrString at && sameBy integerValue)

    /// What the API server drops (omitempty): empty strings, maps and lists, and nulls.
    let private isEmpty (j: Json) =
        match j with
        | Json.Null
        | Json.String "" -> true
        | Json.Object m -> m.IsEmpty
        | Json.Array xs -> xs.IsEmpty
        | _ -> false

    let private present (j: Json option) =
        j |> Option.filter (fun v -> v <> Json.Null)

    let private itemsText (n: int) =
        if n = 1 then "1 item" else sprintf "%d items" n

    let rec private within (at: At) (desired: Json) (observed: Json option) : Difference option =
        let differs () =
            Some { Path = at.Path; Problem = "differs" }

        match desired, observed with
        | Json.Null, _ -> None
        | _, None when isEmpty desired -> None
        | _, None ->
            Some
                { Path = at.Path
                  Problem = "is missing" }
        | Json.Object dm, Some(Json.Object om) ->
            dm
            |> Map.toSeq
            |> Seq.tryPick (fun (k, v) -> within (memberAt at k) v (present (Map.tryFind k om)))
        | Json.Array ds, Some(Json.Array os) -> compareLists at ds os
        | (Json.Object _ | Json.Array _), Some _ -> differs ()
        | _, Some o -> if sameScalar at desired o then None else differs ()

    and private compareLists (at: At) (ds: Json list) (os: Json list) =
        let keyed =
            keyOf at
            |> Option.bind (fun key ->
                let keys = ds |> List.map key

                if keys |> List.forall Option.isSome && (List.distinct keys).Length = keys.Length then
                    Some(key, keys |> List.choose id)
                else
                    None)

        match keyed with
        | Some(key, keys) ->
            List.zip keys ds
            |> List.tryPick (fun (k, d) ->
                let o = os |> List.tryFind (fun o -> key o = Some k)
                within (itemAt at k) d o)
        | None when ds.Length <> os.Length ->
            Some
                { Path = at.Path
                  Problem = sprintf "has %s, desired %d" (itemsText os.Length) ds.Length }
        | None ->
            List.zip ds os
            |> List.indexed
            |> List.tryPick (fun (i, (d, o)) -> within (itemAt at (string i)) d (present (Some o)))

    /// The first field, in key and list order, where `desired` is not a subset of `observed`; None when every
    /// field we set is there.
    let difference (desired: Json) (observed: Json) : Difference option =
        let kind =
            match Json.tryField "kind" desired with
            | Some(Json.String k) -> k
            | _ -> ""

        within { Kind = kind; Steps = []; Path = "" } desired (present (Some observed))

    /// Whether every field we set is present and equal in the observed object.
    let holds (desired: Json) (observed: Json) = (difference desired observed).IsNone
