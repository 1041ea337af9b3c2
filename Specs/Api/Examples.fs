/// Minimal valid CRs, editing them by field path, and example tables: each row edits a CR and says what
/// `parse` must answer (the defaulted value at a path, or the exact errors).
module Ztwim.Specs.Api.Examples

open System.Text.RegularExpressions
open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Api

/// JSON from text; a broken literal is a bug in the spec itself.
let json (text: string) =
    match JsonText.parse text with
    | Ok j -> j
    | Error e -> failwithf "bad JSON literal %s: %s" text e

let str (s: string) = Json.String s
let num (n: int) = Json.num n

/// A string of `n` copies of `s`.
let repeat (n: int) (s: string) = String.replicate n s

let private cr (kind: Kind) (spec: string) =
    Json.obj
        [ "apiVersion", str Kind.apiVersion
          "kind", str (Kind.name kind)
          "metadata", Json.obj [ "name", str "cluster" ]
          "spec", json spec ]

/// The smallest valid CR of each kind: only the required fields.
let minimal (kind: Kind) =
    match kind with
    | Kind.ZeroTrustWorkloadIdentityManager -> cr kind """{"trustDomain": "example.org", "clusterName": "demo"}"""
    | Kind.SpireServer ->
        cr kind """{"jwtIssuer": "https://oidc.example.org", "caSubject": {}, "persistence": {}, "datastore": {}}"""
    | Kind.SpireAgent
    | Kind.SpiffeCSIDriver -> cr kind "{}"
    | Kind.SpireOIDCDiscoveryProvider -> cr kind """{"jwtIssuer": "https://oidc.example.org"}"""

type private Step =
    | Member of string
    | Item of int

// "spec.federation.federatesWith[1].trustDomain" -> members and list indexes.
let private steps (path: string) =
    path.Split('.')
    |> List.ofArray
    |> List.collect (fun segment ->
        let name = segment.Split('[').[0]

        let indexes =
            Regex.Matches(segment, @"\[(\d+)\]")
            |> Seq.map (fun m -> Item(int m.Groups.[1].Value))
            |> List.ofSeq

        (if name = "" then [] else [ Member name ]) @ indexes)

// Rewrites the value at a path (None = absent). Setting creates objects on the way and grows a list by one at
// its end; removing what is not there changes nothing.
let rec private update (path: Step list) (f: Json option -> Json option) (doc: Json option) : Json option =
    match path with
    | [] -> f doc
    | Member name :: rest ->
        let members =
            match doc with
            | Some(Json.Object m) -> m
            | _ -> Map.empty

        match update rest f (Map.tryFind name members) with
        | Some v -> Some(Json.Object(Map.add name v members))
        | None when members.ContainsKey name -> Some(Json.Object(Map.remove name members))
        | None -> doc
    | Item i :: rest ->
        let items =
            match doc with
            | Some(Json.Array xs) -> xs
            | _ -> []

        let before, after = List.splitAt (min i items.Length) items

        match update rest f (List.tryHead after), after with
        | Some v, _ :: tail -> Some(Json.Array(before @ v :: tail))
        | Some v, [] -> Some(Json.Array(before @ [ v ]))
        | None, _ :: tail -> Some(Json.Array(before @ tail))
        | None, [] -> doc

/// The document with the value at `path` set.
let set (path: string) (value: Json) (doc: Json) =
    update (steps path) (fun _ -> Some value) (Some doc) |> Option.get

/// The document without the value at `path`.
let remove (path: string) (doc: Json) =
    update (steps path) (fun _ -> None) (Some doc) |> Option.get

/// The value at `path`, if present.
let tryGet (path: string) (doc: Json) =
    let rec go path (doc: Json option) =
        match path, doc with
        | [], _ -> doc
        | Member name :: rest, Some d -> go rest (Json.tryField name d)
        | Item i :: rest, Some(Json.Array xs) -> go rest (List.tryItem i xs)
        | _ -> None

    go (steps path) (Some doc)

/// Several edits in order.
let edits (changes: (Json -> Json) list) (doc: Json) = List.fold (fun d f -> f d) doc changes

let private describe (errors: FieldError list) =
    errors |> List.map FieldError.describe |> String.concat "; "

/// Parses a CR of `kind`; a rejection fails the test with every error.
let parsed (kind: Kind) (doc: Json) =
    match Crs.parseKind kind doc with
    | Ok r -> r
    | Error es -> failtestf "rejected: %s" (describe es)

/// The errors `parse` reports (none when it accepts).
let errors (kind: Kind) (doc: Json) =
    match Crs.parseKind kind doc with
    | Ok _ -> []
    | Error es -> es

/// The value at `path` of the parsed object as `Crs.print` prints it: metadata as read, the spec defaulted.
let defaulted (kind: Kind) (doc: Json) (path: string) =
    tryGet path (Crs.print (parsed kind doc))

/// What parsing an example must give.
type Outcome =
    /// Accepted, and the defaulted spec holds this value at the path (None: absent).
    | Reads of path: string * value: Json option
    /// Rejected with exactly these errors, in this order.
    | Refused of FieldError list

/// One row of an example table: a name, an edit of the base CR and the outcome.
type Example =
    { Name: string
      Edit: Json -> Json
      Outcome: Outcome }

let private show (v: Json) =
    let text = JsonText.compact v

    if text.Length > 40 then
        sprintf "%s…(%d chars)" (text.Substring(0, 20)) text.Length
    else
        text

/// A custom row.
let example name edit outcome =
    { Name = name
      Edit = edit
      Outcome = outcome }

/// The field is absent and reads as `expected`.
let defaults (path: string) (expected: Json) =
    example (sprintf "%s defaults to %s" path (show expected)) (remove path) (Reads(path, Some expected))

/// The field is absent and stays absent after defaulting.
let unsetByDefault (path: string) =
    example (sprintf "%s has no default" path) (remove path) (Reads(path, None))

/// Setting `value` is accepted and reads back as `expected`.
let reads (path: string) (value: Json) (expected: Json option) =
    example (sprintf "accepts %s = %s" path (show value)) (set path value) (Reads(path, expected))

/// Setting `value` is accepted and reads back unchanged.
let accepts (path: string) (value: Json) = reads path value (Some value)

/// Setting `value` is refused with one error at the same path.
let rejectsBy (enforcement: Enforcement) (path: string) (value: Json) (message: string) =
    example
        (sprintf "rejects %s = %s" path (show value))
        (set path value)
        (Refused
            [ { Path = path
                Message = message
                Value = Some value
                Enforcement = enforcement } ])

/// Setting `value` is refused by the schema (at admission) with one error at the same path.
let rejects path value message =
    rejectsBy AtAdmission path value message

/// Setting `value` is refused by the controller with one error at the same path.
let refusedByController path value message =
    rejectsBy ByController path value message

/// Removing the field is refused: it is required.
let requires (path: string) =
    example (sprintf "requires %s" path) (remove path) (Refused [ FieldError.admission path "is required" None ])

/// Runs one row against `doc`.
let check (kind: Kind) (doc: Json) (row: Example) =
    let edited = row.Edit doc

    match row.Outcome with
    | Reads(path, expected) -> Expect.equal (defaulted kind edited path) expected (sprintf "value at %s" path)
    | Refused expected -> Expect.equal (errors kind edited) expected "errors"

/// A test list with one test per row, each run against `doc`.
let examples (name: string) (kind: Kind) (doc: Json) (rows: Example list) =
    testList name [ for row in rows -> test row.Name { check kind doc row } ]

/// Rows shared by the kinds that have logLevel and logFormat.
let logRows =
    [ defaults "spec.logLevel" (str "info")
      accepts "spec.logLevel" (str "debug")
      accepts "spec.logLevel" (str "error")
      rejects "spec.logLevel" (str "verbose") "must be one of: debug, info, warn, error"
      rejects "spec.logLevel" (str "INFO") "must be one of: debug, info, warn, error"
      defaults "spec.logFormat" (str "text")
      accepts "spec.logFormat" (str "json")
      rejects "spec.logFormat" (str "xml") "must be one of: text, json"
      rejects "spec.logFormat" (num 1) "must be a string, not integer" ]

/// The message of a string boolean that is neither "true" nor "false".
let notStringBool = "must be \"true\" or \"false\""

/// The message of a YAML boolean written without quotes.
let quoteIt = "must be the string \"true\" or \"false\" (quote it in YAML)"

/// Rows for a string boolean field with a default.
let stringBoolRows (path: string) (fallback: bool) =
    let spell b = str (if b then "true" else "false")

    [ defaults path (spell fallback)
      accepts path (spell (not fallback))
      accepts path (spell fallback)
      rejects path (str "True") notStringBool
      rejects path (str "") notStringBool
      rejects path (Json.Bool(not fallback)) quoteIt ]

/// An example table: rows of edits of one base CR of a kind, named as its test list is. The tables are public
/// so that other suites can send the same rows elsewhere (the real API server's admission, for one).
type Table =
    { Name: string
      Kind: Kind
      Base: Json
      Rows: Example list }

let table (name: string) (kind: Kind) (doc: Json) (rows: Example list) =
    { Name = name
      Kind = kind
      Base = doc
      Rows = rows }

/// The test list of a table, as `examples` makes it.
let tableTests (t: Table) = examples t.Name t.Kind t.Base t.Rows
