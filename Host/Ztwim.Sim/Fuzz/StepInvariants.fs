/// The invariants that must hold at every step of a run, checked on every change the simulated cluster stores:
/// no data lost, ownership safety, every operand write justified by a valid spec, create-only, immutability,
/// bad input contained and honest status. A change is the operator's when its client's write count moved and
/// the user's did not (everything runs on one thread, and a request is answered before the next starts).
module Ztwim.Sim.Fuzz.StepInvariants

open System.Collections.Generic
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Render
open Ztwim.Kernel.Plan
open Ztwim.Kernel.Reconcile
open Ztwim.Kernel.Status
open Ztwim.Adapters.Cluster
open Ztwim.Adapters.Sim
open Ztwim.Adapters.Simulation

/// One broken invariant: the property's name and what happened.
type Violation = { Property: string; Detail: string }

let private labelOf (key: string) (o: Json) =
    match o.Labels().TryGetValue key with
    | true, v -> Some v
    | _ -> None

let private annotations (o: Json) =
    match o |> Json.tryField "metadata" |> Option.bind (Json.tryField "annotations") with
    | Some(Json.Object m) -> m
    | _ -> Map.empty

let private kindOfCr (o: Json) =
    o.Str("kind") |> Option.ofObj |> Option.bind Kind.tryParse

/// The controller whose objects carry a component label.
let controllerOf (o: Json) =
    labelOf Labels.componentKey o
    |> Option.bind (fun c -> Kind.all |> List.tryFind (fun k -> List.contains c (Operand.components k)))

let private conditions (cr: Json) =
    cr.Items("status", "conditions")
    |> Seq.map (fun c -> c.Str("type"), c.Str("status"), c.Str("reason"), c.Str("message"))
    |> List.ofSeq

let private conditionIs (ctype: string) (status: string) (cr: Json) =
    conditions cr |> List.exists (fun (t, s, _, _) -> t = ctype && s = status)

// A CR as a spec version: what the kernel renders from (status and bookkeeping dropped).
let private version (cr: Json) =
    match cr with
    | Json.Object m ->
        let meta =
            match Map.tryFind "metadata" m with
            | Some(Json.Object md) ->
                md
                |> Map.filter (fun k _ -> List.contains k [ "name"; "uid"; "labels"; "annotations" ])
                |> Json.Object
            | _ -> Json.obj []

        m |> Map.remove "status" |> Map.add "metadata" meta |> Json.Object
    | other -> other

// An object without what the server keeps up to date by itself: status, resourceVersion, managedFields.
let private bookkeepingAside (o: Json) =
    match o with
    | Json.Object m ->
        let m = Map.remove "status" m

        match Map.tryFind "metadata" m with
        | Some(Json.Object md) ->
            Map.add "metadata" (md |> Map.remove "resourceVersion" |> Map.remove "managedFields" |> Json.Object) m
            |> Json.Object
        | _ -> Json.Object m
    | other -> other

/// Watches a simulation; `Violations` holds what broke, `Reasons` every condition reason the operator wrote.
type Watcher(sim: Simulation) =
    let violations = ResizeArray<Violation>()
    let reasons = SortedSet<string>()
    let operatorClient = sim.Cluster.Clients |> Seq.find (fun c -> c.Name = "ztwim")
    let userClient = sim.Cluster.Clients |> Seq.find (fun c -> c.Name = "kubectl")
    let mutable operatorWrites = 0L
    let mutable userWrites = 0L
    let history = Dictionary<Kind, ResizeArray<Json>>()

    let desiredCache =
        Dictionary<Json * Json * bool, Map<ObjectRef, Json>>(HashIdentity.Structural)

    let healthy = HashSet<string>()
    let createOnlyAcknowledged = HashSet<Kind>()
    let brokenAcknowledged = HashSet<Kind>()
    let immutableReported = HashSet<Kind>()

    let fail property detail =
        if violations.Count < 20 then
            violations.Add
                { Property = property
                  Detail = sprintf "at %O: %s" sim.Clock.Elapsed detail }

    let versions kind =
        match history.TryGetValue kind with
        | true, vs -> List.ofSeq vs
        | _ -> []

    // What the kernel renders for a ZTWIM and an operand CR, from scratch: every object it would create.
    let desired (z: Json) (cr: Json) (kind: Kind) =
        let key = (z, cr, sim.Mode.CreateOnly)

        match desiredCache.TryGetValue key with
        | true, d -> d
        | _ ->
            let inputs =
                { Controller = kind
                  Crs = Map.ofList [ Kind.ZeroTrustWorkloadIdentityManager, z; kind, cr ]
                  Observed = Map.empty
                  Mode = { sim.Mode with CreateOnly = false }
                  Now = sim.Clock.GetUtcNow() }

            let first = Reconcile.reconcile inputs

            // With cert-manager, a Certificate is rendered once the operator's own first Secret exists: those
            // Secrets as the applier writes them (labelled as ours), and what is rendered then, count too.
            let issued =
                first.Certificates
                |> List.map (fun c ->
                    DesiredObject.ref (ServingCertificateFor c),
                    Json.obj
                        [ "metadata",
                          Json.obj [ "labels", Json.obj [ Labels.managedByKey, Json.String Labels.operatorName ] ] ])
                |> Map.ofList

            let later =
                if issued.IsEmpty then
                    []
                else
                    (Reconcile.reconcile { inputs with Observed = issued }).Actions

            let d =
                first.Actions @ later
                |> List.choose (function
                    | Action.Create(r, j) -> Some(r, j)
                    | _ -> None)
                |> Map.ofList

            desiredCache.[key] <- d
            d

    // Some valid spec version the user gave renders this object as a subset of what was written; else where the
    // last version that renders it differs.
    let justified (kind: Kind) (r: ObjectRef) (written: Json) =
        let differences =
            [ for z in versions Kind.ZeroTrustWorkloadIdentityManager do
                  for cr in versions kind do
                      match Map.tryFind r (desired z cr kind) with
                      | Some d -> Subset.difference d written
                      | None -> Some { Path = ""; Problem = "not rendered" } ]

        if differences |> List.exists Option.isNone then
            None
        else
            Some(
                differences
                |> List.tryLast
                |> Option.flatten
                |> Option.map Difference.describe
                |> Option.defaultValue "no version"
            )

    // Names the kernel renders for some version of the CRs the cluster has had (an unlabelled object with one of
    // them is adopted; the operator may adopt on a view a moment old, such as a ZTWIM deleted since).
    let namedAsOurs (r: ObjectRef) =
        versions Kind.ZeroTrustWorkloadIdentityManager
        |> List.exists (fun z ->
            Kind.all
            |> List.exists (fun k ->
                k <> Kind.ZeroTrustWorkloadIdentityManager
                && (versions k |> List.exists (fun cr -> (desired z cr k).ContainsKey r))))

    // The operator's informer copy of an object, if it runs and holds one.
    let cachedCopy (r: ObjectRef) =
        match sim.Runtime |> Option.ofObj with
        | None -> None
        | Some runtime ->
            runtime.Informers
            |> Seq.filter (fun i -> i.Type.Kind = r.Kind)
            |> Seq.collect (fun i -> i.Objects())
            |> Seq.tryFind (fun kv -> kv.Key = r)
            |> Option.map (fun kv -> kv.Value)

    let createOnlyFor (kind: Kind) =
        sim.Mode.CreateOnly || createOnlyAcknowledged.Contains kind

    // An immutable change is seen only through the applied values the operands record, as the operator's
    // informers hold them. Reported from a stale view after every object recording them is gone (collected with
    // the CR a user replaced while its deletions were still on their way, say), the report rests on nothing the
    // cluster has: once the informers catch up, the operator rightly installs the new CR's operands.
    let appliedValuesRecorded (kind: Kind) =
        sim.Cluster.AllObjects()
        |> Seq.exists (fun struct (_, o) ->
            controllerOf o = Some kind
            && annotations o |> Map.exists (fun k _ -> k.StartsWith(Manifest.applied "")))

    let onCr (change: SimChange) (byOperator: bool) =
        match kindOfCr change.Object with
        | None -> ()
        | Some kind ->
            if change.Kind = WatchEventType.Deleted then
                createOnlyAcknowledged.Remove kind |> ignore

                if kind = Kind.ZeroTrustWorkloadIdentityManager then
                    brokenAcknowledged.Clear()
                else
                    brokenAcknowledged.Remove kind |> ignore
            else
                let v = version change.Object

                if not (versions kind |> List.contains v) then
                    if not (history.ContainsKey kind) then
                        history.[kind] <- ResizeArray()

                    history.[kind].Add v

                let annotated = Decision.createOnly change.Object

                if not annotated then
                    createOnlyAcknowledged.Remove kind |> ignore

                // A user's change to the CR, or to the ZTWIM every operand reads its trust domain and cluster
                // name from, may make a reported invalid (or immutably changed) configuration valid again.
                if not byOperator then
                    if kind = Kind.ZeroTrustWorkloadIdentityManager then
                        brokenAcknowledged.Clear()
                    else
                        brokenAcknowledged.Remove kind |> ignore

                if byOperator then
                    for (t, _, reason, _) in conditions change.Object do
                        if not (isNull reason) then
                            reasons.Add(sprintf "%s/%s" t reason) |> ignore

                    // Honest status: what the operator writes is about the spec the CR has now, never about a
                    // generation the user has since replaced (a decision from a stale cache must not land).
                    let generation = change.Object.At("metadata", "generation")

                    for c in change.Object.Items("status", "conditions") do
                        match Json.tryField "observedGeneration" c with
                        | Some g when g <> generation ->
                            fail
                                "status honest"
                                (sprintf
                                    "the operator wrote %s's %s condition for generation %s while the spec is at generation %s"
                                    (Kind.name kind)
                                    (c.Str("type"))
                                    (JsonText.compact g)
                                    (JsonText.compact generation))
                        | _ -> ()

                    if annotated && conditionIs "CreateOnlyMode" "True" change.Object then
                        createOnlyAcknowledged.Add kind |> ignore

                    if conditionIs "ConfigurationValid" "False" change.Object then
                        let immutable =
                            conditions change.Object
                            |> List.exists (fun (t, _, reason, _) ->
                                t = "ConfigurationValid" && reason = "ImmutableFieldChanged")

                        if not immutable || appliedValuesRecorded kind then
                            brokenAcknowledged.Add kind |> ignore

                        if immutable then
                            immutableReported.Add kind |> ignore
                        else
                            immutableReported.Remove kind |> ignore

                    // Honest status: Ready only over a workload that has been healthy, or over the healthy copy
                    // the operator's informer still holds (the operator may act on a stale view, such as a
                    // workload's deletion not yet delivered, but never on one the cluster never had).
                    match Operand.workload kind with
                    | Some(w, name) when conditionIs "Ready" "True" change.Object ->
                        let r = Operand.workloadRef sim.Mode.Namespace w name

                        let cachedHealthy () =
                            cachedCopy r
                            |> Option.exists (fun c -> healthy.Contains(c.Meta("uid")) && WorkloadHealth.healthy w c)

                        match sim.Cluster.Find r |> Option.ofObj with
                        | Some o when healthy.Contains(o.Meta("uid")) -> ()
                        | Some _ when cachedHealthy () -> ()
                        | Some o ->
                            fail
                                "status honest"
                                (sprintf
                                    "%s Ready True while %s %s has never been healthy (%s)"
                                    (Kind.name kind)
                                    r.Kind
                                    name
                                    (WorkloadHealth.problem w o |> Option.defaultValue "?"))
                        | None -> ()
                    | _ -> ()

    let onOperand (change: SimChange) =
        let o = change.Object
        let r = o.RefOf()
        let previous = change.Previous |> Option.ofObj

        let show =
            sprintf "%s %s" r.Kind (r.Namespace |> Option.map (fun ns -> ns + "/") |> Option.defaultValue "")
            + r.Name

        let wasOurs = previous |> Option.forall Plan.isOurs || namedAsOurs r

        if not wasOurs then
            fail
                "ownership safety"
                (sprintf "the operator wrote %s, which has no managed-by label and is not named as ours" show)

        match controllerOf o with
        | _ when change.Kind = WatchEventType.Deleted && not (Plan.isOurs o) ->
            fail "ownership safety" (sprintf "the operator deleted %s, which has no managed-by label" show)
        | Some kind ->
            if change.Kind <> WatchEventType.Added && createOnlyFor kind then
                fail "create-only" (sprintf "the operator %s %s in create-only mode" (string change.Kind) show)

            if change.Kind <> WatchEventType.Deleted then
                if not (Plan.isOurs o) then
                    fail "ownership safety" (sprintf "the operator wrote %s without our managed-by label" show)

                if brokenAcknowledged.Contains kind then
                    fail
                        "bad input contained"
                        (sprintf "the operator wrote %s after reporting %s invalid" show (Kind.name kind))

                match justified kind r o with
                | Some difference ->
                    fail
                        "bad input contained"
                        (sprintf "the operator wrote %s, which no valid spec the user gave renders (%s)" show difference)
                | None -> ()

                // Immutability: a value recorded as applied never changes on an existing object.
                match previous with
                | Some p ->
                    let now = annotations o

                    for KeyValue(k, v) in annotations p do
                        if k.StartsWith(Manifest.applied "") && Map.tryFind k now <> Some v then
                            fail "immutability" (sprintf "the operator changed %s's %s" show (AppliedValues.fieldOf k))
                | None -> ()
        | None -> ()

    // An immutable change is seen only through the applied-* values the operands record. A user who deletes the
    // workload and takes our label off the ConfigMap hides every record from the operator, which then can no
    // longer tell the change from a first install (it stops at the ConfigMap's AlreadyExists): its report of
    // the change no longer binds it.
    let onUsersOperand (change: SimChange) =
        let before =
            if change.Kind = WatchEventType.Deleted then
                Some change.Object
            else
                Option.ofObj change.Previous

        match before with
        | Some p when
            annotations p |> Map.exists (fun k _ -> k.StartsWith(Manifest.applied ""))
            && (change.Kind = WatchEventType.Deleted || not (Plan.isOurs change.Object))
            ->
            match controllerOf p with
            | Some kind when immutableReported.Contains kind -> brokenAcknowledged.Remove kind |> ignore
            | _ -> ()
        | _ -> ()

    // The write count also moves for a write that failed and changed nothing, so the next change may be
    // another actor's: a workload controller's status, or the garbage collector's deletion. The operator writes
    // neither an operand's status nor deletes what lost its owner.
    let notTheOperators (change: SimChange) =
        let isCr =
            ResourceTypes.OperatorCrs |> Seq.exists (fun t -> t.Kind = change.Type.Kind)

        match change.Kind, change.Previous |> Option.ofObj with
        | WatchEventType.Modified, Some p when not isCr -> bookkeepingAside change.Object = bookkeepingAside p
        | WatchEventType.Deleted, _ ->
            change.Object.Items("metadata", "ownerReferences")
            |> Seq.exists (fun o ->
                match o.Str("kind") |> Option.ofObj |> Option.bind Kind.tryParse with
                | Some k ->
                    sim.Cluster.Find(JsonAccess.Ref(Kind.apiVersion, Kind.name k, null, "cluster"))
                    |> Option.ofObj
                    |> Option.isNone
                | None -> false)
        | _ -> false

    let onChange (change: SimChange) =
        let ow = operatorClient.Requests.Writes
        let uw = userClient.Requests.Writes

        let byOperator =
            ow > operatorWrites && uw = userWrites && not (notTheOperators change)

        operatorWrites <- ow
        userWrites <- uw
        let o = change.Object

        if
            change.Type.Kind = "PersistentVolumeClaim"
            && change.Kind = WatchEventType.Deleted
        then
            fail "no data lost" (sprintf "PVC %s was deleted" (o.Meta("name")))

        match o.Str("kind") with
        | "StatefulSet"
        | "DaemonSet"
        | "Deployment" as k ->
            let w =
                match k with
                | "StatefulSet" -> StatefulSet
                | "DaemonSet" -> DaemonSet
                | _ -> Deployment

            if change.Kind <> WatchEventType.Deleted && WorkloadHealth.healthy w o then
                healthy.Add(o.Meta("uid")) |> ignore
        | _ -> ()

        if ResourceTypes.OperatorCrs |> Seq.exists (fun t -> t.Kind = change.Type.Kind) then
            onCr change byOperator
        elif not byOperator then
            onUsersOperand change
        elif
            byOperator
            && ResourceTypes.Owned |> Seq.exists (fun t -> t.Kind = change.Type.Kind)
        then
            onOperand change

    // Never drop a key: a reconcile that did not finish its work (a conflict, an error) or asked to look again
    // later leaves its key queued, whatever the number of failures before.
    let onReconciled (record: Ztwim.Adapters.Runtime.ReconcileRecord) =
        let retry =
            record.Outcome = Ztwim.Adapters.Runtime.ReconcileOutcome.Requeue
            || record.Outcome = Ztwim.Adapters.Runtime.ReconcileOutcome.Error
            || record.RequeueAfter.HasValue

        match sim.Runtime |> Option.ofObj with
        | Some runtime when
            retry
            && not runtime.Queue.IsShutDown
            && not (runtime.Queue.IsPending record.Controller)
            ->
            fail
                "no key dropped"
                (sprintf
                    "the reconcile of %s ended %O%s, and its key is no longer queued"
                    record.Controller
                    record.Outcome
                    (match record.Error with
                     | null -> ""
                     | e -> sprintf " (%O)" e))
        | _ -> ()

    do sim.Cluster.add_Changed (fun c -> onChange c)
    do sim.add_ReconcileDone (fun r -> onReconciled r)

    member _.Violations = List.ofSeq violations
    member _.Reasons = List.ofSeq reasons
    member _.Fail property detail = fail property detail
