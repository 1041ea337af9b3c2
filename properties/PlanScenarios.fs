/// Scenarios for planning: desired objects for one controller and the cluster as observed, where each desired
/// object met a fate (missing, served, changed, a field removed, relabelled) and extra objects lie beside them;
/// and the cluster after the applier ran a plan.
module Ztwim.Properties.PlanScenarios

open FsCheck
open FsCheck.FSharp
open Ztwim.Kernel
open Ztwim.Kernel.Render
open Ztwim.Kernel.Plan
open Ztwim.Properties.ApiServerModel
open Ztwim.Properties.Generators

/// What happened to a desired object in the cluster.
type Fate =
    | Missing
    | Served
    | Changed
    | Removed
    | LabelRemoved
    | Unlabelled
    | ManagedByOther

/// A planning input and what the generator did to each desired object.
[<StructuredFormatDisplay("{Display}")>]
type Scenario =
    { Input: PlanInput
      Fates: Map<ObjectRef, Fate> }

    member sc.Display =
        let fates =
            sc.Fates
            |> Map.toList
            |> List.map (fun (r, f) -> sprintf "  %A %s" f (Action.describeRef r))

        let observed =
            sc.Input.Observed
            |> Map.toList
            |> List.map (fun (r, j) -> sprintf "  %s\n    %s" (Action.describeRef r) (JsonText.compact j))

        // Shown for a failing case, where plan itself may be what throws.
        let plan =
            try
                Plan.plan sc.Input
                |> List.map (Action.describe >> sprintf "  %s")
                |> String.concat "\n"
            with e ->
                sprintf "  threw %s" e.Message

        sprintf
            "components %A, create-only %b\ndesired:\n%s\nobserved:\n%s\nplan:\n%s"
            sc.Input.Component
            sc.Input.CreateOnly
            (String.concat "\n" fates)
            (String.concat "\n" observed)
            plan

/// The objects of a cluster, shown compactly when a property fails.
[<StructuredFormatDisplay("{Display}")>]
type Cluster =
    { Objects: Map<ObjectRef, Json> }

    member c.Display =
        c.Objects
        |> Map.toList
        |> List.map (fun (r, j) -> sprintf "  %s\n    %s" (Action.describeRef r) (JsonText.compact j))
        |> String.concat "\n"
        |> sprintf "cluster:\n%s"

/// Where our managed-by label sits.
let managedBy = [ "metadata"; "labels"; Labels.managedByKey ]

let private isScalar (j: Json) =
    match j with
    | Json.Object _
    | Json.Array _
    | Json.Null -> false
    | _ -> true

let private isEmpty (j: Json) =
    match j with
    | Json.Null
    | Json.String "" -> true
    | Json.Object m -> m.IsEmpty
    | Json.Array xs -> xs.IsEmpty
    | _ -> false

/// A value that no normalisation makes equal to the original.
let private changed (j: Json) =
    match j with
    | Json.String t -> Json.String(t + "-changed")
    | Json.Number n -> Json.Number(n + 1m)
    | Json.Bool b -> Json.Bool(not b)
    | other -> other

/// The observed form of a desired object with this fate, and the fate it really got (a change needs a field).
let observe (desired: Json) (fate: Fate) : Gen<Fate * Json option> =
    let paths = ArbitraryJson.paths desired

    let valueAt p =
        JsonEdit.get p desired |> Option.defaultValue Json.Null

    let leaves = paths |> List.filter (valueAt >> isScalar)

    let removable =
        paths
        |> List.filter (fun p -> not (isEmpty (valueAt p)) && not (defaultedNames.Contains(List.last p)))

    let served f (j: Json) = serve j |> Gen.map (fun o -> f, Some o)

    match fate with
    | Missing -> Gen.constant (Missing, None)
    | Changed when not leaves.IsEmpty ->
        Gen.elements leaves
        |> Gen.bind (fun p -> served Changed (JsonEdit.set p (Some(changed (valueAt p))) desired))
    | Removed when not removable.IsEmpty ->
        Gen.elements removable
        |> Gen.bind (fun p -> served Removed (JsonEdit.set p None desired))
    | LabelRemoved -> served LabelRemoved (JsonEdit.set [ "metadata"; "labels"; "app.kubernetes.io/name" ] None desired)
    | Unlabelled -> served Unlabelled (JsonEdit.set managedBy None desired)
    | ManagedByOther -> served ManagedByOther (JsonEdit.set managedBy (Some(Json.String "helm")) desired)
    | _ -> served Served desired

let anyFate =
    Gen.frequency
        [ 4, Gen.constant Served
          2, Gen.constant Missing
          2, Gen.constant Changed
          2, Gen.constant Removed
          1, Gen.constant LabelRemoved
          1, Gen.constant Unlabelled
          1, Gen.constant ManagedByOther ]

/// The object under another name: its name with `suffix` appended.
let rename (suffix: string) ((r: ObjectRef), (j: Json)) =
    let name = r.Name + suffix
    { r with Name = name }, JsonEdit.set [ "metadata"; "name" ] (Some(Json.String name)) j

/// Objects observed beside the desired ones: orphans of ours (of this controller or another), objects without
/// our managed-by label (some with our component label), and claims of ours left behind.
let private extra (ns: string) (controller: string list) (orphansOfOurs: bool) (i: int) =
    gen {
        let! role = Gen.elements controller
        let! otherRole = Gen.elements (Objects.roles |> List.filter (fun r -> not (List.contains r controller)))
        let! ofOurs = Objects.desired ns role
        let! ofOther = Objects.desired ns otherRole
        let! claim = Objects.claim ns role
        let! foreignRole = Gen.elements [ role; otherRole ]
        let! foreign = Objects.desired ns foreignRole

        let manifest (d: DesiredObject) =
            DesiredObject.manifests [ d ] |> List.head

        let foreignRef, foreignJson = manifest foreign

        let candidates =
            [ if orphansOfOurs then
                  yield 3, manifest ofOurs
              yield 2, manifest ofOther
              yield 2, manifest claim
              yield 2, (foreignRef, JsonEdit.set managedBy None foreignJson) ]

        let! picked = Gen.frequency (candidates |> List.map (fun (w, d) -> w, Gen.constant d))
        let r, j = rename (sprintf "-old-%d" i) picked
        let! stored = serve j
        return r, stored
    }

/// A scenario: desired objects for one controller, observed with fates from `fates`, plus extra objects.
let scenarioWith (fates: Gen<Fate>) (orphansOfOurs: bool) (createOnly: Gen<bool>) =
    gen {
        let! ns = Gen.elements [ "zero-trust-workload-identity-manager"; "ztwim" ]

        let! controller =
            Gen.elements
                [ [ "control-plane" ]
                  [ "control-plane"; "webhook" ]
                  [ "node-agent" ]
                  [ "discovery" ] ]

        let! n = Gen.choose (0, 7)
        let! objects = Gen.listOfLength n (Gen.elements controller |> Gen.bind (Objects.desired ns))
        let manifests = DesiredObject.manifests objects |> List.distinctBy fst
        let! withCertificate = Gen.elements [ false; true ]

        let certificate =
            ServingCertificateFor
                { SecretName = "spire-server-serving-cert"
                  Namespace = ns
                  DnsNames = [ "spire-server." + ns + ".svc" ] }

        let! certificateSecret =
            serve (
                Json.obj
                    [ "apiVersion", Json.String "v1"
                      "kind", Json.String "Secret"
                      "metadata",
                      Json.obj
                          [ "name", Json.String "spire-server-serving-cert"
                            "namespace", Json.String ns
                            "labels",
                            Manifest.stringMap (
                                Labels.standard
                                    Map.empty
                                    { Labels.spireServer with
                                        Role = controller.Head }
                            ) ] ]
            )

        let! observedDesired =
            manifests
            |> List.map (fun (r, j) -> fates |> Gen.bind (observe j) |> Gen.map (fun (f, o) -> r, f, o))
            |> Gen.sequenceToList

        let! extraCount = Gen.choose (0, 5)

        let! extras =
            [ 0 .. extraCount - 1 ]
            |> List.map (extra ns controller orphansOfOurs)
            |> Gen.sequenceToList

        let! createOnly = createOnly

        let desiredRefs = manifests |> List.map fst |> Set.ofList

        let observed =
            [ yield! extras |> List.filter (fun (r, _) -> not (desiredRefs.Contains r))
              if withCertificate then
                  yield DesiredObject.ref certificate, certificateSecret
              for r, _, o in observedDesired do
                  match o with
                  | Some o -> yield r, o
                  | None -> () ]
            |> Map.ofList

        return
            { Input =
                { Desired = objects @ (if withCertificate then [ certificate ] else [])
                  Observed = observed
                  Component = controller
                  CreateOnly = createOnly }
              Fates = observedDesired |> List.map (fun (r, f, _) -> r, f) |> Map.ofList }
    }

/// Any scenario: every fate, orphans of ours among the extras, create-only on or off.
let scenario = scenarioWith anyFate true (Gen.elements [ false; true ])

/// The cluster after the applier ran the actions: a create stores what the server makes of the desired
/// object, an apply or adoption merges our fields into the stored object, a delete removes it.
let applied (actions: Action list) (observed: Map<ObjectRef, Json>) : Gen<Map<ObjectRef, Json>> =
    actions
    |> List.fold
        (fun (cluster: Gen<Map<ObjectRef, Json>>) action ->
            gen {
                let! m = cluster

                match action with
                | Create(r, j) ->
                    let! stored = serve j
                    return Map.add r stored m
                | Apply(r, j, _)
                | Adopt(r, j, _) ->
                    let before = Map.tryFind r m |> Option.defaultValue (Json.obj [])
                    let! stored = serve (merge j before)
                    return Map.add r stored m
                | Delete(r, _) -> return Map.remove r m
            })
        (Gen.constant observed)

/// A value with one subtree (now and then the whole value) replaced by arbitrary JSON.
let private mangle (j: Json) =
    gen {
        let paths = ArbitraryJson.paths j
        let! replacement = Gen.sized (fun size -> ArbitraryJson.json (min size 6))

        if paths.IsEmpty then
            return replacement
        else
            let! p = Gen.elements paths
            let! whole = Gen.frequency [ 8, Gen.constant false; 1, Gen.constant true ]

            return
                (if whole then
                     replacement
                 else
                     JsonEdit.set p (Some replacement) j)
    }

/// A desired manifest and its observed counterpart under one ref, either or both mangled (the observed one
/// sometimes served first), or the observed one absent.
let mangledPair =
    gen {
        let! role = Gen.elements Objects.roles
        let! d = Objects.desired "ns" role
        let r, j = DesiredObject.manifests [ d ] |> List.head
        let! desired = Gen.frequency [ 2, Gen.constant j; 1, mangle j ]

        let! observed =
            Gen.frequency
                [ 3, mangle j |> Gen.map Some
                  2, serve j |> Gen.bind mangle |> Gen.map Some
                  1, mangle desired |> Gen.map Some
                  1, Gen.constant None ]

        return (r, desired), observed |> Option.map (fun o -> r, o)
    }
