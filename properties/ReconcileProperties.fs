/// Properties of `reconcile` over generated CR sets (valid, and with arbitrary JSON in places) and clusters
/// built with the API-server model (ReconcileScenarios): totality, determinism, a quiet converged cluster,
/// idempotence and ownership over perturbed clusters, create-only by Mode or annotation, the ZTWIM gate.
module Ztwim.Properties.ReconcileProperties

open System
open Expecto
open FsCheck
open FsCheck.FSharp
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Render
open Ztwim.Kernel.Plan
open Ztwim.Kernel.Status
open Ztwim.Kernel.Reconcile
open Ztwim.Properties.Generators
open Ztwim.Properties.PlanScenarios
open Ztwim.Properties.ReconcileScenarios
open Ztwim.Properties.PerturbedClusters

let private config runs = ParseProperties.config runs

let private operandKinds = Ready.operandKinds

[<Tests>]
let properties =
    testList
        "reconcile"
        [ testPropertyWithConfig (config 300) "totality on valid CR sets"
          <| Prop.forAll (Arb.fromGen (anyInputs validCrs)) (fun i ->
              Expect.isNotNull (print (Reconcile.reconcile i)) "decision")

          testPropertyWithConfig (config 500) "totality on mutated CR sets"
          <| Prop.forAll (Arb.fromGen (anyInputs mutatedCrs)) (fun i ->
              Expect.isNotNull (print (Reconcile.reconcile i)) "decision")

          testPropertyWithConfig (config 300) "determinism: equal inputs, byte-identical decisions"
          <| Prop.forAll (Arb.fromGen (anyInputs (Gen.oneof [ validCrs; mutatedCrs ]))) (fun i ->
              let a = Reconcile.reconcile i

              let b =
                  Reconcile.reconcile
                      { i with
                          Crs = Map.ofList (Map.toList i.Crs) }

              Expect.equal (print b) (print a) "printed decision"
              Expect.equal b a "decision")

          testPropertyWithConfig (config 200) "a converged cluster: no write, Ready, and the status it already has"
          <| Prop.forAll (Arb.fromGen (convergedCluster operandKinds)) (fun (kind, crs, mode, _, cluster) ->
              let first = Reconcile.reconcile (inputs kind crs cluster mode)
              Expect.equal (first.Actions |> List.map Action.describe) [] "actions on a converged cluster"

              let status = first.Status |> Option.defaultValue Json.Null

              let readyTrue =
                  Status.readOperandCr (Read.root "status" status)
                  |> Result.map (fun s -> Conditions.isTrue "Ready" s.Conditions)

              Expect.equal readyTrue (Ok true) "Ready"

              let crs = crs |> Map.add kind (set "status" status (Map.find kind crs))

              let again =
                  Reconcile.reconcile
                      { inputs kind crs cluster mode with
                          Now = now.AddMinutes 10.0 }

              Expect.equal (again.Actions |> List.map Action.describe) [] "actions on a resync"
              Expect.equal again.Status first.Status "status: no status write")

          testPropertyWithConfig
              (config 150)
              "idempotence: from a perturbed cluster, apply the actions with the API-server model, reconcile again: no writes"
          <| Prop.forAll
              (Arb.fromGen (
                  perturbed
                  |> Gen.bind (fun p ->
                      applied (Reconcile.reconcile p.Inputs).Actions p.Observed
                      |> Gen.map (fun after -> p, { Objects = after }))
              ))
              (fun (p, after) ->
                  let again =
                      Reconcile.reconcile
                          { p.Inputs with
                              Observed = after.Objects
                              Now = now.AddMinutes 1.0 }

                  Expect.equal (describe again.Actions) [] "actions after applying the decision")

          testPropertyWithConfig
              (config 150)
              "each object gets the action its fate calls for: drift applied, foreign-named adopted, orphans of ours pruned, nothing else touched"
          <| Prop.forAll (Arb.fromGen perturbed) (fun p ->
              let actions = (Reconcile.reconcile p.Inputs).Actions

              let known =
                  Set.unionMany [ p.Observed.Keys |> Set.ofSeq; p.Fates.Keys |> Set.ofSeq ]

              let verbs (r: ObjectRef) =
                  actions |> List.filter (fun a -> Action.ref a = r) |> List.map Action.verb

              Expect.all actions (fun a -> known.Contains(Action.ref a)) "actions name desired or observed objects"

              for r in known do
                  let expected =
                      match Map.tryFind r p.Fates, Map.tryFind r p.Extras with
                      | Some Missing, _ -> [ [ "create" ] ]
                      | Some Served, _ -> [ [] ]
                      | Some(Changed | Removed | LabelRemoved), _ -> [ [ "apply" ]; [ "adopt" ] ]
                      | Some(Unlabelled | ManagedByOther), _ -> [ [ "adopt" ] ]
                      | None, Some OrphanOfOurs -> [ [ "delete" ] ]
                      // Another controller's objects, foreign objects and claims: never this controller's to write.
                      | None, _ -> [ [] ]

                  let what =
                      Map.tryFind r p.Fates
                      |> Option.map (sprintf "%A")
                      |> Option.orElse (Map.tryFind r p.Extras |> Option.map (sprintf "%A"))
                      |> Option.defaultValue "another controller's"

                  Expect.contains expected (verbs r) (sprintf "actions for %s %s" what (Action.describeRef r)))

          testPropertyWithConfig
              (config 150)
              "create-only, by Mode or by the CR's annotation: exactly the missing objects are created, nothing is applied, adopted or deleted"
          <| Prop.forAll
              (Arb.fromGen (Gen.zip perturbed (Gen.elements [ None; Some "true"; Some "True"; Some " TRUE " ])))
              (fun (p, annotation) ->
                  let p =
                      match annotation with
                      | None ->
                          { p with
                              Mode = { p.Mode with CreateOnly = true } }
                      | Some value ->
                          let cr = Map.find p.Controller p.Crs

                          let annotated =
                              JsonEdit.set
                                  [ "metadata"; "annotations"; Decision.createOnlyAnnotation ]
                                  (Some(Json.String value))
                                  cr

                          { p with
                              Crs = Map.add p.Controller annotated p.Crs }

                  let d = Reconcile.reconcile p.Inputs

                  let missing =
                      p.Fates |> Map.filter (fun _ f -> f = Missing) |> Map.keys |> List.ofSeq

                  Expect.equal
                      (d.Actions |> List.filter Action.touchesExisting |> describe)
                      []
                      "no apply, adopt or delete"

                  Expect.equal
                      (d.Actions |> List.map Action.ref |> List.sort)
                      (List.sort missing)
                      "the missing objects are created"

                  let createOnly = conditions d |> Conditions.tryFind "CreateOnlyMode"

                  Expect.equal
                      (createOnly |> Option.map (fun c -> c.Status, c.Reason))
                      (Some(ConditionStatus.True, "CreateOnlyModeEnabled"))
                      "CreateOnlyMode")

          testPropertyWithConfig
              (config 100)
              "without the ZeroTrustWorkloadIdentityManager no operand controller writes, and Ready says why"
          <| Prop.forAll (Arb.fromGen perturbed) (fun p ->
              let d =
                  Reconcile.reconcile
                      { p.Inputs with
                          Crs = Map.remove Kind.ZeroTrustWorkloadIdentityManager p.Crs }

              Expect.equal (describe d.Actions) [] "operand writes without the ZTWIM"

              Expect.equal
                  (conditions d |> List.map (fun c -> c.Type, c.Status, c.Reason, c.Message))
                  [ "Ready",
                    ConditionStatus.False,
                    "Failed",
                    "Failed to retrieve ZeroTrustWorkloadIdentityManager from cluster" ]
                  "conditions") ]
