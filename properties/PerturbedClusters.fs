/// Perturbed clusters for one operand controller: each of its desired objects met a fate (PlanScenarios: missing,
/// served, changed, a field removed, relabelled) and other objects lie beside them: other controllers' objects,
/// orphans of ours, foreign objects, claims.
module Ztwim.Properties.PerturbedClusters

open FsCheck
open FsCheck.FSharp
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Render
open Ztwim.Kernel.Plan
open Ztwim.Kernel.Status
open Ztwim.Kernel.Reconcile
open Ztwim.Properties.ApiServerModel
open Ztwim.Properties.PlanScenarios
open Ztwim.Properties.ReconcileScenarios

/// What the generator put beside the desired objects of the controller.
type Extra =
    /// Our managed-by label and this controller's component, under a name no longer desired: pruned.
    | OrphanOfOurs
    /// Another operand controller's object, as the server stores it: not this controller's to touch.
    | OtherController
    /// Without our managed-by label, under a name we do not render: never touched.
    | Foreign
    /// A PersistentVolumeClaim with our labels: never deleted.
    | Claim

/// One operand controller's inputs, where each desired object met a fate and extras lie beside them.
[<StructuredFormatDisplay("{Display}")>]
type Perturbed =
    { Controller: Kind
      Crs: Map<Kind, Json>
      Mode: Mode
      Desired: (ObjectRef * Json) list
      Fates: Map<ObjectRef, Fate>
      Extras: Map<ObjectRef, Extra>
      Observed: Map<ObjectRef, Json> }

    member p.Inputs = inputs p.Controller p.Crs p.Observed p.Mode

    member p.Display =
        let shown (r: ObjectRef) =
            Map.tryFind r p.Observed
            |> Option.map (fun j -> "\n    " + JsonText.compact j)
            |> Option.defaultValue ""

        let fates =
            p.Fates
            |> Map.toList
            |> List.map (fun (r, f) ->
                sprintf "  %A %s%s" f (Action.describeRef r) (if f = Served || f = Missing then "" else shown r))

        let extras =
            p.Extras
            |> Map.toList
            |> List.map (fun (r, e) -> sprintf "  %A %s%s" e (Action.describeRef r) (shown r))

        let actions =
            try
                Reconcile.reconcile p.Inputs
                |> _.Actions
                |> List.map (Action.describe >> sprintf "  %s")
                |> String.concat "\n"
            with e ->
                sprintf "  threw %s" e.Message

        sprintf
            "controller %s, namespace %s, %A, create-only %b\nCRs:\n%s\ndesired:\n%s\nbeside:\n%s\nactions:\n%s"
            (Kind.name p.Controller)
            p.Mode.Namespace
            p.Mode.Platform
            p.Mode.CreateOnly
            (p.Crs
             |> Map.toList
             |> List.map (fun (k, j) -> sprintf "  %s %s" (Kind.name k) (JsonText.compact j))
             |> String.concat "\n")
            (String.concat "\n" fates)
            (String.concat "\n" extras)
            actions

let private appliedPrefix = Manifest.applied ""

let private appliedOf (json: Json) =
    match JsonEdit.get [ "metadata"; "annotations" ] json with
    | Some(Json.Object m) -> m |> Map.filter (fun k _ -> k.StartsWith appliedPrefix)
    | _ -> Map.empty

/// A claim with the labels of one of our objects, as a StatefulSet's claim template leaves it behind.
let private claimLike (ns: string) (i: int) (labelsOf: Json) =
    let labels =
        JsonEdit.get [ "metadata"; "labels" ] labelsOf
        |> Option.defaultValue (Json.obj [])

    let name = sprintf "spire-data-spire-server-%d" i

    { ApiVersion = "v1"
      Kind = "PersistentVolumeClaim"
      Namespace = Some ns
      Name = name },
    Json.obj
        [ "apiVersion", Json.String "v1"
          "kind", Json.String "PersistentVolumeClaim"
          "metadata", Json.obj [ "name", Json.String name; "namespace", Json.String ns; "labels", labels ]
          "spec",
          Json.obj
              [ "accessModes", Json.arr [ Json.String "ReadWriteOnce" ]
                "resources", Json.obj [ "requests", Json.obj [ "storage", Json.String "1Gi" ] ] ] ]

let private extra (ns: string) (ours: (ObjectRef * Json) list) (others: (ObjectRef * Json) list) (i: int) =
    gen {
        let! kind =
            Gen.elements (
                [ OrphanOfOurs; Foreign; Claim ]
                @ (if others.IsEmpty then [] else [ OtherController ])
            )

        let! mine = Gen.elements ours
        let! theirs = Gen.elements (if others.IsEmpty then ours else others)
        let suffix = sprintf "-old-%d" i

        let r, j =
            match kind with
            | OrphanOfOurs -> rename suffix mine
            | Foreign ->
                let r, j = rename suffix mine
                r, JsonEdit.set managedBy None j
            | Claim -> claimLike ns i (snd mine)
            | OtherController -> rename suffix theirs

        let! stored = serve j
        return kind, (r, stored)
    }

/// An operand controller's inputs: stored valid CRs, an operating Mode, its desired objects observed with fates
/// from `fates`, some other controllers' objects as stored, and up to four extras.
let perturbedWith (fates: Gen<Fate>) : Gen<Perturbed> =
    gen {
        let! kind = Gen.elements Ready.operandKinds
        let! crs = storedCrs
        let! m = operatingMode
        let desired = desiredOf kind crs m
        let! otherKinds = Gen.subListOf (Ready.operandKinds |> List.filter ((<>) kind))
        let others = otherKinds |> List.collect (fun k -> desiredOf k crs m)

        let! othersStored =
            others
            |> List.map (fun (r, j) -> serve j |> Gen.map (fun s -> r, s))
            |> Gen.sequenceToList

        let! observedDesired =
            desired
            |> List.map (fun (r, j) -> fates |> Gen.bind (observe j) |> Gen.map (fun (f, o) -> r, f, o))
            |> Gen.sequenceToList

        let! extraCount = Gen.choose (0, if desired.IsEmpty then 0 else 4)

        let! extras =
            [ 0 .. extraCount - 1 ]
            |> List.map (extra m.Namespace desired others)
            |> Gen.sequenceToList

        let desiredRefs = desired |> List.map fst |> Set.ofList

        let extras =
            extras
            |> List.filter (fun (_, (r, _)) -> not (desiredRefs.Contains r))
            |> List.distinctBy (fun (_, (r, _)) -> r)

        let observed =
            [ yield! othersStored |> List.filter (fun (r, _) -> not (desiredRefs.Contains r))
              yield! extras |> List.map snd
              for r, _, o in observedDesired do
                  match o with
                  | Some o -> yield r, o
                  | None -> () ]
            |> Map.ofList

        return
            { Controller = kind
              Crs = crs
              Mode = m
              Desired = desired
              Fates = observedDesired |> List.map (fun (r, f, _) -> r, f) |> Map.ofList
              Extras = extras |> List.map (fun (e, (r, _)) -> r, e) |> Map.ofList
              Observed = observed }
    }
    // Something to reconcile (a SpireServer may federate with its own trust domain), and no fate that changed a
    // recorded immutable value: that is an immutable change, whose properties are in ImmutabilityProperties.
    |> Gen.filter (fun p ->
        not p.Desired.IsEmpty
        && p.Desired
           |> List.forall (fun (r, d) ->
               match Map.tryFind r p.Observed with
               | None -> true
               | Some o -> appliedOf o |> Map.forall (fun k v -> Map.tryFind k (appliedOf d) = Some v)))

/// Every fate, every kind of extra.
let perturbed = perturbedWith anyFate
