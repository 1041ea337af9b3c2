/// A model of what a real API server does to the objects we send, written independently of the kernel: it
/// drops empty values, respells quantities and IntOrStrings, adds defaults, metadata and status, keeps items
/// others added to lists merged by key (in any order), and merges an apply into the stored object by key.
module Ztwim.Properties.ApiServerModel

open FsCheck
open FsCheck.FSharp
open Ztwim.Kernel
open Ztwim.Kernel.Api

/// One step from the root, innermost first.
type Step =
    | Field of string
    | Item

let private s = Json.String

/// The merge key of the items of the list at `steps`, per the Kubernetes API (None: atomic list).
let keyOf (kind: string) (steps: Step list) : (Json -> string list) option =
    let get (defaultValue: string) (name: string) (item: Json) =
        match Json.tryField name item with
        | Some(Json.String v) -> v
        | Some(Json.Number n) -> string n
        | _ -> defaultValue

    match steps with
    | Field "ports" :: Item :: Field("containers" | "initContainers") :: _ ->
        Some(fun i -> [ get "" "containerPort" i; get "TCP" "protocol" i ])
    | [ Field "ports"; Field "spec" ] when kind = "Service" ->
        Some(fun i -> [ get "" "port" i; get "TCP" "protocol" i ])
    | Field("containers" | "initContainers" | "volumes" | "env") :: _ -> Some(fun i -> [ get "" "name" i ])
    | Field "volumeMounts" :: _ -> Some(fun i -> [ get "" "mountPath" i ])
    | Field "tolerations" :: _ -> Some(fun i -> [ get "" "key" i; get "" "effect" i; get "Equal" "operator" i ])
    | Field "ownerReferences" :: _ -> Some(fun i -> [ get "" "uid" i ])
    | _ -> None

let private isEmpty (j: Json) =
    match j with
    | Json.Null
    | Json.String "" -> true
    | Json.Object m -> m.IsEmpty
    | Json.Array xs -> xs.IsEmpty
    | _ -> false

let private isQuantity (steps: Step list) =
    match steps with
    | Field _ :: Field("limits" | "requests") :: Field "resources" :: _
    | Field "sizeLimit" :: _ -> true
    | _ -> false

let private isIntOrString (steps: Step list) =
    match steps with
    | Field("targetPort" | "maxSurge" | "maxUnavailable" | "minAvailable") :: _
    | Field "port" :: Field("httpGet" | "tcpSocket") :: _ -> true
    | _ -> false

/// Other spellings of the same quantity, as the server or another client may write it.
let private respellings (j: Json) =
    let value =
        match j with
        | Json.Number n -> Some n
        | Json.String t ->
            match Quantity.parse t with
            | Ok q -> Some q.Value
            | Error _ -> None
        | _ -> None

    match value with
    | None -> [ j ]
    | Some v ->
        let binary =
            [ "Ki", 1024m; "Mi", 1048576m; "Gi", 1073741824m ]
            |> List.filter (fun (_, f) -> v <> 0m && v % f = 0m)
            |> List.map (fun (suffix, f) -> s (JsonText.number (v / f) + suffix))

        // A value near decimal's range has no milli spelling (the multiplication would overflow).
        let milli =
            if abs v < 1e24m && (v * 1000m) % 1m = 0m then
                [ s (JsonText.number (v * 1000m) + "m") ]
            else
                []

        [ j; s (JsonText.number v); Json.Number v ] @ binary @ milli

let private respelled (steps: Step list) (j: Json) : Gen<Json> =
    match j with
    | _ when isQuantity steps -> Gen.elements (respellings j)
    | Json.Number n when isIntOrString steps && n % 1m = 0m -> Gen.elements [ j; s (JsonText.number n) ]
    | Json.String t when isIntOrString steps && t <> "" && t |> Seq.forall System.Char.IsAsciiDigit ->
        Gen.elements [ j; Json.Number(decimal t) ]
    | _ -> Gen.constant j

/// Defaults the server fills in when absent, by where the object is: (member, value).
let defaults (kind: string) (steps: Step list) : (string * Json) list =
    match steps with
    | Item :: Field("containers" | "initContainers") :: _ ->
        [ "terminationMessagePath", s "/dev/termination-log"
          "terminationMessagePolicy", s "File"
          "imagePullPolicy", s "IfNotPresent" ]
    | Field "spec" :: Field "template" :: _ ->
        [ "dnsPolicy", s "ClusterFirst"
          "restartPolicy", s "Always"
          "schedulerName", s "default-scheduler"
          "securityContext", Json.obj []
          "terminationGracePeriodSeconds", Json.num 30 ]
    | Item :: Field "ports" :: Item :: Field("containers" | "initContainers") :: _ -> [ "protocol", s "TCP" ]
    | [ Item; Field "ports"; Field "spec" ] when kind = "Service" -> [ "protocol", s "TCP" ]
    | [ Field "spec" ] when kind = "Service" ->
        [ "clusterIP", s "172.30.12.7"
          "clusterIPs", Json.arr [ s "172.30.12.7" ]
          "type", s "ClusterIP"
          "sessionAffinity", s "None"
          "ipFamilies", Json.arr [ s "IPv4" ] ]
    | [ Field "spec" ] when kind = "StatefulSet" ->
        [ "podManagementPolicy", s "OrderedReady"; "revisionHistoryLimit", Json.num 10 ]
    | [ Field "spec" ] when kind = "PersistentVolumeClaim" ->
        [ "volumeMode", s "Filesystem"
          "storageClassName", s "gp3-csi"
          "volumeName", s "pvc-0b7c" ]
    | Field "configMap" :: Item :: Field "volumes" :: _ -> [ "defaultMode", Json.num 420 ]
    | Field "httpGet" :: _ -> [ "scheme", s "HTTP" ]
    | Field "livenessProbe" :: _ -> [ "timeoutSeconds", Json.num 1; "failureThreshold", Json.num 3 ]
    | Field "template" :: _ -> [ "metadata", Json.obj [ "creationTimestamp", Json.Null ] ]
    | [ Field "metadata" ] ->
        [ "uid", s "0b7c6a52-9f4e-4b8e-a1d2-5c3f7e9a1b00"
          "resourceVersion", s "81723"
          "generation", Json.num 2
          "creationTimestamp", s "2026-01-02T15:04:05Z"
          "managedFields",
          Json.arr [ Json.obj [ "manager", s "ztwim"; "operation", s "Apply"; "fieldsType", s "FieldsV1" ] ] ]
    | [ Field "labels"; Field "metadata" ] -> [ "example.com/added-by", s "admission-webhook" ]
    | [ Field "annotations"; Field "metadata" ] -> [ "openshift.io/sa.scc.uid-range", s "1000650000/10000" ]
    | [] ->
        [ "status", Json.obj [ "observedGeneration", Json.num 2; "conditions", Json.arr [] ]
          "metadata", Json.obj [] ]
    | _ -> []

/// Every member name a default can fill: removing such a member from desired may not be visible.
let defaultedNames =
    let kinds = [ "Service"; "StatefulSet"; "PersistentVolumeClaim"; "" ]

    let places =
        [ [ Item; Field "containers" ]
          [ Field "spec"; Field "template" ]
          [ Item; Field "ports"; Item; Field "containers" ]
          [ Item; Field "ports"; Field "spec" ]
          [ Field "spec" ]
          [ Field "configMap"; Item; Field "volumes" ]
          [ Field "httpGet" ]
          [ Field "livenessProbe" ]
          [ Field "template" ]
          [ Field "metadata" ] ]

    [ for k in kinds do
          for p in places do
              yield! defaults k p |> List.map fst ]
    |> Set.ofList
    |> Set.add "targetPort"

/// Items another field manager (an injector, an admission webhook) adds to lists merged by key.
let private foreignItems (steps: Step list) : Json list =
    match steps with
    | Field "containers" :: _ -> [ Json.obj [ "name", s "x-sidecar"; "image", s "proxy:1" ] ]
    | Field "env" :: _ -> [ Json.obj [ "name", s "X_INJECTED"; "value", s "1" ] ]
    | Field "volumes" :: _ -> [ Json.obj [ "name", s "x-injected"; "emptyDir", Json.obj [] ] ]
    | Field "volumeMounts" :: _ -> [ Json.obj [ "name", s "x-injected"; "mountPath", s "/x-injected" ] ]
    | Field "ports" :: Item :: _ -> [ Json.obj [ "containerPort", Json.num 65001; "protocol", s "TCP" ] ]
    | _ -> []

let private kindOf (j: Json) =
    match Json.tryField "kind" j with
    | Some(Json.String k) -> k
    | _ -> ""

/// The merge key of a list the server merges by key: lists of objects only (an SCC's `volumes` is a list of
/// strings), and not tolerations: the pod spec's tolerations are an atomic list, kept in order and never merged
/// with other managers'.
let private mergeKey (kind: string) (steps: Step list) (items: Json list) =
    keyOf kind steps
    |> Option.filter (fun _ ->
        items
        |> List.forall (function
            | Json.Object _ -> true
            | _ -> false)
        && List.tryHead steps <> Some(Field "tolerations"))

/// What the server stores for `json`: empties dropped, scalars respelled, defaults filled where absent, keyed
/// lists shuffled with foreign items beside ours, and now and then a member nobody asked for.
let serve (json: Json) : Gen<Json> =
    let kind = kindOf json

    let rec at (steps: Step list) (j: Json) : Gen<Json> =
        match j with
        | Json.Object m ->
            gen {
                let! members =
                    m
                    |> Map.toList
                    |> List.filter (fun (_, v) -> not (isEmpty v))
                    |> List.map (fun (k, v) -> at (Field k :: steps) v |> Gen.map (fun v -> k, v))
                    |> Gen.sequenceToList

                let present = members |> List.map fst |> Set.ofList

                let! filled =
                    defaults kind steps
                    |> List.filter (fun (k, _) -> not (present.Contains k))
                    |> List.map (fun (k, v) -> at (Field k :: steps) v |> Gen.map (fun v -> k, v))
                    |> Gen.sequenceToList

                let! stray = Gen.elements [ []; []; []; [ "x-server-default", Json.Bool true ] ]
                return Json.obj (filled @ stray @ members)
            }
        | Json.Array items ->
            gen {
                let! served = items |> List.map (at (Item :: steps)) |> Gen.sequenceToList

                match mergeKey kind steps served with
                | Some key ->
                    let ours = served |> List.map key |> Set.ofList

                    let foreign =
                        foreignItems steps |> List.filter (fun i -> not (ours.Contains(key i)))

                    let! withForeign = Gen.elements [ served; served @ foreign ]
                    let! shuffled = Gen.shuffle withForeign
                    return Json.arr (List.ofArray shuffled)
                | _ -> return Json.arr served
            }
        | scalar -> respelled steps scalar

    at [] json

/// Server-side apply of `desired` onto the stored object: members merged, lists merged by key keep the items
/// of others (ours merged in place or appended), atomic lists (of scalars, tolerations) and scalars replaced,
/// a null removes. A key the stored list holds more than once (an update may leave two container ports on
/// 8081/TCP) is, as structured-merge-diff does, replaced as a whole: one item, ours, where all of them were.
let merge (desired: Json) (stored: Json) : Json =
    let kind = kindOf desired

    let rec at (steps: Step list) (d: Json) (o: Json option) : Json option =
        match d, o with
        | Json.Null, _ -> None
        | Json.Object dm, Some(Json.Object om) ->
            dm
            |> Map.fold
                (fun (acc: Map<string, Json>) k v ->
                    match at (Field k :: steps) v (Map.tryFind k acc) with
                    | Some x -> Map.add k x acc
                    | None -> Map.remove k acc)
                om
            |> Json.Object
            |> Some
        | Json.Array ds, Some(Json.Array os) ->
            match mergeKey kind steps (ds @ os) with
            | Some key ->
                ds
                |> List.fold
                    (fun (acc: Json list) d ->
                        let same (o: Json) = key o = key d

                        match acc |> List.tryFindIndex same, acc |> List.filter same |> List.length with
                        | None, _ -> acc @ [ d ]
                        | Some i, 1 ->
                            match at (Item :: steps) d (Some acc.[i]) with
                            | Some x -> List.updateAt i x acc
                            | None -> List.removeAt i acc
                        | Some i, _ -> List.insertAt i d (acc |> List.filter (same >> not)))
                    os
                |> Json.Array
                |> Some
            | None -> Some d
        | _ -> Some d

    at [] desired (Some stored) |> Option.defaultValue Json.Null
