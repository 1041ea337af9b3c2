/// The simulated cluster as a cluster under test: a fresh SimCluster per test on its own SimClock, where letting
/// time pass is moving the clock forward (firing every timer due on the way), so that nothing really waits.
module Ztwim.Specs.Conformance.SimulatedCluster

open System
open System.Threading.Tasks
open Expecto
open Ztwim.Adapters.Cluster
open Ztwim.Adapters.Sim
open Ztwim.Specs.Conformance.ClusterUnderTest

let private step = TimeSpan.FromSeconds 1.0

// Longer than anything the simulated cluster schedules (bookmarks come every minute).
let private patience = TimeSpan.FromMinutes 3.0

let private forward (clock: SimClock) (span: TimeSpan) =
    let target = clock.GetUtcNow() + span

    while clock.NextDue.HasValue && clock.NextDue.Value <= target do
        clock.FireNext() |> ignore

    clock.MoveTo target

let private next (clock: SimClock) (w: IWatch) =
    let mutable e = Unchecked.defaultof<WatchEvent>
    let mutable waited = TimeSpan.Zero

    while not (w.Events.TryRead(&e))
          && not w.Events.Completion.IsCompleted
          && waited < patience do
        forward clock step
        waited <- waited + step

    Task.FromResult(if isNull (box e) then None else Some e)

let private eventually (clock: SimClock) (what: string) (check: unit -> Task<bool>) =
    task {
        let mutable waited = TimeSpan.Zero
        let! first = check ()
        let mutable held = first

        while not held do
            if waited >= patience then
                failtestf "waited %O of simulated time for %s" patience what

            forward clock step
            waited <- waited + step
            let! now = check ()
            held <- now
    }

/// A new simulated cluster (plain Kubernetes kinds plus the operator's CRDs) with the test's namespace.
let create () =
    let clock = SimClock()

    let cluster =
        SimCluster(clock, SimClusterOptions(Namespaces = [| "default"; "kube-system"; "conformance" |]))

    let c =
        { Flavour = Simulated
          Client = cluster.Client "conformance"
          UpdateManager = "conformance"
          Namespace = "conformance"
          Prefix = "conformance-"
          Eventually = eventually clock
          NextEvent = next clock
          Expire =
            fun () ->
                cluster.Compact()
                Task.FromResult()
          ExpiringType = events
          HasGarbageCollector = true }

    c, cluster
