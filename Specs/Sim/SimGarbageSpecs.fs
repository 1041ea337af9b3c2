module Ztwim.Specs.Sim.SimGarbageSpecs

open System
open Expecto
open Ztwim.Kernel
open Ztwim.Adapters.Cluster
open Ztwim.Specs.Api.Examples
open Ztwim.Specs.Sim.SimFixture

let private seconds (n: float) = TimeSpan.FromSeconds n

[<Tests>]
let tests =
    let owned (owners: Json list) (name: string) =
        configMap name [] []
        |> set
            "metadata.ownerReferences"
            (Json.arr (
                owners
                |> List.map (fun o ->
                    Json.obj
                        [ "apiVersion", str "v1"
                          "kind", str "ConfigMap"
                          "name", at "metadata.name" o
                          "uid", at "metadata.uid" o ])
            ))

    let create (s: Sim) obj = s.User.CreateAsync(obj, ct) |> ok

    testList
        "sim-cluster garbage collection"
        [ test "a dependent goes a moment after its only owner" {
              let s = sim ()
              let owner = create s (configMap "owner" [] [])
              let dependent = create s (owned [ owner ] "dependent")
              s.User.DeleteAsync(refOf owner, ct) |> ok |> ignore
              Expect.isFalse (isGone s (refOf dependent)) "not at once"
              advance s (seconds 1.0)
              Expect.isTrue (isGone s (refOf dependent)) "collected"
          }
          test "a dependent with an owner left keeps living, without the dangling reference" {
              let s = sim ()
              let a = create s (configMap "a" [] [])
              let b = create s (configMap "b" [] [])
              let dependent = create s (owned [ a; b ] "dependent")
              s.User.DeleteAsync(refOf a, ct) |> ok |> ignore
              advance s (seconds 1.0)
              let left = reread s dependent

              Expect.equal
                  (left.Items("metadata", "ownerReferences")
                   |> Seq.map (fun o -> o.Str "name")
                   |> List.ofSeq)
                  [ "b" ]
                  "refs"
          }
          test "a collected dependent with a finalizer is only marked for deletion" {
              let s = sim ()
              let owner = create s (configMap "owner" [] [])

              let dependent =
                  create
                      s
                      (owned [ owner ] "dependent"
                       |> set "metadata.finalizers" (Json.arr [ str "example.com/keep" ]))

              s.User.DeleteAsync(refOf owner, ct) |> ok |> ignore
              advance s (seconds 1.0)
              Expect.isNotNull ((reread s dependent).Meta "deletionTimestamp") "marked"
          }
          test "an object created with an owner that does not exist is collected" {
              let s = sim ()

              let ghost =
                  configMap "ghost" [] []
                  |> set "metadata.uid" (str "00000000-0000-4000-8000-000000000000")

              let dependent = create s (owned [ ghost ] "orphan")
              advance s (seconds 1.0)
              Expect.isTrue (isGone s (refOf dependent)) "collected"
          } ]
