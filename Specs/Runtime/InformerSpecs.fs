module Ztwim.Specs.Runtime.InformerSpecs

open System
open System.Threading
open Expecto
open Ztwim.Kernel
open Ztwim.Adapters.Cluster
open Ztwim.Adapters.Runtime
open Ztwim.Adapters.Sim
open Ztwim.Adapters.Simulation
open Ztwim.Specs.Sim.SimFixture

/// An informer on the simulated cluster's ConfigMaps with our label, run on the deterministic scheduler.
type private Running =
    { Sim: Sim
      Scheduler: SimScheduler
      Informer: Informer
      Seen: ResizeArray<string>
      Stop: CancellationTokenSource }

    /// Lets every posted continuation run (watch events reach the informer).
    member r.Pump() = r.Scheduler.Run(fun () -> ())

    /// Moves simulated time on, firing timers on the scheduler.
    member r.Advance(span: TimeSpan) =
        let target = r.Sim.Clock.GetUtcNow() + span

        while r.Sim.Clock.NextDue.HasValue && r.Sim.Clock.NextDue.Value <= target do
            r.Scheduler.Run(fun () -> r.Sim.Clock.FireNext() |> ignore)

        r.Sim.Clock.MoveTo target
        r.Pump()

    member r.Names() =
        r.Informer.Objects()
        |> Seq.map (fun kv -> kv.Key.Name)
        |> Seq.sort
        |> List.ofSeq

let private start (options: SimClusterOptions) (t: ResourceType) =
    let s = simWith options
    let scheduler = SimScheduler()

    let informer =
        Informer(
            s.Cluster.Client "ztwim",
            s.Clock,
            t,
            Some "ns" |> Option.toObj,
            ControllerKeys.ManagedBySelector,
            NoObserver.Instance
        )

    let seen = ResizeArray<string>()
    informer.add_Changed (fun kind obj -> seen.Add(sprintf "%O %s" kind (obj.Meta "name")))
    let stop = new CancellationTokenSource()
    scheduler.Start(fun () -> informer.RunAsync stop.Token)

    { Sim = s
      Scheduler = scheduler
      Informer = informer
      Seen = seen
      Stop = stop }

let private ours =
    [ "app.kubernetes.io/managed-by", "zero-trust-workload-identity-manager" ]

let private put (r: Running) (name: string) (labels: (string * string) list) =
    ok (
        r.Sim.User.ApplyAsync(
            configMap name labels [ "k", name ]
            |> fun j -> j.With([| "metadata"; "namespace" |], JsonAccess.Of "ns"), "kubectl", true, ct
        )
    )
    |> ignore

[<Tests>]
let specs =
    testList
        "informer"
        [ test "lists, then takes in what the watch delivers, filtered by the label" {
              let r = start (SimClusterOptions()) configMaps
              r.Pump()
              Expect.isTrue r.Informer.Synced.IsCompleted "synced after the list"
              put r "a" ours
              put r "other" []
              r.Pump()
              Expect.equal (r.Names()) [ "a" ] "cache"
              Expect.equal (List.ofSeq r.Seen) [ "Added a" ] "changes reported"
          }

          test "an object that loses our label leaves the cache as a deletion" {
              let r = start (SimClusterOptions()) configMaps
              put r "a" ours
              r.Pump()

              ok (
                  r.Sim.User.MergePatchAsync(
                      refTo "v1" "ConfigMap" (Some "ns") "a",
                      Json.obj
                          [ "metadata", Json.obj [ "labels", Json.obj [ "app.kubernetes.io/managed-by", Json.Null ] ] ],
                      ct
                  )
              )
              |> ignore

              r.Pump()
              Expect.equal (r.Names()) [] "cache"
              Expect.equal (List.ofSeq r.Seen) [ "Added a"; "Deleted a" ] "changes"
          }

          test "a closed watch resumes from the last resourceVersion without listing again, missing nothing" {
              let r = start (SimClusterOptions()) configMaps
              r.Pump()
              r.Sim.Cluster.DisconnectWatches()
              put r "a" ours
              r.Pump()
              r.Advance(TimeSpan.FromSeconds 1.0)
              Expect.equal (r.Names()) [ "a" ] "cache"
              Expect.equal r.Informer.Lists 1 "no relist"
          }

          test "410 Gone after compaction makes it list again, and the cache is right after" {
              let r = start (SimClusterOptions()) configMaps
              put r "a" ours
              r.Pump()
              r.Sim.Cluster.DisconnectWatches()
              put r "b" ours

              ok (r.Sim.User.DeleteAsync(refTo "v1" "ConfigMap" (Some "ns") "a", ct))
              |> ignore

              r.Sim.Cluster.Compact()
              r.Pump()
              r.Advance(TimeSpan.FromSeconds 5.0)
              Expect.equal r.Informer.Lists 2 "listed again"
              Expect.equal (r.Names()) [ "b" ] "cache"
              Expect.contains r.Seen "Deleted a" "the deletion seen through the list"
          }

          test "a periodic relist makes good an event the connection lost" {
              let r = start (SimClusterOptions()) configMaps
              r.Pump()
              // Written behind the informer's back: a watch that is gone and a history that is compacted.
              r.Advance(Informer.DefaultRelist + TimeSpan.FromMinutes 1.0)
              Expect.isGreaterThanOrEqual r.Informer.Lists 2 "relisted"
          }

          test "a kind the server does not serve is an empty, synced cache" {
              let options =
                  SimClusterOptions(
                      ServedTypes = (ResourceTypes.All |> Seq.filter (fun t -> t.Kind <> "ConfigMap") |> Array.ofSeq)
                  )

              let r = start options configMaps
              r.Pump()
              Expect.isTrue r.Informer.Synced.IsCompleted "synced"
              Expect.isFalse r.Informer.Served "not served"
          } ]
