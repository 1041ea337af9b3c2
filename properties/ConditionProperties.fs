/// Status conditions: transition times move exactly when the status moves, the output does not depend on the
/// order of the inputs, observedGeneration is the generation acted on, and Ready is honest.
module Ztwim.Properties.ConditionProperties

open System
open Expecto
open FsCheck
open FsCheck.FSharp
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Render
open Ztwim.Kernel.Status

let private types =
    [ "Ready"
      "ConfigurationValid"
      "TTLConfigurationValid"
      "CreateOnlyMode"
      "Degraded"
      "StatefulSetAvailable"
      "DaemonSetAvailable"
      "DeploymentAvailable"
      "RouteAvailable"
      "ServiceAvailable" ]

let private reasons =
    [ "Ready"
      "Failed"
      "Progressing"
      "StatefulSetNotReady"
      "DaemonSetNotReady"
      "DeploymentNotReady"
      "StatefulSetNotFound"
      "InvalidLabels" ]

let private condition (kind: string) =
    gen {
        let! status = Gen.elements [ ConditionStatus.True; ConditionStatus.False; ConditionStatus.Unknown ]
        let! reason = Gen.elements reasons
        let! message = Gen.elements [ ""; "a"; "b"; "StatefulSet has 0/1 replicas ready" ]
        let! seconds = Gen.choose (0, 1_000_000)
        let! generation = Gen.elements [ None; Some 0L; Some 3L ]

        return
            { Type = kind
              Status = status
              Reason = reason
              Message = message
              LastTransitionTime = DateTimeOffset.FromUnixTimeSeconds(int64 seconds)
              ObservedGeneration = generation }
    }

/// Conditions with distinct types (a stored list, or one reconcile's decision).
let private conditions =
    gen {
        let! picked = Gen.subListOf types
        let! shuffled = Gen.shuffle picked
        return! shuffled |> Seq.map condition |> Gen.sequenceToList
    }

type private Scenario =
    { Previous: Condition list
      Next: Condition list
      Generation: int64
      Now: DateTimeOffset }

let private scenario =
    gen {
        let! previous = conditions
        let! next = conditions
        let! generation = Gen.choose (0, 1000) |> Gen.map int64
        // Now is after every stored time, so "kept" and "moved" cannot coincide.
        let! after = Gen.choose (1, 1000)

        return
            { Previous = previous
              Next = next
              Generation = generation
              Now = DateTimeOffset.FromUnixTimeSeconds(1_000_000L + int64 after) }
    }

let private set (s: Scenario) =
    Conditions.set s.Now s.Generation s.Previous s.Next

let private errors =
    let error =
        gen {
            let! path =
                Gen.elements
                    [ "spec.affinity"
                      "spec.labels"
                      "spec.tolerations[0]"
                      "spec.jwtIssuer"
                      "spec.federation.federatesWith[1].trustDomain"
                      "spec.logLevel"
                      "spec.caValidity" ]

            let! message = Gen.elements [ "x"; "y"; "caValidity must be a positive duration" ]
            return FieldError.controller path message None
        }

    Gen.listOf error

/// The four operand entries as the ZeroTrustWorkloadIdentityManager sees them.
let private operands =
    let observation =
        Gen.oneof
            [ Gen.constant NotFound
              Gen.elements [ "forbidden"; "timeout" ] |> Gen.map GetFailed
              conditions |> Gen.map (fun cs -> Found { Conditions = cs }) ]

    Ready.operandKinds
    |> List.map (fun k -> observation |> Gen.map (Ready.operand k))
    |> Gen.sequenceToList

let private config = ParseProperties.config 1000

let private shuffled (xs: 'a list) = Gen.shuffle xs |> Gen.map List.ofSeq

[<Tests>]
let properties =
    testList
        "conditions"
        [ testPropertyWithConfig config "lastTransitionTime moves iff that type's status moves"
          <| Prop.forAll (Arb.fromGen scenario) (fun s ->
              for c in set s do
                  let moved =
                      match s.Previous |> List.tryFind (fun p -> p.Type = c.Type) with
                      | Some p when p.Status = c.Status -> false
                      | _ -> true

                  let previousTime =
                      s.Previous
                      |> List.tryFind (fun p -> p.Type = c.Type)
                      |> Option.map _.LastTransitionTime

                  Expect.equal
                      c.LastTransitionTime
                      (if moved then s.Now else previousTime.Value)
                      (sprintf "%s: moved = %b" c.Type moved))

          testPropertyWithConfig config "setting the same decision again changes nothing (no status write)"
          <| Prop.forAll (Arb.fromGen scenario) (fun s ->
              let stored = set s
              let later = s.Now.AddMinutes 1.0
              Expect.equal (Conditions.set later s.Generation stored s.Next) stored "second reconcile")

          testPropertyWithConfig config "any permutation of the inputs gives the same output"
          <| Prop.forAll
              (Arb.fromGen (
                  gen {
                      let! s = scenario
                      let! previous = shuffled s.Previous
                      let! next = shuffled s.Next
                      let! errs = errors
                      let! errs' = shuffled errs
                      let! entries = operands
                      let! entries' = shuffled entries

                      return
                          s,
                          { s with
                              Previous = previous
                              Next = next },
                          errs,
                          errs',
                          (entries, entries')
                  }
              ))
              (fun (s, permuted, errs, errs', (entries, entries')) ->
                  Expect.equal (set permuted) (set s) "Conditions.set"
                  Expect.equal (Ready.ready permuted.Next) (Ready.ready s.Next) "Ready"

                  Expect.equal
                      (Validation.configurationValid Kind.SpireServer Mode.defaults errs')
                      (Validation.configurationValid Kind.SpireServer Mode.defaults errs)
                      "ConfigurationValid"

                  Expect.equal (Validation.ttl errs' None) (Validation.ttl errs None) "TTLConfigurationValid"

                  Expect.equal
                      (Ready.operandsAvailable entries')
                      (Ready.operandsAvailable entries)
                      "OperandsAvailable and Ready"

                  Expect.equal (Ready.upgradeable false entries') (Ready.upgradeable false entries) "Upgradeable")

          testPropertyWithConfig config "observedGeneration is the generation acted on"
          <| Prop.forAll (Arb.fromGen scenario) (fun s ->
              for c in set s do
                  Expect.equal c.ObservedGeneration (Some s.Generation) c.Type)

          testPropertyWithConfig config "Ready is True exactly when no other condition is False"
          <| Prop.forAll (Arb.fromGen conditions) (fun cs ->
              let others =
                  cs
                  |> List.filter (fun c -> c.Status = ConditionStatus.False && not (Ready.ignored.Contains c.Type))

              let ready = Ready.ready cs
              Expect.equal (ready.Status = ConditionStatus.True) others.IsEmpty (sprintf "Ready %A" ready)) ]
