/// Properties of `plan` over generated (desired, observed) pairs, where observed is the desired set as a real API
/// server would hold it, perturbed (PlanScenarios): idempotence, no write for what the server adds, each fate its
/// action, create-only, ownership safety, claims never deleted, determinism and totality.
module Ztwim.Properties.PlanProperties

open Expecto
open FsCheck
open FsCheck.FSharp
open Ztwim.Kernel
open Ztwim.Kernel.Render
open Ztwim.Kernel.Plan
open Ztwim.Properties.Generators
open Ztwim.Properties.PlanScenarios

let private describe (actions: Action list) =
    actions |> List.map Action.describe |> String.concat "\n"

let private config runs = ParseProperties.config runs

let private isOursIn (observed: Map<ObjectRef, Json>) (r: ObjectRef) =
    Map.tryFind r observed |> Option.exists Plan.isOurs

let private desiredRefs (input: PlanInput) =
    input.Desired |> List.map DesiredObject.ref |> Set.ofList

[<Tests>]
let properties =
    testList
        "plan"
        [ testPropertyWithConfig (config 500) "idempotence: after the actions are applied, nothing is left to do"
          <| Prop.forAll
              (Arb.fromGen (
                  scenario
                  |> Gen.bind (fun sc ->
                      applied (Plan.plan sc.Input) sc.Input.Observed
                      |> Gen.map (fun after -> sc, { Objects = after }))
              ))
              (fun (sc, after) ->
                  let again =
                      Plan.plan
                          { sc.Input with
                              Observed = after.Objects }

                  Expect.equal (describe again) "" "actions after applying the plan")

          testPropertyWithConfig (config 500) "fields the server adds, respells or reorders never cause a write"
          <| Prop.forAll
              (Arb.fromGen (scenarioWith (Gen.constant Served) false (Gen.elements [ false; true ])))
              (fun sc -> Expect.equal (describe (Plan.plan sc.Input)) "" "actions on a converged cluster")

          testPropertyWithConfig (config 500) "each desired object gets the action its fate calls for"
          <| Prop.forAll (Arb.fromGen (scenarioWith anyFate true (Gen.constant false))) (fun sc ->
              let actions = Plan.plan sc.Input

              let kinds (r: ObjectRef) =
                  actions |> List.filter (fun a -> Action.ref a = r) |> List.map Action.verb

              for r, f in Map.toList sc.Fates do
                  let expected =
                      match f with
                      | Missing -> [ [ "create" ] ]
                      | Served -> [ [] ]
                      | Changed
                      | Removed
                      | LabelRemoved -> [ [ "apply" ]; [ "adopt" ] ]
                      | Unlabelled
                      | ManagedByOther -> [ [ "adopt" ] ]

                  Expect.contains expected (kinds r) (sprintf "actions for %A %s" f (Action.describeRef r)))

          testPropertyWithConfig (config 500) "create-only creates what is missing and nothing else"
          <| Prop.forAll (Arb.fromGen (scenarioWith anyFate true (Gen.constant true))) (fun sc ->
              let actions = Plan.plan sc.Input

              let missing =
                  sc.Fates |> Map.filter (fun _ f -> f = Missing) |> Map.keys |> Set.ofSeq

              Expect.isEmpty (actions |> List.filter Action.touchesExisting |> describe) "no apply, adopt or delete"
              Expect.equal (actions |> List.map Action.ref |> Set.ofList) missing "created refs")

          testPropertyWithConfig
              (config 500)
              "never apply or delete an object without our label, never touch what is not ours"
          <| Prop.forAll (Arb.fromGen scenario) (fun sc ->
              let observed = sc.Input.Observed
              let desired = desiredRefs sc.Input

              for a in Plan.plan sc.Input do
                  let r = Action.ref a

                  let ok =
                      match a with
                      | Create _ -> desired.Contains r && not (observed.ContainsKey r)
                      | Apply _ -> desired.Contains r && isOursIn observed r
                      | Adopt _ -> desired.Contains r && observed.ContainsKey r && not (isOursIn observed r)
                      | Delete _ ->
                          not (desired.Contains r)
                          && isOursIn observed r
                          && observed
                             |> Map.find r
                             |> JsonEdit.get [ "metadata"; "labels"; Labels.componentKey ]
                             |> Option.exists (fun c -> sc.Input.Component |> List.exists (fun x -> Json.String x = c))

                  Expect.isTrue ok (sprintf "not allowed: %s" (Action.describe a)))

          testPropertyWithConfig (config 500) "never delete a PersistentVolumeClaim"
          <| Prop.forAll (Arb.fromGen scenario) (fun sc ->
              let deleted =
                  Plan.plan sc.Input
                  |> List.filter (function
                      | Delete(r, _) -> r.Kind = "PersistentVolumeClaim"
                      | _ -> false)

              Expect.isEmpty (describe deleted) "claims deleted")

          testPropertyWithConfig
              (config 500)
              "determinism: equal inputs, equal actions, in desired order then deletions by ref"
          <| Prop.forAll (Arb.fromGen scenario) (fun sc ->
              let first = Plan.plan sc.Input

              let rebuilt =
                  { sc.Input with
                      Observed = sc.Input.Observed |> Map.toList |> List.rev |> Map.ofList }

              let second = Plan.plan rebuilt
              Expect.equal (describe second) (describe first) "printed"
              Expect.equal second first "actions"

              let order =
                  DesiredObject.manifests sc.Input.Desired
                  |> List.map fst
                  |> List.distinct
                  |> List.indexed
                  |> List.map (fun (i, r) -> r, i)
                  |> Map.ofList

              let writes, deletes =
                  first
                  |> List.partition (function
                      | Delete _ -> false
                      | _ -> true)

              let positions = writes |> List.map (fun a -> Map.find (Action.ref a) order)
              Expect.equal positions (List.sort positions |> List.distinct) "writes in desired order"
              let refs = deletes |> List.map Action.ref
              Expect.equal refs (List.sort refs |> List.distinct) "deletions sorted by ref"
              Expect.equal (first |> List.skip writes.Length) deletes "deletions last")

          testPropertyWithConfig (config 1000) "total and reflexive on mangled objects"
          <| Prop.forAll
              (Arb.fromGen (
                  Gen.zip3 (Gen.listOfLength 4 mangledPair) (Gen.elements [ false; true ]) (Gen.subListOf Objects.roles)
              ))
              (fun (pairs, createOnly, components) ->
                  let desired = pairs |> List.map fst
                  let observed = pairs |> List.choose snd

                  let input =
                      { Desired = desired |> List.map Manifest
                        Observed = Map.ofList observed
                        Component = components
                        CreateOnly = createOnly }

                  let actions = Plan.plan input
                  let known = Set.union (desiredRefs input) (observed |> List.map fst |> Set.ofList)
                  Expect.all actions (fun a -> known.Contains(Action.ref a)) "actions name known objects"

                  for (_, d), o in pairs do
                      o |> Option.iter (fun (_, o) -> Subset.difference d o |> ignore)
                      Expect.equal (Subset.difference d d) None "an object is a subset of itself") ]
