/// Inputs for reconcile properties: CR sets (valid, stored, mutated), Modes, converged clusters built with the
/// API-server model, and reading a decision's conditions.
module Ztwim.Properties.ReconcileScenarios

open System
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
open Ztwim.Properties.PlanScenarios

let now = DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero)

let validCrOf (kind: Kind) =
    Specs.specOf kind |> Gen.map (Specs.envelope kind)

/// Every CR valid, each sometimes absent.
let validCrs: Gen<Map<Kind, Json>> =
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
let mutatedCrs: Gen<Map<Kind, Json>> =
    Kind.all
    |> List.map (fun k ->
        Gen.frequency
            [ 2, validCrOf k |> Gen.map Some
              1, Gen.constant None
              3, mutatedCrOf k |> Gen.map Some ]
        |> Gen.map (Option.map (fun cr -> k, cr)))
    |> Gen.sequenceToList
    |> Gen.map (List.choose id >> Map.ofList)

/// Any Mode: either platform, either namespace, create-only now and then, a proxy with or without a CA bundle.
let mode: Gen<Mode> =
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

/// A Mode the operands run under: create-only off, a proxy only with its CA bundle.
let operatingMode: Gen<Mode> =
    mode
    |> Gen.map (fun m ->
        { m with
            CreateOnly = false
            TrustedCaBundleConfigMap =
                if m.Proxy.HttpProxy.IsSome then
                    Some "trusted-ca"
                else
                    m.TrustedCaBundleConfigMap })

let inputs controller crs observed mode =
    { Controller = controller
      Crs = crs
      Observed = observed
      Mode = mode
      Now = now }

let creates (d: Decision) =
    d.Actions
    |> List.choose (function
        | Create(r, j) -> Some(r, j)
        | _ -> None)

let set (path: string) (value: Json) (json: Json) =
    JsonEdit.set (JsonEdit.path path) (Some value) json

/// A workload with the status its controller reports once everything is rolled out and ready.
let healthy (json: Json) =
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

/// Every CR valid and stored: a stored CR has a uid, which the owner references of its objects carry.
let storedCrs: Gen<Map<Kind, Json>> =
    Kind.all
    |> List.mapi (fun i k ->
        validCrOf k
        |> Gen.map (fun cr ->
            k, set "metadata.uid" (Json.String(sprintf "00000000-0000-4000-8000-00000000000%d" i)) cr))
    |> Gen.sequenceToList
    |> Gen.map Map.ofList

/// What the operand controller `kind` creates in an empty cluster.
let desiredOf (kind: Kind) (crs: Map<Kind, Json>) (m: Mode) =
    creates (Reconcile.reconcile (inputs kind crs Map.empty m))

/// A cluster where what the operand controller `kind` creates from `crs` has been stored by the server model
/// and every workload is healthy: the controller, the CR set, the Mode, the created objects and the cluster.
let convergedFrom (kinds: Kind list) (crsGen: Gen<Map<Kind, Json>>) =
    gen {
        let! kind = Gen.elements kinds
        let! crs = crsGen
        let! mode = mode

        let mode =
            { mode with
                CreateOnly = false
                Proxy = Mode.defaults.Proxy }

        let created = desiredOf kind crs mode

        let! stored =
            created
            |> List.map (fun (r, j) -> serve j |> Gen.map (fun s -> r, healthy s))
            |> Gen.sequenceToList

        return kind, crs, mode, created, Map.ofList stored
    }
    // A generated SpireServer may federate with its own trust domain: then nothing is created to converge.
    |> Gen.filter (fun (_, _, _, created, _) -> not created.IsEmpty)

let convergedCluster (kinds: Kind list) = convergedFrom kinds storedCrs

let private anyObserved (crs: Map<Kind, Json>) (m: Mode) =
    gen {
        let desired = Ready.operandKinds |> List.collect (fun k -> desiredOf k crs m)

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

let anyInputs (crsGen: Gen<Map<Kind, Json>>) =
    gen {
        let! controller = Gen.elements Kind.all
        let! crs = crsGen
        let! m = mode
        let! observed = anyObserved crs m
        return inputs controller crs observed m
    }

/// Everything a decision holds, as text: forces every lazy part and compares byte for byte.
let print (d: Decision) =
    [ yield! d.Actions |> List.map Action.describe
      yield! d.Actions |> List.map (Action.ref >> Action.describeRef)
      yield d.Status |> Option.map JsonText.compact |> Option.defaultValue "no status"
      yield! d.Events |> List.map (fun e -> e.Type + " " + e.Reason + " " + e.Message)
      yield string d.RequeueAfter ]
    |> String.concat "\n"

let describe (actions: Action list) = actions |> List.map Action.describe

/// The conditions of the operand CR status a decision writes (none when it writes none or it does not read).
let conditions (d: Decision) : Condition list =
    d.Status
    |> Option.bind (fun s -> Status.readOperandCr (Read.root "status" s) |> Result.toOption)
    |> Option.map _.Conditions
    |> Option.defaultValue []

/// The CRs with the CR of `kind` carrying the status `d` decided.
let withStatus (kind: Kind) (d: Decision) (crs: Map<Kind, Json>) =
    match d.Status, Map.tryFind kind crs with
    | Some s, Some cr -> Map.add kind (set "status" s cr) crs
    | _ -> crs
