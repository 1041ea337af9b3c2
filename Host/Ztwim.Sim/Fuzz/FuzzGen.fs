/// Generated runs: a cluster, a seed, and what users and the world do to the operator (CR edits, operand
/// edits, deletions and relabellings, create-only toggles, restarts, faults switched on and off, time passing),
/// followed by a fixed ending (faults off, run to quiescence, idle through a resync) where the properties
/// are judged. A run is a scenario, so a failing one prints as a file `ztwim-sim run` replays.
module Ztwim.Sim.Fuzz.FuzzGen

open System
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Render
open Ztwim.Kernel.Reconcile
open Ztwim.Adapters.Cluster
open Ztwim.Sim.Scenario

/// Where CRs come from: a valid CR of a kind, and a broken edit of a valid CR with the field its status must
/// name (None when no edit applies). Both draw only from the Random they are given.
type SpecSource =
    { Valid: Kind -> Random -> Json
      Broken: Kind -> Json -> Random -> (Json * string) option }

/// What each generated step is, for the coverage counters.
type Action =
    | ApplyCr
    | ApplyBrokenCr of field: string
    | DeleteCr
    /// Deleting the ZTWIM and creating another: the one way a changed trust domain, cluster name or bundle
    /// ConfigMap gets past admission's immutability rules to reach operands that recorded the old values.
    | ReplaceZtwim
    | EditOperand
    | DeleteOperand
    | RelabelOperand
    | UserObject
    | CreateOnlyEnv
    | CreateOnlyAnnotation
    | RestartOperator
    | FaultsOnAction
    | FaultsOffAction
    | PodFailureAction
    | Wait

/// A generated run: the steps before the fixed ending, each with what it is.
type FuzzRun =
    { Seed: int
      Setup: Setup
      Steps: (Action * Step) list }

let operandNamespace = Mode.defaults.Namespace

let private inNs kind name apiVersion =
    { ApiVersion = apiVersion
      Kind = kind
      Namespace = Some operandNamespace
      Name = name }

/// Operand objects a user may touch (never the SPIRE server's PVC: users do not delete their data by accident
/// in these runs, so any deletion of it is the operator's).
let operandTargets =
    [ inNs "ConfigMap" "spire-server" "v1"
      inNs "ConfigMap" "spire-agent" "v1"
      inNs "ConfigMap" "spire-bundle" "v1"
      inNs "Service" "spire-server" "v1"
      inNs "ServiceAccount" "spire-agent" "v1"
      inNs "StatefulSet" "spire-server" "apps/v1"
      inNs "DaemonSet" "spire-agent" "apps/v1"
      inNs "DaemonSet" "spire-spiffe-csi-driver" "apps/v1"
      inNs "Deployment" "spire-spiffe-oidc-discovery-provider" "apps/v1"
      // The provider's serving certificate on plain Kubernetes: its Secret, and the Certificate cert-manager keeps.
      inNs "Secret" "oidc-serving-cert" "v1"
      inNs "Certificate" "oidc-serving-cert" "cert-manager.io/v1" ]

/// The operand CR whose controller writes a target.
let ownerOf (t: Target) =
    match t.Name with
    | "spire-agent" -> Kind.SpireAgent
    | "spire-spiffe-csi-driver" -> Kind.SpiffeCSIDriver
    | "spire-spiffe-oidc-discovery-provider"
    | "oidc-serving-cert" -> Kind.SpireOIDCDiscoveryProvider
    | _ -> Kind.SpireServer

/// Objects users create without our label: one with a name of ours (the operator adopts it), one not ours (the
/// operator must never write it).
let userObjects =
    [ "spire-bundle"; "team-notes" ]
    |> List.map (fun name ->
        Json.obj
            [ "apiVersion", Json.String "v1"
              "kind", Json.String "ConfigMap"
              "metadata", Json.obj [ "name", Json.String name; "namespace", Json.String operandNamespace ]
              "data", Json.obj [ "owner", Json.String "a user" ] ])

let crTarget (kind: Kind) =
    { ApiVersion = Kind.apiVersion
      Kind = Kind.name kind
      Namespace = None
      Name = "cluster" }

let private pick (r: Random) (items: 'a list) = items.[r.Next items.Length]

let private rate (r: Random) = pick r [ 0.05; 0.1; 0.2; 0.3 ]

/// Every fault the simulation knows.
let allFaults = Ztwim.Adapters.Simulation.Faults.Known.Keys |> List.ofSeq

let private faultsOn (faults: string list) (r: Random) =
    let n = 1 + r.Next 3

    [ for _ in 1..n -> pick r faults ]
    |> List.distinct
    // A crash on every fifth write would restart the operator faster than it converges; keep it rarer.
    |> List.map (fun f -> f, (if f = "crash" then 0.05 else rate r))
    // In name order, as a scenario file's mapping reads back.
    |> List.sortBy fst

let private labelPatch (key: string) (value: Json) =
    Json.obj [ "metadata", Json.obj [ "labels", Json.obj [ key, value ] ] ]

// Edits to what the operator set (an added key would be no difference: desired ⊆ observed).
let private editOf (t: Target) (r: Random) =
    match t.Kind with
    | "StatefulSet"
    | "Deployment" when r.Next 2 = 0 -> Json.obj [ "spec", Json.obj [ "replicas", Json.num 3 ] ]
    | _ -> labelPatch "app.kubernetes.io/name" (Json.String "edited")

/// One step: what it is, and the scenario steps it takes (three for a replaced ZTWIM: delete, wait, create).
let rec private step
    (source: SpecSource)
    (faults: string list)
    (crs: Map<Kind, Json>)
    (r: Random)
    : (Action * Step) list * Map<Kind, Json> =
    let one (s, crs) = [ s ], crs
    let kind = pick r Kind.all

    // Mostly an object of a deployed operand, so that the edit meets something.
    let target =
        match operandTargets |> List.filter (fun t -> crs.ContainsKey(ownerOf t)) with
        | [] -> pick r operandTargets
        | deployed when r.Next 4 > 0 -> pick r deployed
        | _ -> pick r operandTargets

    match r.Next 100 with
    | n when n < 3 ->
        let ztwim = source.Valid Kind.ZeroTrustWorkloadIdentityManager r

        [ ReplaceZtwim, Delete(crTarget Kind.ZeroTrustWorkloadIdentityManager)
          ReplaceZtwim, RunFor(TimeSpan.FromSeconds(float (1 + r.Next 10)))
          ReplaceZtwim, ApplyObject([ ztwim ], "inline") ],
        Map.add Kind.ZeroTrustWorkloadIdentityManager ztwim crs
    | n -> one (singleStep source faults crs r kind target n)

and private singleStep source faults crs r kind target n : (Action * Step) * Map<Kind, Json> =
    match n with
    | n when n < 22 ->
        let cr = source.Valid kind r
        (ApplyCr, ApplyObject([ cr ], "inline")), Map.add kind cr crs
    | n when n < 30 ->
        let valid =
            Map.tryFind kind crs |> Option.defaultWith (fun () -> source.Valid kind r)

        match source.Broken kind valid r with
        | Some(broken, field) -> (ApplyBrokenCr field, ApplyObject([ broken ], "inline")), crs
        | None -> (ApplyCr, ApplyObject([ valid ], "inline")), Map.add kind valid crs
    | n when n < 34 -> (DeleteCr, Delete(crTarget kind)), Map.remove kind crs
    | n when n < 42 -> (EditOperand, Patch(target, editOf target r)), crs
    | n when n < 48 -> (DeleteOperand, Delete target), crs
    | n when n < 53 -> (RelabelOperand, Patch(target, labelPatch Labels.managedByKey Json.Null)), crs
    | n when n < 56 -> (UserObject, ApplyObject([ pick r userObjects ], "inline")), crs
    | n when n < 60 ->
        let step =
            if r.Next 2 = 0 then
                SetEnv(Map.ofList [ "CREATE_ONLY_MODE", "true" ], [])
            else
                SetEnv(Map.empty, [ "CREATE_ONLY_MODE" ])

        (CreateOnlyEnv, step), crs
    | n when n < 64 ->
        let value = if r.Next 2 = 0 then Json.String "true" else Json.Null

        let patch =
            Json.obj [ "metadata", Json.obj [ "annotations", Json.obj [ Decision.createOnlyAnnotation, value ] ] ]

        (CreateOnlyAnnotation, Patch(crTarget kind, patch)), crs
    | n when n < 67 -> (RestartOperator, Restart), crs
    | n when n < 75 -> (FaultsOnAction, FaultsOn(faultsOn faults r)), crs
    | n when n < 78 -> (FaultsOffAction, FaultsOff [ pick r faults ]), crs
    | n when n < 82 ->
        let workload =
            pick r [ "spire-server"; "spire-agent"; "spire-spiffe-oidc-discovery-provider" ]

        let reason = pick r [ Some "ImagePullBackOff"; Some "CrashLoopBackOff"; None ]

        (PodFailureAction, PodFailure(operandNamespace, workload, reason)), crs
    | _ -> (Wait, RunFor(TimeSpan.FromSeconds(float (1 + r.Next 60)))), crs

/// A run from a seed: a few CRs first (a ZTWIM and one or two operands, so that there is something to
/// converge), then up to `maxSteps` steps, each followed by a little time passing.
let generate (source: SpecSource) (faults: string list) (maxSteps: int) (seed: int) : FuzzRun =
    let r = Random(seed)
    // No list given means every fault.
    let faults = if faults.IsEmpty then allFaults else faults

    let nodes = 1 + r.Next 3
    let kubernetes = r.Next 4 = 0
    // Half the plain Kubernetes clusters run cert-manager.
    let certManager = kubernetes && r.Next 2 = 0

    let setup =
        { Nodes = nodes
          Platform =
            (if kubernetes then
                 Ztwim.Kernel.Render.Kubernetes
             else
                 Ztwim.Kernel.Render.OpenShift)
          CertManager = certManager
          Env =
            (if r.Next 4 = 0 then
                 Map.ofList [ "CREATE_ONLY_MODE", "true" ]
             else
                 Map.empty) }

    let operands =
        [ Kind.SpireServer
          Kind.SpireAgent
          Kind.SpiffeCSIDriver
          Kind.SpireOIDCDiscoveryProvider ]
        |> List.sortBy (fun _ -> r.Next())
        |> List.take (if r.Next 3 = 0 then 2 else 1)

    let first =
        [ if r.Next 2 = 0 then
              yield FaultsOnAction, FaultsOn(faultsOn faults r)
          for kind in Kind.ZeroTrustWorkloadIdentityManager :: operands do
              yield ApplyCr, ApplyObject([ source.Valid kind r ], "inline") ]

    let crs =
        first
        |> List.choose (function
            | _, ApplyObject([ cr ], _) ->
                cr.Str("kind")
                |> Option.ofObj
                |> Option.bind Kind.tryParse
                |> Option.map (fun k -> k, cr)
            | _ -> None)
        |> Map.ofList

    let rec more n crs acc =
        if n = 0 then
            List.rev acc
        else
            let steps, crs = step source faults crs r
            let wait = Wait, RunFor(TimeSpan.FromSeconds(float (r.Next 20)))
            more (n - 1) crs (wait :: List.rev steps @ acc)

    let rest = more (r.Next(maxSteps + 1)) crs []

    { Seed = seed
      Setup = setup
      Steps = first @ rest |> List.filter (fun (_, s) -> s <> RunFor TimeSpan.Zero) }

/// The fixed ending: faults off, pods healed; an informer relist (10 minutes) makes good any lost event;
/// quiescence; then an
/// idle span with a resync and a relist that must write nothing.
let ending =
    [ yield Phase "settle"
      yield FaultsOff [ "all" ]
      for w in
          [ "spire-server"
            "spire-agent"
            "spire-spiffe-csi-driver"
            "spire-spiffe-oidc-discovery-provider" ] do
          yield PodFailure(operandNamespace, w, None)
      yield RunFor(TimeSpan.FromMinutes 11.0)
      // A workload the spec makes unschedulable never becomes ready: the operator keeps looking, without writing.
      yield RunUntilConverged(TimeSpan.FromMinutes 15.0)
      yield Phase "idle"
      yield RunFor(TimeSpan.FromMinutes 11.0)
      yield Expect("idle through a resync and a relist", [ WritesInPhase 0 ]) ]

/// The run as a scenario.
let scenario (run: FuzzRun) : Scenario =
    { Name = sprintf "fuzz-%d" run.Seed
      Setup = run.Setup
      Steps = (run.Steps |> List.map snd) @ ending }

/// Smaller runs to try when one fails: each step left out, then the setup made plainer. FsCheck and
/// `ztwim-sim fuzz` both shrink with these.
let shrinks (run: FuzzRun) : FuzzRun seq =
    seq {
        let n = run.Steps.Length
        // Halves first, so that a long run shrinks in few tries.
        if n > 3 then
            yield
                { run with
                    Steps = run.Steps |> List.take (n / 2) }

            yield
                { run with
                    Steps = run.Steps |> List.skip (n / 2) }

        for i in 0 .. n - 1 do
            yield
                { run with
                    Steps = run.Steps |> List.removeAt i }

        if run.Setup.Nodes > 1 then
            yield
                { run with
                    Setup = { run.Setup with Nodes = 1 } }
    }

/// Shrinks a failing run greedily: the first smaller run that still fails, until none does.
let rec shrink (fails: FuzzRun -> bool) (run: FuzzRun) =
    match shrinks run |> Seq.tryFind fails with
    | Some smaller -> shrink fails smaller
    | None -> run
