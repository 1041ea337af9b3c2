/// Rendering the SpireServer operand for edited CRs and Modes, and reading what lands where.
module Ztwim.Specs.Render.SpireServerRender

open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Render
open Ztwim.Kernel.Operands
open Ztwim.Specs.Api.Examples

let uid = "5c0ffee0-0000-4000-8000-000000000001"

/// The CRs and the Mode one render starts from.
type Input =
    { Server: Json
      Ztwim: Json
      Mode: Mode }

/// The minimal SpireServer (with a uid) and ZTWIM, on OpenShift with no environment.
let baseInput =
    { Server = minimal Kind.SpireServer |> set "metadata.uid" (str uid)
      Ztwim = minimal Kind.ZeroTrustWorkloadIdentityManager
      Mode = Mode.defaults }

/// Sets a SpireServer field.
let server (path: string) (value: Json) (i: Input) =
    { i with
        Server = set path value i.Server }

/// Sets a SpireServer field from JSON text.
let serverJson (path: string) (text: string) (i: Input) = server path (json text) i

/// Sets a ZTWIM field.
let ztwim (path: string) (value: Json) (i: Input) =
    { i with
        Ztwim = set path value i.Ztwim }

/// Changes the Mode.
let mode (f: Mode -> Mode) (i: Input) = { i with Mode = f i.Mode }

/// Everything SpireServer.desired returns for the input.
let desired (i: Input) =
    let s =
        match Crs.parseSpireServer i.Server with
        | Ok r -> r
        | Error e -> failtestf "SpireServer rejected: %A" e

    let z =
        match Crs.parseZtwim i.Ztwim with
        | Ok r -> r
        | Error e -> failtestf "ZTWIM rejected: %A" e

    SpireServer.desired s z.Spec i.Mode

/// The manifests alone.
let objects (i: Input) = desired i |> DesiredObject.manifests

/// The manifest of a kind and name, if rendered.
let tryObject (kind: string) (name: string) (i: Input) =
    objects i
    |> List.tryFind (fun (r, _) -> r.Kind = kind && r.Name = name)
    |> Option.map snd

/// The manifest of a kind and name; its absence fails the test.
let object (kind: string) (name: string) (i: Input) =
    match tryObject kind name i with
    | Some o -> o
    | None -> failtestf "no %s %s rendered" kind name

/// The value at a path of dotted members and [i] indexes.
let at (path: string) (j: Json) = tryGet path j

/// The value under these member names (which may contain dots, like label keys).
let field (keys: string list) (j: Json) =
    keys |> List.fold (fun acc k -> acc |> Option.bind (Json.tryField k)) (Some j)

let private text (j: Json option) =
    match j with
    | Some(Json.String s) -> s
    | other -> failtestf "expected a string, got %A" other

/// The server.conf text.
let serverConfText (i: Input) =
    object "ConfigMap" "spire-server" i |> field [ "data"; "server.conf" ] |> text

/// server.conf parsed back.
let serverConf (i: Input) =
    match JsonText.parse (serverConfText i) with
    | Ok j -> j
    | Error e -> failtestf "server.conf is not JSON: %s" e

/// The controller-manager YAML text.
let controllerManagerYaml (i: Input) =
    object "ConfigMap" "spire-controller-manager" i
    |> field [ "data"; "controller-manager-config.yaml" ]
    |> text

/// The StatefulSet's pod spec.
let podSpec (i: Input) =
    match object "StatefulSet" "spire-server" i |> at "spec.template.spec" with
    | Some p -> p
    | None -> failtest "no pod spec"

/// A container of the StatefulSet by name.
let container (name: string) (i: Input) =
    match podSpec i |> Json.tryField "containers" with
    | Some(Json.Array cs) ->
        match cs |> List.tryFind (fun c -> Json.tryField "name" c = Some(Json.String name)) with
        | Some c -> c
        | None -> failtestf "no container %s" name
    | _ -> failtest "no containers"

/// The names of the items of a list member (volumes, mounts, ports, env).
let names (listName: string) (j: Json) =
    match Json.tryField listName j with
    | Some(Json.Array items) ->
        items
        |> List.choose (fun x ->
            match Json.tryField "name" x with
            | Some(Json.String n) -> Some n
            | _ -> None)
    | _ -> []

/// The item of a list member with this name.
let named (listName: string) (name: string) (j: Json) =
    match Json.tryField listName j with
    | Some(Json.Array items) -> items |> List.tryFind (fun x -> Json.tryField "name" x = Some(Json.String name))
    | _ -> None

/// Expects the value at a path.
let expectAt (path: string) (expected: Json option) (j: Json) = Expect.equal (at path j) expected path
