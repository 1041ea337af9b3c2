/// "A cluster under test" for the conformance suite: the port to it, how to let time pass until an asynchronous
/// effect shows (simulated time moved forward, or the real server polled with a limit), and a namespace and name
/// prefix of the test's own, so that tests sharing one real API server never see each other's objects.
module Ztwim.Specs.Conformance.ClusterUnderTest

open System
open System.Threading
open System.Threading.Tasks
open Expecto
open Ztwim.Kernel
open Ztwim.Adapters.Cluster

/// Which implementation answers: a property asserts one behaviour for both, or, for a named difference, each its own.
type Flavour =
    | Simulated
    | Real

type ClusterUnderTest =
    {
        Flavour: Flavour
        Client: IClusterClient
        /// The field manager the client's create, update and merge patch are recorded under.
        UpdateManager: string
        /// A namespace that exists and belongs to this test alone.
        Namespace: string
        /// Starts the name of every cluster-scoped object the test makes.
        Prefix: string
        /// Waits until the check holds (simulated time moves on, or the server is polled), failing with `what` at the limit.
        Eventually: string -> (unit -> Task<bool>) -> Task<unit>
        /// The next event of a watch, waiting as long as a server may take to send one (a bookmark, say); None if none came.
        NextEvent: IWatch -> Task<WatchEvent option>
        /// Every resourceVersion until now expires: a watch of `ExpiringType` from one gets 410 Gone.
        Expire: unit -> Task<unit>
        /// The kind whose watches `Expire` affects (the real server's watch cache serves most kinds from memory).
        ExpiringType: ResourceType
        /// Whether a garbage collector deletes dependents whose owners are gone.
        HasGarbageCollector: bool
    }

/// One property, written once, run against each cluster.
type Property =
    { Name: string
      Run: ClusterUnderTest -> Task<unit> }

let property name run = { Name = name; Run = run }

let ct = CancellationToken.None

let typeOf (apiVersion: string) (kind: string) =
    match ResourceTypes.Find(apiVersion, kind) with
    | null -> failwithf "no resource type %s %s" apiVersion kind
    | t -> t

let configMaps = typeOf "v1" "ConfigMap"
let events = typeOf "v1" "Event"
let clusterSpiffeIds = typeOf "spire.spiffe.io/v1alpha1" "ClusterSPIFFEID"

/// The value of a request that must succeed.
let ok (what: string) (t: Task<ApiResult<'T>>) =
    task {
        let! r = t

        if not r.IsOk then
            failtestf "%s: request failed: %O" what r.Error

        return r.Value
    }

/// The error of a request that must fail.
let fails (what: string) (t: Task<ApiResult<'T>>) =
    task {
        let! r = t

        if r.IsOk then
            failtestf "%s: request succeeded: %O" what r.Value

        return r.Error
    }

/// Whether a member looked up (JsonAccess.At) is missing.
let absent (value: Json) = isNull (box value)

let rv (obj: Json) = obj.Meta "resourceVersion"

let generation (obj: Json) =
    obj.Int("metadata", "generation") |> Option.ofNullable

/// A ConfigMap in the test's namespace.
let configMap (c: ClusterUnderTest) (name: string) (labels: (string * string) list) (data: (string * string) list) =
    Json.obj
        [ "apiVersion", Json.String "v1"
          "kind", Json.String "ConfigMap"
          "metadata",
          Json.obj (
              [ "name", Json.String name; "namespace", Json.String c.Namespace ]
              @ (if labels.IsEmpty then
                     []
                 else
                     [ "labels", Json.obj (labels |> List.map (fun (k, v) -> k, Json.String v)) ])
          )
          "data", Json.obj (data |> List.map (fun (k, v) -> k, Json.String v)) ]

/// A ClusterSPIFFEID (cluster-scoped, with a status subresource) named after the test's prefix.
let clusterSpiffeId (c: ClusterUnderTest) (name: string) (template: string) =
    Json.obj
        [ "apiVersion", Json.String "spire.spiffe.io/v1alpha1"
          "kind", Json.String "ClusterSPIFFEID"
          "metadata", Json.obj [ "name", Json.String(c.Prefix + name) ]
          "spec", Json.obj [ "spiffeIDTemplate", Json.String template ] ]

/// A v1 Event in the test's namespace (a kind the real server keeps no watch cache for).
let eventAbout (c: ClusterUnderTest) (name: string) =
    Json.obj
        [ "apiVersion", Json.String "v1"
          "kind", Json.String "Event"
          "metadata", Json.obj [ "name", Json.String name; "namespace", Json.String c.Namespace ]
          "involvedObject",
          Json.obj
              [ "kind", Json.String "ConfigMap"
                "name", Json.String "a"
                "namespace", Json.String c.Namespace ]
          "reason", Json.String "Test"
          "message", Json.String "m"
          "type", Json.String "Normal" ]

/// The next event that is not a bookmark (a server may send one at any time), or None; a watch that only ever
/// sends bookmarks (the simulation's, once a simulated minute) counts as quiet after a few.
let nextChange (c: ClusterUnderTest) (w: IWatch) =
    task {
        let mutable bookmarks = 0
        let mutable found = None
        let mutable go = true

        while go do
            match! c.NextEvent w with
            | Some e when e.Type = WatchEventType.Bookmark && bookmarks < 3 -> bookmarks <- bookmarks + 1
            | Some e when e.Type = WatchEventType.Bookmark -> go <- false
            | other ->
                found <- other
                go <- false

        return found
    }

let shown (e: WatchEvent) =
    sprintf "%O %s" e.Type (e.Object.Meta "name" |> Option.ofObj |> Option.defaultValue "")

/// Polls `check` every `step` until it holds or `limit` has passed.
let poll (limit: TimeSpan) (step: TimeSpan) (what: string) (check: unit -> Task<bool>) =
    task {
        let deadline = DateTimeOffset.UtcNow + limit
        let mutable held = false

        while not held do
            let! now = check ()
            held <- now

            if not held then
                if DateTimeOffset.UtcNow > deadline then
                    failtestf "waited %O for %s" limit what

                do! Task.Delay step
    }

let seconds (n: float) = TimeSpan.FromSeconds n
