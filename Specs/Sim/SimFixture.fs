/// Driving the simulated cluster from specs: a cluster on a fresh SimClock, requests answered at once,
/// simulated time moved forward firing due timers, watch channels drained, objects built from JSON text.
module Ztwim.Specs.Sim.SimFixture

open System
open System.Threading
open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Render
open Ztwim.Adapters.Cluster
open Ztwim.Adapters.Sim
open Ztwim.Specs.Api.Examples

/// A simulated cluster with its clock and a user client named "kubectl".
type Sim =
    { Clock: SimClock
      Cluster: SimCluster
      User: SimClusterClient }

let simWith (options: SimClusterOptions) =
    let clock = SimClock()
    let cluster = SimCluster(clock, options)

    { Clock = clock
      Cluster = cluster
      User = cluster.Client "kubectl" }

let sim () = simWith (SimClusterOptions())

let private now (t: Tasks.Task<ApiResult<'T>>) =
    Expect.isTrue t.IsCompleted "the simulated cluster answers synchronously"
    t.Result

/// The value of a request that must succeed.
let ok (t: Tasks.Task<ApiResult<'T>>) =
    let r = now t

    if not r.IsOk then
        failtestf "request failed: %O" r.Error

    r.Value

/// The error of a request that must fail.
let fails (t: Tasks.Task<ApiResult<'T>>) =
    let r = now t

    if r.IsOk then
        failtestf "request succeeded: %O" r.Value

    r.Error

let ct = CancellationToken.None

/// Moves simulated time forward by `span`, firing every timer due on the way, in order.
let advance (s: Sim) (span: TimeSpan) =
    let target = s.Clock.GetUtcNow() + span

    while s.Clock.NextDue.HasValue && s.Clock.NextDue.Value <= target do
        s.Clock.FireNext() |> ignore

    s.Clock.MoveTo target

/// Every event waiting in a watch channel, and whether the channel has completed.
let drain (w: IWatch) =
    let events = ResizeArray<WatchEvent>()
    let mutable e = Unchecked.defaultof<WatchEvent>

    while w.Events.TryRead(&e) do
        events.Add e

    List.ofSeq events, w.Events.Completion.IsCompleted

/// The watch events as `Type name`, e.g. "Added cm-1".
let shown (events: WatchEvent list) =
    events
    |> List.map (fun e -> sprintf "%O %s" e.Type (e.Object.Meta "name" |> Option.ofObj |> Option.defaultValue ""))

let typeOf (apiVersion: string) (kind: string) = ResourceTypes.Find(apiVersion, kind)

let configMaps = typeOf "v1" "ConfigMap"
let pods = typeOf "v1" "Pod"
let claims = typeOf "v1" "PersistentVolumeClaim"
let events = typeOf "v1" "Event"
let statefulSets = typeOf "apps/v1" "StatefulSet"
let daemonSets = typeOf "apps/v1" "DaemonSet"
let deployments = typeOf "apps/v1" "Deployment"

let refTo (apiVersion: string) (kind: string) (ns: string option) (name: string) =
    { ApiVersion = apiVersion
      Kind = kind
      Namespace = ns
      Name = name }

let refOf (obj: Json) = obj.RefOf()

/// A ConfigMap in namespace "ns" with labels and data.
let configMap (name: string) (labels: (string * string) list) (data: (string * string) list) =
    Json.obj
        [ "apiVersion", str "v1"
          "kind", str "ConfigMap"
          "metadata",
          Json.obj
              [ "name", str name
                "namespace", str "ns"
                "labels", Json.obj (labels |> List.map (fun (k, v) -> k, str v)) ]
          "data", Json.obj (data |> List.map (fun (k, v) -> k, str v)) ]

/// The value at a dotted path (see Examples.tryGet), failing when absent.
let at (path: string) (doc: Json) =
    match tryGet path doc with
    | Some v -> v
    | None -> failtestf "no %s in %s" path (doc.Compact())

let text (path: string) (doc: Json) =
    match tryGet path doc with
    | Some(Json.String s) -> s
    | other -> failtestf "%s is %A, not a string" path other

let number (path: string) (doc: Json) =
    match tryGet path doc with
    | Some(Json.Number n) -> int64 n
    | None -> 0L
    | other -> failtestf "%s is %A, not a number" path other

let rv (doc: Json) = text "metadata.resourceVersion" doc

/// Re-reads an object as stored now.
let find (s: Sim) (r: ObjectRef) =
    match box (s.Cluster.Find r) with
    | null -> None
    | found -> Some(found :?> Json)

let reread (s: Sim) (obj: Json) =
    match find s (refOf obj) with
    | Some found -> found
    | None -> failtestf "%s is gone" ((refOf obj).Show())

let isGone (s: Sim) (r: ObjectRef) = (find s r).IsNone

/// The names of the stored objects of a type in a namespace.
let names (s: Sim) (t: ResourceType) (ns: string) =
    s.Cluster.Objects(t, ns) |> Seq.map (fun o -> o.Meta "name") |> List.ofSeq
