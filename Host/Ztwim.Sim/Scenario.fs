/// A ztwim-sim scenario: the cluster to start with, the steps a user (or the world) takes, and what must hold.
/// Read from YAML; every error names the path of the offending field and its value.
module Ztwim.Sim.Scenario

open System
open System.IO
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Adapters.Files

/// Which object a step or an expectation is about.
type Target =
    { ApiVersion: string
      Kind: string
      Namespace: string option
      Name: string }

/// A field of an object, by path (`spec.replicas`, `metadata.labels[app.kubernetes.io/name]`,
/// `spec.template.spec.containers[0].image`), and the value it must have.
type FieldExpectation = { Path: string; Value: Json }

/// What must hold at an `expect` step.
type Expectation =
    | Converged
    | WritesInPhase of int
    /// Writes to operand objects (all writes but the CRs' status) in the current phase.
    | OperandWritesInPhase of int
    | ObjectExists of Target * FieldExpectation list
    | ObjectAbsent of Target
    | ConditionIs of
        kind: string *
        conditionType: string *
        status: string *
        reason: string option *
        messageContains: string option
    /// The last user write was rejected with a message containing this text.
    | Rejected of containing: string

/// One step of a scenario.
type Step =
    /// Server-side apply as a user (`kubectl apply --server-side`); a rejection is recorded for `rejected`.
    | ApplyObject of Json list * source: string
    | Patch of Target * Json
    | Delete of Target
    /// Sets and unsets operator environment variables, then restarts the operator.
    | SetEnv of set: Map<string, string> * unset: string list
    | Restart
    | Advance of TimeSpan
    | RunFor of TimeSpan
    | RunUntilConverged of timeout: TimeSpan
    | FaultsOn of (string * float) list
    | FaultsOff of string list
    | PodFailure of ns: string * workload: string * reason: string option
    | Phase of string
    | Expect of string * Expectation list

/// The cluster a scenario starts with.
type Setup =
    {
        Nodes: int
        Platform: Ztwim.Kernel.Render.Platform
        /// The cluster serves cert-manager.io, with a simulated cert-manager issuing Certificates.
        CertManager: bool
        Env: Map<string, string>
    }

type Scenario =
    { Name: string
      Setup: Setup
      Steps: Step list }

let private errorAt (path: string) (value: Json option) (message: string) =
    match value with
    | Some v -> sprintf "%s: %s (value %s)" path message (JsonText.compact v)
    | None -> sprintf "%s: %s" path message

/// Durations as Go writes them: 90s, 10m, 1h30m, 500ms.
let parseDuration (text: string) =
    match Duration.parse text with
    | Ok d when d.Nanoseconds >= 0L -> Some(TimeSpan.FromTicks(d.Nanoseconds / 100L))
    | _ -> None

let private str path (j: Json) =
    match j with
    | Json.String s -> Ok s
    | other -> Error(errorAt path (Some other) "must be a string")

let private members path (j: Json) =
    match j with
    | Json.Object m -> Ok m
    | other -> Error(errorAt path (Some other) "must be a mapping")

let private duration path (j: Json) =
    match j with
    | Json.String s ->
        match parseDuration s with
        | Some d -> Ok d
        | None -> Error(errorAt path (Some j) "must be a duration such as 30s, 10m or 1h")
    | other -> Error(errorAt path (Some other) "must be a duration such as 30s, 10m or 1h")

let rec private sequence (results: Result<'a, string> list) : Result<'a list, string> =
    match results with
    | [] -> Ok []
    | Ok x :: rest -> sequence rest |> Result.map (fun xs -> x :: xs)
    | Error e :: _ -> Error e

let private target path (j: Json) =
    members path j
    |> Result.bind (fun m ->
        let field name =
            match Map.tryFind name m with
            | Some(Json.String s) when s <> "" -> Ok(Some s)
            | None -> Ok None
            | Some other -> Error(errorAt (path + "." + name) (Some other) "must be a non-empty string")

        match field "apiVersion", field "kind", field "namespace", field "name" with
        | Ok(Some a), Ok(Some k), Ok ns, Ok(Some n) ->
            Ok
                { ApiVersion = a
                  Kind = k
                  Namespace = ns
                  Name = n }
        | Error e, _, _, _
        | _, Error e, _, _
        | _, _, Error e, _
        | _, _, _, Error e -> Error e
        | _ -> Error(errorAt path (Some j) "needs apiVersion, kind and name (and namespace for a namespaced object)"))

let private objects at (items: Json list) =
    items
    |> List.mapi (fun i o ->
        let ip = sprintf "%s[%d]" at i

        target ip o
        |> Result.bind (fun t ->
            match Json.tryField "absent" o, Json.tryField "fields" o with
            | Some(Json.Bool true), _ -> Ok(ObjectAbsent t)
            | _, None -> Ok(ObjectExists(t, []))
            | _, Some(Json.Object fs) ->
                Ok(ObjectExists(t, fs |> Map.toList |> List.map (fun (p, v) -> { Path = p; Value = v })))
            | _, Some other -> Error(errorAt (ip + ".fields") (Some other) "must be a mapping of path: value")))
    |> sequence

let private conditions at (items: Json list) =
    items
    |> List.mapi (fun i c ->
        let ip = sprintf "%s[%d]" at i

        members ip c
        |> Result.bind (fun cm ->
            let get name =
                match Map.tryFind name cm with
                | Some(Json.String s) -> Some s
                | _ -> None

            match get "kind", get "type", get "status" with
            | Some k, Some t, Some s when List.contains s [ "True"; "False"; "Unknown" ] ->
                Ok(ConditionIs(k, t, s, get "reason", get "messageContains"))
            | _ ->
                Error(
                    errorAt
                        ip
                        (Some c)
                        "needs kind, type and status (True, False or Unknown), and may give reason and messageContains"
                )))
    |> sequence

let private expectation path (m: Map<string, Json>) : Result<Expectation list, string> =
    m
    |> Map.toList
    |> List.filter (fun (k, _) -> k <> "name")
    |> List.map (fun (key, v) ->
        let at = path + "." + key

        match key, v with
        | "converged", Json.Bool true -> Ok [ Converged ]
        | "writes", Json.Number n when n >= 0m && n = Math.Truncate n -> Ok [ WritesInPhase(int n) ]
        | "operandWrites", Json.Number n when n >= 0m && n = Math.Truncate n -> Ok [ OperandWritesInPhase(int n) ]
        | "rejected", Json.String s -> Ok [ Rejected s ]
        | "objects", Json.Array items -> objects at items
        | "conditions", Json.Array items -> conditions at items
        | _ ->
            Error(
                errorAt
                    at
                    (Some v)
                    "is not an expectation: converged: true, writes: N, operandWrites: N, rejected: TEXT, objects: [...], conditions: [...]"
            ))
    |> sequence
    |> Result.map List.concat

/// Reads a file a scenario names, relative to the scenario: its text, or why not.
type FileReader = string -> Result<string, string>

/// The files of a folder on disk.
let folder (dir: string) : FileReader =
    fun file ->
        let full = Path.GetFullPath(Path.Combine(dir, file))

        if File.Exists full then
            Ok(File.ReadAllText full)
        else
            Error(sprintf "no such file (looked for %s)" full)

/// The documents of a manifest file a step names.
let private readFile (read: FileReader) path (file: string) =
    match read file with
    | Error reason -> Error(errorAt path (Some(Json.String file)) reason)
    | Ok text ->
        match ManifestReader.Read text with
        | Ok docs -> Ok(docs, file)
        | Error reason -> Error(sprintf "%s: %s: %s" path file reason)

let private faultRates path (j: Json) =
    members path j
    |> Result.bind (fun m ->
        m
        |> Map.toList
        |> List.map (fun (name, v) ->
            match v with
            | Json.Number r when r > 0m && r <= 1m -> Ok(name, float r)
            | other -> Error(errorAt (path + "." + name) (Some other) "must be a rate in (0, 1]"))
        |> sequence)

let private names path (j: Json) =
    match j with
    | Json.Array items -> items |> List.mapi (fun i v -> str (sprintf "%s[%d]" path i) v) |> sequence
    | Json.String s -> Ok [ s ]
    | other -> Error(errorAt path (Some other) "must be a name or a list of names")

let private envMap path (j: Json) =
    members path j
    |> Result.bind (fun m ->
        m
        |> Map.toList
        |> List.map (fun (k, v) -> str (path + "." + k) v |> Result.map (fun s -> k, s))
        |> sequence)
    |> Result.map Map.ofList

/// One step: a mapping with exactly one verb.
let private step (read: FileReader) (i: int) (j: Json) : Result<Step, string> =
    let path = sprintf "steps[%d]" i

    match j with
    | Json.Object m when m.Count = 1 ->
        let verb, v = Map.toList m |> List.head
        let at = path + "." + verb

        match verb, v with
        | "apply", Json.Object a when a.ContainsKey "file" ->
            str (at + ".file") a.["file"]
            |> Result.bind (readFile read (at + ".file"))
            |> Result.map ApplyObject
        | "apply", Json.Object a when a.ContainsKey "inline" ->
            match a.["inline"] with
            | Json.Array docs -> Ok(ApplyObject(docs, "inline"))
            | Json.Object _ as doc -> Ok(ApplyObject([ doc ], "inline"))
            | other -> Error(errorAt (at + ".inline") (Some other) "must be an object or a list of objects")
        | "apply", other -> Error(errorAt at (Some other) "needs file: PATH or inline: OBJECT")
        | "patch", Json.Object a ->
            match Map.tryFind "merge" a with
            | Some(Json.Object _ as patch) -> target at v |> Result.map (fun t -> Patch(t, patch))
            | other -> Error(errorAt (at + ".merge") other "must be a JSON merge patch (a mapping)")
        | "delete", _ -> target at v |> Result.map Delete
        | "env", Json.Object a ->
            let set =
                Map.tryFind "set" a
                |> Option.map (envMap (at + ".set"))
                |> Option.defaultValue (Ok Map.empty)

            let unset =
                Map.tryFind "unset" a
                |> Option.map (names (at + ".unset"))
                |> Option.defaultValue (Ok [])

            match set, unset with
            | Ok s, Ok u -> Ok(SetEnv(s, u))
            | Error e, _
            | _, Error e -> Error e
        | "restart", _ -> Ok Restart
        | "advance", _ -> duration at v |> Result.map Advance
        | "run", _ -> duration at v |> Result.map RunFor
        | "runUntilConverged", _ -> duration at v |> Result.map RunUntilConverged
        | "faultsOn", _ -> faultRates at v |> Result.map FaultsOn
        | "faultsOff", _ -> names at v |> Result.map FaultsOff
        | "podFailure", Json.Object a ->
            let get name =
                Map.tryFind name a |> Option.map (str (at + "." + name))

            match get "namespace", get "workload", get "reason" with
            | Some(Ok ns), Some(Ok w), (None | Some(Ok _) as r) ->
                Ok(PodFailure(ns, w, r |> Option.map (Result.defaultValue "")))
            | _ ->
                Error(
                    errorAt
                        at
                        (Some v)
                        "needs namespace and workload, and reason (ImagePullBackOff or CrashLoopBackOff) to fail, none to heal"
                )
        | "phase", Json.String name -> Ok(Phase name)
        | "expect", Json.Object e ->
            let name =
                match Map.tryFind "name" e with
                | Some(Json.String n) -> n
                | _ -> path

            expectation at e |> Result.map (fun es -> Expect(name, es))
        | _ ->
            Error(
                errorAt
                    at
                    (Some v)
                    "is not a step: apply, patch, delete, env, restart, advance, run, runUntilConverged, faultsOn, faultsOff, podFailure, phase, expect"
            )
    | other -> Error(errorAt path (Some other) "must be a mapping with exactly one step verb")

let private setup (j: Json option) =
    let m =
        match j with
        | Some(Json.Object m) -> m
        | _ -> Map.empty

    let nodes =
        match Map.tryFind "nodes" m with
        | None -> Ok 3
        | Some(Json.Number n) when n >= 1m && n <= 100m && n = Math.Truncate n -> Ok(int n)
        | Some other -> Error(errorAt "cluster.nodes" (Some other) "must be an integer from 1 to 100")

    let platform =
        match Map.tryFind "platform" m with
        | None
        | Some(Json.String "openshift") -> Ok Ztwim.Kernel.Render.OpenShift
        | Some(Json.String "kubernetes") -> Ok Ztwim.Kernel.Render.Kubernetes
        | Some other -> Error(errorAt "cluster.platform" (Some other) "must be openshift or kubernetes")

    let certManager =
        match Map.tryFind "certManager" m with
        | None -> Ok false
        | Some(Json.Bool b) -> Ok b
        | Some other -> Error(errorAt "cluster.certManager" (Some other) "must be true or false")

    let env =
        Map.tryFind "env" m
        |> Option.map (envMap "cluster.env")
        |> Option.defaultValue (Ok Map.empty)

    let env =
        match env, Map.tryFind "namespace" m with
        | Ok e, Some(Json.String ns) -> Ok(Map.add "OPERATOR_NAMESPACE" ns e)
        | Ok _, Some other -> Error(errorAt "cluster.namespace" (Some other) "must be a string")
        | e, _ -> e

    match nodes, platform, certManager, env with
    | Ok n, Ok p, Ok c, Ok e ->
        Ok
            { Nodes = n
              Platform = p
              CertManager = c
              Env = e }
    | Error e, _, _, _
    | _, Error e, _, _
    | _, _, Error e, _
    | _, _, _, Error e -> Error e

/// A scenario from its YAML text; `read` resolves its `file:` references.
let parse (name: string) (read: FileReader) (text: string) : Result<Scenario, string> =
    match ManifestReader.Read text with
    | Error reason -> Error reason
    | Ok [ Json.Object m ] ->
        let steps =
            match Map.tryFind "steps" m with
            | Some(Json.Array items) -> items |> List.mapi (step read) |> sequence
            | other -> Error(errorAt "steps" other "must be a list of steps")

        match setup (Map.tryFind "cluster" m), steps with
        | Ok s, Ok st -> Ok { Name = name; Setup = s; Steps = st }
        | Error e, _
        | _, Error e -> Error e
    | Ok _ -> Error "a scenario is one YAML document, a mapping with cluster and steps"

/// A scenario from a file.
let load (path: string) =
    let full = Path.GetFullPath path

    if File.Exists full then
        parse (Path.GetFileNameWithoutExtension full) (folder (Path.GetDirectoryName full)) (File.ReadAllText full)
        |> Result.mapError (sprintf "%s: %s" path)
    else
        Error(sprintf "%s: no such scenario file" path)
