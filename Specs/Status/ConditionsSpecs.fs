/// Setting conditions: transition times move only with the status, the generation is the one acted on.
module Ztwim.Specs.Status.ConditionsSpecs

open System
open Expecto
open Ztwim.Kernel.Api
open Ztwim.Kernel.Status
open Ztwim.Specs.Status.StatusExamples

let private t0 = DateTimeOffset(2026, 1, 2, 15, 4, 5, TimeSpan.Zero)
let private t1 = t0.AddMinutes 5.0

let private stored kind status =
    { Conditions.make kind status "R" "m" with
        LastTransitionTime = t0
        ObservedGeneration = Some 1L }

[<Tests>]
let tests =
    testList
        "Status/conditions"
        [ test "an unchanged status keeps its transition time; message and reason changes do not move it" {
              let next = [ Conditions.make "Ready" F "Failed" "other" ]
              let out = Conditions.set t1 2L [ stored "Ready" F ] next

              Expect.equal
                  out
                  [ { next.Head with
                        LastTransitionTime = t0
                        ObservedGeneration = Some 2L } ]
                  "kept"
          }
          test "a status that moves takes now" {
              let out =
                  Conditions.set t1 2L [ stored "Ready" F ] [ Conditions.make "Ready" T "Ready" "ok" ]

              Expect.equal out.Head.LastTransitionTime t1 "moved"
          }
          test "a new type takes now; types not given are dropped; the result is sorted by type" {
              let out =
                  Conditions.set
                      t1
                      3L
                      [ stored "Old" T ]
                      [ Conditions.make "Ready" T "Ready" "ok"
                        Conditions.make "ConfigurationValid" T "C" "c" ]

              Expect.equal (out |> List.map _.Type) [ "ConfigurationValid"; "Ready" ] "types"
              Expect.isTrue (out |> List.forall (fun c -> c.LastTransitionTime = t1)) "now"
              Expect.isTrue (out |> List.forall (fun c -> c.ObservedGeneration = Some 3L)) "generation"
          }
          test "the last condition of a type wins" {
              let out =
                  Conditions.set t1 1L [] [ Conditions.make "Ready" F "A" "a"; Conditions.make "Ready" T "B" "b" ]

              Expect.equal (out |> List.map _.Reason) [ "B" ] "last"
          } ]
