/// Properties of `reconcile` over generated CR sets (valid, and with arbitrary JSON in places) and clusters
/// built with the API-server model: totality, determinism, a quiet converged cluster, immutable changes
/// never reaching the operands.
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
open Ztwim.Properties.ApiServerModel

let private config runs = ParseProperties.config runs

let private now = DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero)

let private validCrOf (kind: Kind) =
    Specs.specOf kind |> Gen.map (Specs.envelope kind)

/// Every CR valid, each sometimes absent.
let private validCrs: Gen<Map<Kind, Json>> =
    Kind.all
    |> List.map (fun k ->
        Gen.frequency [ 4, validCrOf k |> Gen.map Some; 1, Gen.constant None ]
        |> Gen.map (Option.map (fun cr -> k, cr)))
    |> Gen.sequenceToList
    |> Gen.map (List.choose id >> Map.ofList)

/// A valid CR of `kind` with one member replaced by arbitrary JSON, or arbitrary JSON altogether.
let private mutatedCrOf (kind: Kind) =
    gen {
        let! cr = validCrOf kind
        let ps = ArbitraryJson.paths cr
        let! i = Gen.choose (0, ps.Length - 1)
        let! replacement = Gen.sized (fun s -> ArbitraryJson.json (min s 6))

        return!
            Gen.frequency
                [ 5, Gen.constant (JsonEdit.set ps.[i] (Some replacement) cr)
                  1, Gen.constant replacement ]
    }

/// Every CR present, each valid, absent, or mutated.
let private mutatedCrs: Gen<Map<Kind, Json>> =
    Kind.all
    |> List.map (fun k ->
        Gen.frequency
            [ 2, validCrOf k |> Gen.map Some
              1, Gen.constant None
              3, mutatedCrOf k |> Gen.map Some ]
        |> Gen.map (Option.map (fun cr -> k, cr)))
    |> Gen.sequenceToList
    |> Gen.map (List.choose id >> Map.ofList)

let private mode: Gen<Mode> =
    gen {
        let! platform = Gen.elements [ OpenShift; Kubernetes ]
        let! ns = Gen.elements [ Mode.defaultNamespace; "ztwim" ]
        let! createOnly = Gen.elements [ false; false; true ]
        let! proxy = Gen.elements [ None; None; Some "http://proxy:3128" ]
        let! ca = Gen.elements [ None; Some "trusted-ca" ]

        return
            { Mode.defaults with
                Platform = platform
                Namespace = ns
                CreateOnly = createOnly
                Proxy =
                    { Mode.defaults.Proxy with
                        HttpProxy = proxy }
                TrustedCaBundleConfigMap = ca }
    }

let private inputs controller crs observed mode =
    { Controller = controller
      Crs = crs
      Observed = observed
      Mode = mode
      Now = now }

let private creates (d: Decision) =
    d.Actions
    |> List.choose (function
        | Create(r, j) -> Some(r, j)
        | _ -> None)

let private set (path: string) (value: Json) (json: Json) =
    JsonEdit.set (JsonEdit.path path) (Some value) json

/// A workload with the status its controller reports once everything is rolled out and ready.
let private healthy (json: Json) =
    let rolledOut =
        json
        |> set "metadata.generation" (Json.num 1)
        |> set "status.observedGeneration" (Json.num 1)

    match Json.tryField "kind" json with
    | Some(Json.String "DaemonSet") ->
        [ "desiredNumberScheduled"
          "numberReady"
          "updatedNumberScheduled"
          "numberAvailable" ]
        |> List.fold (fun j f -> set ("status." + f) (Json.num 2) j) rolledOut
    | Some(Json.String("StatefulSet" | "Deployment")) ->
        let replicas =
            JsonEdit.get [ "spec"; "replicas" ] json |> Option.defaultValue (Json.num 1)

        [ "readyReplicas"; "updatedReplicas"; "availableReplicas" ]
        |> List.fold (fun j f -> set ("status." + f) replicas j) rolledOut
    | _ -> json

/// A cluster where what the operand controller `kind` creates has been stored by the server model and every
/// workload is healthy: the controller's CR, the CR set and the cluster.
let private convergedCluster (kinds: Kind list) =
    gen {
        let! kind = Gen.elements kinds

        let! crs =
            Kind.all
            |> List.mapi (fun i k ->
                validCrOf k
                // A stored CR has a uid, which the owner references of its objects carry.
                |> Gen.map (fun cr ->
                    k, set "metadata.uid" (Json.String(sprintf "00000000-0000-4000-8000-00000000000%d" i)) cr))
            |> Gen.sequenceToList

        let crs = Map.ofList crs
        let! mode = mode

        let mode =
            { mode with
                CreateOnly = false
                Proxy = Mode.defaults.Proxy }

        let created = creates (Reconcile.reconcile (inputs kind crs Map.empty mode))

        let! stored =
            created
            |> List.map (fun (r, j) -> serve j |> Gen.map (fun s -> r, healthy s))
            |> Gen.sequenceToList

        return kind, crs, mode, created, Map.ofList stored
    }
    // A generated SpireServer may federate with its own trust domain: then nothing is created to converge.
    |> Gen.filter (fun (_, _, _, created, _) -> not created.IsEmpty)

let private anyObserved (crs: Map<Kind, Json>) (m: Mode) =
    gen {
        let desired =
            Ready.operandKinds
            |> List.collect (fun k -> creates (Reconcile.reconcile (inputs k crs Map.empty m)))

        let! kept =
            desired
            |> List.map (fun x -> Gen.elements [ Some x; None ])
            |> Gen.sequenceToList

        let! stored =
            kept
            |> List.choose id
            |> List.map (fun (r, j) ->
                Gen.frequency
                    [ 3, serve j |> Gen.map healthy
                      1, Gen.sized (fun s -> ArbitraryJson.json (min s 6)) ]
                |> Gen.map (fun s -> r, s))
            |> Gen.sequenceToList

        return Map.ofList stored
    }

let private anyInputs (crsGen: Gen<Map<Kind, Json>>) =
    gen {
        let! controller = Gen.elements Kind.all
        let! crs = crsGen
        let! m = mode
        let! observed = anyObserved crs m
        return inputs controller crs observed m
    }

/// Everything a decision holds, as text: forces every lazy part and compares byte for byte.
let private print (d: Decision) =
    [ yield! d.Actions |> List.map Action.describe
      yield! d.Actions |> List.map (Action.ref >> Action.describeRef)
      yield d.Status |> Option.map JsonText.compact |> Option.defaultValue "no status"
      yield! d.Events |> List.map (fun e -> e.Type + " " + e.Reason + " " + e.Message)
      yield string d.RequeueAfter ]
    |> String.concat "\n"

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

          testPropertyWithConfig (config 200) "a changed trust domain after convergence never reaches the operands"
          <| Prop.forAll
              (Arb.fromGen (
                  convergedCluster operandKinds
                  |> Gen.bind (fun c -> Values.trustDomain |> Gen.map (fun td -> c, td))
              ))
              (fun ((kind, crs, mode, _, cluster), td) ->
                  let ztwim = Map.find Kind.ZeroTrustWorkloadIdentityManager crs

                  let before =
                      JsonEdit.get [ "spec"; "trustDomain" ] ztwim |> Option.defaultValue Json.Null

                  let changed =
                      crs
                      |> Map.add Kind.ZeroTrustWorkloadIdentityManager (set "spec.trustDomain" (Json.String td) ztwim)

                  let d = Reconcile.reconcile (inputs kind changed cluster mode)

                  Expect.equal (d.Actions |> List.map Action.describe) [] "operand writes after a trust domain change"

                  // The CSI driver renders nothing from the trust domain: there is nothing to refuse.
                  if kind <> Kind.SpiffeCSIDriver && Json.String td <> before then
                      let reason =
                          d.Status
                          |> Option.bind (fun s -> Status.readOperandCr (Read.root "status" s) |> Result.toOption)
                          |> Option.bind (fun s -> Conditions.tryFind "ConfigurationValid" s.Conditions)
                          |> Option.map _.Reason

                      Expect.equal reason (Some "ImmutableFieldChanged") "ConfigurationValid reason") ]
