/// Rendering operand CRs in examples, and finding where a value landed in the desired objects.
module Ztwim.Specs.Render.RenderedObjects

open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Render
open Ztwim.Specs.Api.Examples

/// The uid given to the operand CRs of these examples, which every owner reference must carry.
let uid = "6a1c3c1e-0000-4000-8000-00000000a9e7"

/// The minimal ZeroTrustWorkloadIdentityManager spec (example.org, demo) after `edit`.
let ztwimSpec (edit: Json -> Json) =
    match Crs.parseZtwim (edit (minimal Kind.ZeroTrustWorkloadIdentityManager)) with
    | Ok r -> r.Spec
    | Error e -> failtestf "ztwim rejected: %A" e

/// A Mode on `platform` with these environment variables (the namespace defaults to the operator's).
let modeOf (platform: Platform) (env: (string * string) list) =
    Mode.ofEnvironment platform (Map.ofList env)

let openShift = modeOf OpenShift []

/// The manifest of `kind` named `name`; failing the test when there is none.
let find (kind: string) (name: string) (objects: DesiredObject list) =
    objects
    |> DesiredObject.manifests
    |> List.tryPick (fun (r, j) -> if r.Kind = kind && r.Name = name then Some j else None)
    |> Option.defaultWith (fun () -> failtestf "no %s %s rendered" kind name)

/// The value at exact keys (for keys with dots in them, such as annotations).
let at (keys: string list) (json: Json) =
    keys |> List.fold (fun j k -> j |> Option.bind (Json.tryField k)) (Some json)

/// The item named `name` of the list at `path`.
let named (name: string) (path: string) (json: Json) =
    match tryGet path json with
    | Some(Json.Array items) -> items |> List.tryFind (fun i -> Json.tryField "name" i = Some(str name))
    | _ -> None

/// The names of the items of the list at `path`.
let names (path: string) (json: Json) =
    match tryGet path json with
    | Some(Json.Array items) ->
        items
        |> List.choose (fun i ->
            match Json.tryField "name" i with
            | Some(Json.String n) -> Some n
            | _ -> None)
    | _ -> []

let strings (xs: string list) = Json.arr (xs |> List.map str)

/// CommonConfig examples shared with the CSI driver's specs.
let resources =
    json """{"limits": {"cpu": "500m", "memory": "256Mi"}, "requests": {"cpu": "100m", "memory": "128Mi"}}"""

let affinity =
    json
        """{"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms":
             [{"matchExpressions": [{"key": "node-role.kubernetes.io/worker", "operator": "Exists"}]}]}}}"""

let tolerations =
    json """[{"key": "node-role.kubernetes.io/master", "operator": "Exists", "effect": "NoSchedule"}]"""

let nodeSelector = json """{"kubernetes.io/os": "linux"}"""

/// Every object carries the custom label, the six standard keys win over a custom label of the same key, and
/// every object has a controller owner reference to the CR.
let labelsAndOwners (kind: Kind) (objects: DesiredObject list) (standard: Component) =
    for r, j in DesiredObject.manifests objects do
        let label k = at [ "metadata"; "labels"; k ] j
        Expect.equal (label "team") (Some(str "identity")) (sprintf "%s %s custom label" r.Kind r.Name)

        Expect.equal
            (label "app.kubernetes.io/name")
            (Some(str standard.Name))
            (sprintf "%s %s standard label wins" r.Kind r.Name)

        Expect.equal
            (tryGet "metadata.ownerReferences" j)
            (Some(
                Json.arr
                    [ Json.obj
                          [ "apiVersion", str "operator.openshift.io/v1alpha1"
                            "kind", str (Kind.name kind)
                            "name", str "cluster"
                            "uid", str uid
                            "controller", Json.Bool true
                            "blockOwnerDeletion", Json.Bool true ] ]
            ))
            (sprintf "%s %s owner" r.Kind r.Name)

/// The custom labels of the CommonConfig examples (one tries to override a standard key).
let customLabels = json """{"team": "identity", "app.kubernetes.io/name": "mine"}"""
