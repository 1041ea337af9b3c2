module Ztwim.Specs.Sim.SimWatchSpecs

open System
open Expecto
open Ztwim.Kernel
open Ztwim.Adapters.Cluster
open Ztwim.Adapters.Sim
open Ztwim.Specs.Api.Examples
open Ztwim.Specs.Sim.SimFixture

let private create (s: Sim) obj = s.User.CreateAsync(obj, ct) |> ok

let private watch (s: Sim) ns selector from =
    s.User.WatchAsync(configMaps, ns, selector, from, ct) |> ok

[<Tests>]
let tests =
    testList
        "sim-cluster watch"
        [ test "a watch from now gets every later change, in order, with the object" {
              let s = sim ()
              let w = watch s "ns" null ""
              let a = create s (configMap "a" [] [ "k", "1" ])
              let a2 = s.User.UpdateAsync(set "data.k" (str "2") a, ct) |> ok
              s.User.DeleteAsync(refOf a, ct) |> ok |> ignore
              let events, completed = drain w
              Expect.equal (shown events) [ "Added a"; "Modified a"; "Deleted a" ] "events"
              Expect.equal events.[1].Object a2 "the object as written"

              Expect.equal
                  (int64 (rv events.[2].Object))
                  s.Cluster.ResourceVersion
                  "deleted at the deletion's resourceVersion"

              Expect.isFalse completed "still open"
          }
          test "rv \"0\" also means from now: nothing already stored is replayed" {
              let s = sim ()
              create s (configMap "a" [] []) |> ignore
              let w = watch s "ns" null "0"
              Expect.equal (fst (drain w)) [] "nothing"
          }
          test "a watch from a past resourceVersion replays what came after it" {
              let s = sim ()
              let a = create s (configMap "a" [] [])
              create s (configMap "b" [] []) |> ignore
              create s (configMap "c" [] []) |> ignore
              Expect.equal (shown (fst (drain (watch s "ns" null (rv a))))) [ "Added b"; "Added c" ] "replayed"
          }
          test "with a selector, an object that stops matching is Deleted and one that starts matching is Added" {
              let s = sim ()
              let a = create s (configMap "a" [ "app", "x" ] [])
              let w = watch s "ns" "app=x" (rv a)
              let moved = s.User.UpdateAsync(set "metadata.labels.app" (str "y") a, ct) |> ok
              let back = s.User.UpdateAsync(set "metadata.labels.app" (str "x") moved, ct) |> ok
              let events, _ = drain w
              Expect.equal (shown events) [ "Deleted a"; "Added a" ] "events"

              Expect.equal
                  (text "metadata.labels.app" events.[0].Object)
                  "x"
                  "Deleted carries the object as it last matched"

              Expect.equal (rv events.[0].Object) (rv moved) "at the change's resourceVersion"
              Expect.equal events.[1].Object back "Added carries the new object"
          }
          test "a watch sees only its namespace" {
              let s = sim ()
              let w = watch s "other" null ""
              create s (configMap "a" [] []) |> ignore

              create s (configMap "b" [] [] |> set "metadata.namespace" (str "other"))
              |> ignore

              Expect.equal (shown (fst (drain w))) [ "Added b" ] "events"
          }
          test "after Compact a watch from an older resourceVersion gets one 410 Gone and ends" {
              let s = sim ()
              let a = create s (configMap "a" [] [])
              create s (configMap "b" [] []) |> ignore
              s.Cluster.Compact()
              let events, completed = drain (watch s "ns" null (rv a))
              Expect.equal (events |> List.map (fun e -> e.Type)) [ WatchEventType.Error ] "one error"
              let e = events.[0].Error

              Expect.equal
                  (e.Code, e.Message)
                  (410, sprintf "too old resource version: %s (%d)" (rv a) s.Cluster.ResourceVersion)
                  "Gone"

              Expect.equal (number "code" events.[0].Object) 410L "a Status object"
              Expect.isTrue completed "the channel completes"

              Expect.equal
                  (fst (drain (watch s "ns" null (string s.Cluster.ResourceVersion))))
                  []
                  "the current resourceVersion still works"
          }
          test "the history is bounded: beyond the limit the oldest resourceVersions are gone" {
              let s =
                  simWith (SimClusterOptions(WatchHistoryLimit = 3, Nodes = [], Namespaces = []))

              let first = create s (configMap "c0" [] [])

              for i in 1..5 do
                  create s (configMap (sprintf "c%d" i) [] []) |> ignore

              let events, _ = drain (watch s "ns" null (rv first))
              Expect.equal (events |> List.map (fun e -> e.Type)) [ WatchEventType.Error ] "too old"
              let recent = string (s.Cluster.ResourceVersion - 3L)

              Expect.equal
                  (shown (fst (drain (watch s "ns" null recent))))
                  [ "Added c3"; "Added c4"; "Added c5" ]
                  "kept"
          }
          test "open watches get a Bookmark with the current resourceVersion every simulated minute" {
              let s = sim ()
              let w = watch s "ns" null ""
              create s (configMap "a" [] []) |> ignore
              drain w |> ignore
              advance s (TimeSpan.FromSeconds 59.0)
              Expect.equal (fst (drain w)) [] "not yet"
              advance s (TimeSpan.FromSeconds 1.0)
              let events, _ = drain w
              Expect.equal (events |> List.map (fun e -> e.Type)) [ WatchEventType.Bookmark ] "bookmark"

              Expect.equal
                  events.[0].Object
                  (json (
                      sprintf
                          """{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"resourceVersion": "%d"}}"""
                          s.Cluster.ResourceVersion
                  ))
                  "only apiVersion, kind and the resourceVersion"
          }
          test "DisconnectWatches completes every open watch" {
              let s = sim ()
              let w1 = watch s "ns" null ""
              let w2 = s.User.WatchAsync(pods, null, null, "", ct) |> ok
              Expect.equal s.Cluster.OpenWatches 2 "open"
              s.Cluster.DisconnectWatches()
              Expect.isTrue (snd (drain w1) && snd (drain w2)) "completed"
              Expect.equal s.Cluster.OpenWatches 0 "none left"
          }
          test "disposing a watch removes it: no more events" {
              let s = sim ()
              let w = watch s "ns" null ""
              w.DisposeAsync().AsTask().Wait()
              create s (configMap "a" [] []) |> ignore
              Expect.equal s.Cluster.OpenWatches 0 "removed"
              let events, completed = drain w
              Expect.equal (events, completed) ([], true) "closed and empty"
          }
          test "a resourceVersion that is not a number is 400" {
              let s = sim ()
              let e = s.User.WatchAsync(configMaps, "ns", null, "abc", ct) |> fails
              Expect.equal e.Code 400 "bad request"
          } ]
