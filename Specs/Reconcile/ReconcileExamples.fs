/// Inputs for reconcile examples: minimal CRs, a cluster holding the desired objects as rendered with healthy
/// workloads, and reading the decided status back.
module Ztwim.Specs.Reconcile.ReconcileExamples

open System
open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Render
open Ztwim.Kernel.Plan
open Ztwim.Kernel.Status
open Ztwim.Kernel.Reconcile
open Ztwim.Specs.Api.Examples

let now = DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero)

let operandKinds = Ready.operandKinds

/// The ZTWIM and every operand CR, minimal.
let allCrs = Kind.all |> List.map (fun k -> k, minimal k) |> Map.ofList

let inputs (kind: Kind) (crs: Map<Kind, Json>) (observed: Map<ObjectRef, Json>) =
    { Controller = kind
      Crs = crs
      Observed = observed
      Mode = Mode.defaults
      Now = now }

/// The CR's conditions as the decision writes them.
let conditions (d: Decision) =
    match d.Status with
    | None -> failtest "no status"
    | Some s ->
        match Status.readOperandCr (Read.root "status" s) with
        | Ok s -> s.Conditions
        | Error es -> failtestf "status does not read: %A" es

let condition (kind: string) (d: Decision) =
    match Conditions.tryFind kind (conditions d) with
    | Some c -> c
    | None -> failtestf "no %s condition in %A" kind (conditions d)

let expectCondition (d: Decision) kind (status: ConditionStatus) reason message =
    let c = condition kind d
    Expect.equal (c.Status, c.Reason, c.Message) (status, reason, message) kind

let private num (path: string list) (json: Json) =
    path
    |> List.fold (fun j p -> j |> Option.bind (Json.tryField p)) (Some json)
    |> Option.defaultValue (Json.num 1)

/// A workload with the status its controller reports once every replica or pod is up to date and ready.
let healthy (json: Json) =
    let withGeneration =
        set "metadata.generation" (Json.num 1) json
        |> set "status.observedGeneration" (Json.num 1)

    match Json.tryField "kind" json with
    | Some(Json.String "DaemonSet") ->
        [ "desiredNumberScheduled"
          "numberReady"
          "updatedNumberScheduled"
          "numberAvailable" ]
        |> List.fold (fun j f -> set ("status." + f) (Json.num 3) j) withGeneration
    | Some(Json.String("StatefulSet" | "Deployment")) ->
        let replicas = num [ "spec"; "replicas" ] json

        [ "readyReplicas"; "updatedReplicas"; "availableReplicas" ]
        |> List.fold (fun j f -> set ("status." + f) replicas j) withGeneration
    | _ -> json

/// The desired objects of the operand `kind` for these CRs, by reconciling an empty cluster.
let rendered (kind: Kind) (crs: Map<Kind, Json>) =
    Reconcile.reconcile (inputs kind crs Map.empty)
    |> _.Actions
    |> List.choose (function
        | Create(r, j) -> Some(r, j)
        | _ -> None)

/// The cluster holding exactly what the operand `kind` creates, workloads healthy.
let converged (kind: Kind) (crs: Map<Kind, Json>) =
    rendered kind crs |> List.map (fun (r, j) -> r, healthy j) |> Map.ofList

/// The CRs with the operand CR's status set to the decided one.
let withStatus (kind: Kind) (d: Decision) (crs: Map<Kind, Json>) =
    match d.Status with
    | Some s -> Map.add kind (set "status" s (Map.find kind crs)) crs
    | None -> crs

let describe (actions: Action list) = actions |> List.map Action.describe

let T = ConditionStatus.True
let F = ConditionStatus.False
