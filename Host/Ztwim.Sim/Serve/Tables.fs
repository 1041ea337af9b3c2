/// Server-side printing: the `meta.k8s.io/v1` Table that `kubectl get` asks for (`Accept: ...;as=Table`), with
/// the columns a real API server prints for the kinds an operator user looks at (pods, workloads, nodes,
/// services, events) and, for custom resources, the additionalPrinterColumns of their stored CRD.
module Ztwim.Sim.Serve.Tables

open System
open System.Globalization
open System.Text.RegularExpressions
open Microsoft.AspNetCore.Http
open Ztwim.Kernel
open Ztwim.Adapters.Cluster

/// Whether the request asks for a Table rather than the objects.
let wanted (ctx: HttpContext) =
    (string ctx.Request.Headers.Accept).Contains "as=Table"

/// A duration as kubectl prints ages (Go's duration.HumanDuration): `42s`, `5m3s`, `2h`, `3d4h`, `400d`.
let human (d: TimeSpan) =
    let s = int64 (max 0.0 d.TotalSeconds)
    let m, h = s / 60L, s / 3600L

    let pair (a: int64) unitA (b: int64) unitB =
        if b = 0L then
            sprintf "%d%s" a unitA
        else
            sprintf "%d%s%d%s" a unitA b unitB

    if s < 120L then
        sprintf "%ds" s
    elif m < 10L then
        pair m "m" (s % 60L) "s"
    elif m < 180L then
        sprintf "%dm" m
    elif h < 8L then
        pair h "h" (m % 60L) "m"
    elif h < 48L then
        sprintf "%dh" h
    elif h < 24L * 8L then
        pair (h / 24L) "d" (h % 24L) "h"
    elif h < 24L * 365L * 2L then
        sprintf "%dd" (h / 24L)
    elif h < 24L * 365L * 8L then
        pair (h / 24L / 365L) "y" (h / 24L % 365L) "d"
    else
        sprintf "%dy" (h / 24L / 365L)

let private at (obj: Json) (path: string list) =
    match box (JsonAccess.At(obj, Array.ofList path)) with
    | :? Json as j -> Some j
    | _ -> None

let private text (obj: Json) (path: string list) =
    match at obj path with
    | Some(Json.String s) -> s
    | Some(Json.Number n) -> JsonText.number n
    | Some(Json.Bool b) -> if b then "true" else "false"
    | _ -> ""

let private number (obj: Json) (path: string list) =
    match at obj path with
    | Some(Json.Number n) -> n
    | _ -> 0m

let private ageOf (now: DateTimeOffset) (timestamp: string) =
    match DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal) with
    | true, t -> human (now - t)
    | _ -> "<unknown>"

/// One column: its header, its OpenAPI type, its priority (1: only with `-o wide`) and its cell.
type Column =
    { Name: string
      Type: string
      Priority: int
      Cell: DateTimeOffset -> Json -> Json }

let private column name cell =
    { Name = name
      Type = "string"
      Priority = 0
      Cell = fun _ o -> Json.String(cell o) }

let private count name cell =
    { Name = name
      Type = "integer"
      Priority = 0
      Cell = fun _ o -> Json.Number(cell o) }

let private nameColumn =
    { Name = "Name"
      Type = "string"
      Priority = 0
      Cell = fun _ o -> Json.String(text o [ "metadata"; "name" ]) }

let private ageColumn =
    { Name = "Age"
      Type = "string"
      Priority = 0
      Cell = fun now o -> Json.String(ageOf now (text o [ "metadata"; "creationTimestamp" ])) }

let private wide c = { c with Priority = 1 }

let private podStatus (pod: Json) =
    let waiting =
        pod.Items([| "status"; "containerStatuses" |])
        |> Seq.tryPick (fun c ->
            text c [ "state"; "waiting"; "reason" ]
            |> Option.ofObj
            |> Option.filter ((<>) ""))

    if text pod [ "metadata"; "deletionTimestamp" ] <> "" then
        "Terminating"
    else
        defaultArg waiting (text pod [ "status"; "phase" ])

let private podReady (pod: Json) =
    let statuses = pod.Items([| "status"; "containerStatuses" |])

    let ready =
        statuses
        |> Seq.filter (fun c -> at c [ "ready" ] = Some(Json.Bool true))
        |> Seq.length

    sprintf "%d/%d" ready (pod.Items([| "spec"; "containers" |]).Count)

let private conditionTrue (kind: string) (obj: Json) =
    obj.Items([| "status"; "conditions" |])
    |> Seq.exists (fun c -> text c [ "type" ] = kind && text c [ "status" ] = "True")

let private builtin (t: ResourceType) =
    match t.Group, t.Kind with
    | "", "Pod" ->
        Some
            [ nameColumn
              column "Ready" podReady
              column "Status" podStatus
              count "Restarts" (fun p ->
                  p.Items([| "status"; "containerStatuses" |])
                  |> Seq.sumBy (fun c -> number c [ "restartCount" ]))
              ageColumn
              wide (column "IP" (fun p -> text p [ "status"; "podIP" ]))
              wide (column "Node" (fun p -> text p [ "spec"; "nodeName" ])) ]
    | "apps", "Deployment" ->
        Some
            [ nameColumn
              column "Ready" (fun d ->
                  sprintf
                      "%s/%s"
                      (JsonText.number (number d [ "status"; "readyReplicas" ]))
                      (JsonText.number (number d [ "spec"; "replicas" ])))
              count "Up-to-date" (fun d -> number d [ "status"; "updatedReplicas" ])
              count "Available" (fun d -> number d [ "status"; "availableReplicas" ])
              ageColumn ]
    | "apps", "StatefulSet" ->
        Some
            [ nameColumn
              column "Ready" (fun d ->
                  sprintf
                      "%s/%s"
                      (JsonText.number (number d [ "status"; "readyReplicas" ]))
                      (JsonText.number (number d [ "spec"; "replicas" ])))
              ageColumn ]
    | "apps", "DaemonSet" ->
        Some
            [ nameColumn
              count "Desired" (fun d -> number d [ "status"; "desiredNumberScheduled" ])
              count "Current" (fun d -> number d [ "status"; "currentNumberScheduled" ])
              count "Ready" (fun d -> number d [ "status"; "numberReady" ])
              count "Up-to-date" (fun d -> number d [ "status"; "updatedNumberScheduled" ])
              count "Available" (fun d -> number d [ "status"; "numberAvailable" ])
              ageColumn ]
    | "", "Node" ->
        Some
            [ nameColumn
              column "Status" (fun n -> if conditionTrue "Ready" n then "Ready" else "NotReady")
              column "Roles" (fun n ->
                  n.Labels().Keys
                  |> Seq.filter (fun k -> k.StartsWith "node-role.kubernetes.io/")
                  |> Seq.map (fun k -> k.Substring "node-role.kubernetes.io/".Length)
                  |> String.concat ","
                  |> function
                      | "" -> "<none>"
                      | roles -> roles)
              ageColumn
              column "Version" (fun _ -> Discovery.kubernetesVersion) ]
    | "", "Service" ->
        Some
            [ nameColumn
              column "Type" (fun s ->
                  match text s [ "spec"; "type" ] with
                  | "" -> "ClusterIP"
                  | t -> t)
              column "Cluster-IP" (fun s ->
                  match text s [ "spec"; "clusterIP" ] with
                  | "" -> "<none>"
                  | ip -> ip)
              column "External-IP" (fun _ -> "<none>")
              column "Port(s)" (fun s ->
                  s.Items([| "spec"; "ports" |])
                  |> Seq.map (fun p ->
                      sprintf
                          "%s/%s"
                          (text p [ "port" ])
                          (match text p [ "protocol" ] with
                           | "" -> "TCP"
                           | x -> x))
                  |> String.concat ","
                  |> function
                      | "" -> "<none>"
                      | ports -> ports)
              ageColumn ]
    | "", "Namespace" ->
        // The simulation stores no namespace phase; one is Active until it is being deleted.
        Some
            [ nameColumn
              column "Status" (fun o ->
                  if text o [ "metadata"; "deletionTimestamp" ] <> "" then
                      "Terminating"
                  else
                      match text o [ "status"; "phase" ] with
                      | "" -> "Active"
                      | phase -> phase)
              ageColumn ]
    | "", "PersistentVolumeClaim" ->
        Some
            [ nameColumn
              column "Status" (fun o -> text o [ "status"; "phase" ])
              ageColumn ]
    | "", "Event" ->
        Some
            [ { Name = "Last Seen"
                Type = "string"
                Priority = 0
                Cell = fun now e -> Json.String(ageOf now (text e [ "lastTimestamp" ])) }
              column "Type" (fun e -> text e [ "type" ])
              column "Reason" (fun e -> text e [ "reason" ])
              column "Object" (fun e ->
                  sprintf
                      "%s/%s"
                      ((text e [ "involvedObject"; "kind" ]).ToLowerInvariant())
                      (text e [ "involvedObject"; "name" ]))
              column "Message" (fun e -> text e [ "message" ]) ]
    | "apiextensions.k8s.io", "CustomResourceDefinition" ->
        Some
            [ nameColumn
              column "Created At" (fun c -> text c [ "metadata"; "creationTimestamp" ]) ]
    | _ -> None

let private step =
    Regex(@"\.([A-Za-z0-9_\-]+)|\[\?\(@\.([A-Za-z0-9_\-]+)==""([^""]*)""\)\]|\[(\d+)\]", RegexOptions.Compiled)

/// The values a CRD printer column's JSONPath names (`.status.conditions[?(@.type=="Ready")].status`).
let private select (path: string) (obj: Json) =
    step.Matches path
    |> Seq.fold
        (fun (values: Json list) m ->
            if m.Groups.[1].Success then
                values |> List.choose (fun v -> at v [ m.Groups.[1].Value ])
            elif m.Groups.[2].Success then
                values
                |> List.collect (function
                    | Json.Array items ->
                        items
                        |> List.filter (fun i -> text i [ m.Groups.[2].Value ] = m.Groups.[3].Value)
                    | _ -> [])
            else
                values
                |> List.choose (function
                    | Json.Array items -> List.tryItem (int m.Groups.[4].Value) items
                    | _ -> None))
        [ obj ]

let private printerColumn (spec: Json) =
    let path = text spec [ "jsonPath" ]
    let kind = text spec [ "type" ]

    { Name = text spec [ "name" ]
      Type = (if kind = "date" then "string" else kind)
      Priority = int (number spec [ "priority" ])
      Cell =
        fun now o ->
            match select path o, kind with
            | Json.String s :: _, "date" -> Json.String(ageOf now s)
            | (Json.String _ | Json.Number _ | Json.Bool _ as v) :: _, _ -> v
            | _ -> Json.String "" }

/// The columns of a kind; <paramref name="crd"/> is its stored CustomResourceDefinition, if any.
let columns (t: ResourceType) (crd: Json option) =
    match builtin t, crd with
    | Some cs, _ -> cs
    | None, Some d ->
        let version =
            d.Items([| "spec"; "versions" |])
            |> Seq.tryFind (fun v -> text v [ "name" ] = t.Version)

        match version |> Option.map (fun v -> v.Items([| "additionalPrinterColumns" |])) with
        | Some specs when specs.Count > 0 -> nameColumn :: [ for s in specs -> printerColumn s ]
        | _ -> [ nameColumn; ageColumn ]
    | None, None -> [ nameColumn; ageColumn ]

/// The Table of <paramref name="items"/>; each row carries the object, or only its metadata, as asked.
let table (ctx: HttpContext) (now: DateTimeOffset) (columns: Column list) (items: Json seq) (rv: string) =
    let rowObject (o: Json) =
        match Wire.query ctx "includeObject" with
        | Some "Object" -> o
        | Some "None" -> Json.Null
        | _ ->
            Json.obj
                [ "kind", Json.String "PartialObjectMetadata"
                  "apiVersion", Json.String "meta.k8s.io/v1"
                  "metadata", defaultArg (at o [ "metadata" ]) (Json.obj []) ]

    Json.obj
        [ "kind", Json.String "Table"
          "apiVersion", Json.String "meta.k8s.io/v1"
          "metadata", Json.obj [ "resourceVersion", Json.String rv ]
          "columnDefinitions",
          Json.Array
              [ for c in columns ->
                    Json.obj
                        [ "name", Json.String c.Name
                          "type", Json.String c.Type
                          "format", Json.String(if c.Name = "Name" then "name" else "")
                          "description", Json.String ""
                          "priority", Json.Number(decimal c.Priority) ] ]
          "rows",
          Json.Array
              [ for o in items ->
                    Json.obj
                        [ "cells", Json.Array [ for c in columns -> c.Cell now o ]
                          "object", rowObject o ] ] ]
