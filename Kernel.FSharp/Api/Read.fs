namespace Ztwim.Kernel.Api

open System
open System.Text.RegularExpressions
open Ztwim.Kernel

/// A place in the object being read: its field path and its value (None when absent or null, which
/// Kubernetes treats alike).
type Node = { Path: string; Value: Json option }

/// Reading typed values out of JSON nodes, each rule reporting the node's path and value.
[<RequireQualifiedAccess>]
module Read =

    let root (path: string) (json: Json) =
        { Path = path
          Value = (if json = Json.Null then None else Some json) }

    /// The member `name` of an object node (absent when the node is not an object).
    let field (name: string) (n: Node) =
        let child = n.Value |> Option.bind (Json.tryField name)

        { Path = (if n.Path = "" then name else n.Path + "." + name)
          Value = (if child = Some Json.Null then None else child) }

    let private invalid (n: Node) message =
        Error [ FieldError.admission n.Path message n.Value ]

    /// The error for this node, enforced at admission.
    let error (n: Node) message =
        FieldError.admission n.Path message n.Value

    /// The error for this node, reported by the controller.
    let controllerError (n: Node) message =
        FieldError.controller n.Path message n.Value

    let private typed (expected: string) (pick: Json -> 'a option) (n: Node) : Validated<'a option> =
        match n.Value with
        | None -> Ok None
        | Some v ->
            match pick v with
            | Some x -> Ok(Some x)
            | None -> invalid n (sprintf "must be %s, not %s" expected (Json.typeName v))

    let string (n: Node) =
        typed
            "a string"
            (function
            | Json.String s -> Some s
            | _ -> None)
            n

    let integer (n: Node) : Validated<int64 option> =
        match n.Value with
        | Some(Json.Number d) when d = Math.Truncate d ->
            if d >= decimal Int64.MinValue && d <= decimal Int64.MaxValue then
                Ok(Some(int64 d))
            else
                invalid n "must be a 64-bit integer"
        | _ -> typed "an integer" (fun _ -> None) n

    let object (n: Node) =
        typed
            "an object"
            (function
            | Json.Object m -> Some m
            | _ -> None)
            n

    /// The items of a list node, each with its indexed path; an absent list has none.
    let items (n: Node) : Validated<Node list> =
        typed
            "a list"
            (function
            | Json.Array xs -> Some xs
            | _ -> None)
            n
        |> Result.map (
            Option.defaultValue []
            >> List.mapi (fun i v ->
                // A null item stays null: lists are not pruned, so the schema refuses it.
                { Path = sprintf "%s[%d]" n.Path i
                  Value = Some v })
        )

    /// The entries of a string-to-string map node, each with its path `path.key`.
    let stringMap (n: Node) : Validated<(Node * string) list> =
        object n
        |> Result.bind (fun m ->
            m
            |> Option.defaultValue Map.empty
            |> Map.toList
            |> List.map (fun (k, v) ->
                let child =
                    { Path = n.Path + "." + k
                      Value = Some v }

                match v with
                | Json.String s -> Ok(child, s)
                | other -> invalid child (sprintf "must be a string, not %s" (Json.typeName other)))
            |> Validated.sequence)

    /// Applies a check to a present value.
    let satisfies (n: Node) (ok: 'a -> bool) (message: string) (v: Validated<'a option>) : Validated<'a option> =
        match v with
        | Ok(Some x) when not (ok x) -> invalid n message
        | other -> other

    /// Maps a present value through a parser that may refuse it with a message.
    let parseWith (n: Node) (parse: 'a -> Result<'b, string>) (v: Validated<'a option>) : Validated<'b option> =
        match v with
        | Ok(Some x) ->
            match parse x with
            | Ok y -> Ok(Some y)
            | Error message -> invalid n message
        | Ok None -> Ok None
        | Error e -> Error e

    let required (n: Node) (v: Validated<'a option>) : Validated<'a> =
        match v with
        | Ok(Some x) -> Ok x
        | Ok None -> invalid n "is required"
        | Error e -> Error e

    /// A member that must be present, whatever its type (which other rules check).
    let present (n: Node) : Validated<unit> =
        if n.Value.IsSome then Ok() else invalid n "is required"

    let orDefault (d: 'a) (v: Validated<'a option>) : Validated<'a> = v |> Result.map (Option.defaultValue d)

    let private length (s: string) = s.EnumerateRunes() |> Seq.length

    let maxLength (n: Node) (max: int) =
        satisfies n (fun s -> length s <= max) (sprintf "must be at most %d characters" max)

    let minLength (n: Node) (min: int) =
        satisfies
            n
            (fun s -> length s >= min)
            (if min = 1 then
                 "must not be empty"
             else
                 sprintf "must be at least %d characters" min)

    let private regexes =
        System.Collections.Concurrent.ConcurrentDictionary<string, Regex>()

    /// Whether a string matches a CRD pattern (ECMA/RE2-like; inline flags such as (?i) work as in Go).
    let matches (pattern: string) (s: string) =
        // Go's `$` matches only at the end of the text; .NET's also before a final newline, so the closing
        // anchor becomes `\z` ("Ready\n" is not a valid reason).
        let strict (p: string) =
            if p.EndsWith "$" && not (p.EndsWith "\\$") then
                p.Substring(0, p.Length - 1) + "\\z"
            else
                p

        regexes
            .GetOrAdd(pattern, fun p -> Regex(strict p, RegexOptions.CultureInvariant ||| RegexOptions.Compiled))
            .IsMatch(s)

    let pattern (n: Node) (p: string) =
        satisfies n (matches p) (sprintf "must match the pattern %s" p)

    let range (n: Node) (lo: int64) (hi: int64) =
        satisfies n (fun x -> x >= lo && x <= hi) (sprintf "must be between %d and %d" lo hi)

    let atLeast (n: Node) (lo: int64) =
        satisfies n (fun x -> x >= lo) (sprintf "must be at least %d" lo)

    let maxItems (n: Node) (max: int) (v: Validated<Node list>) =
        match v with
        | Ok xs when xs.Length > max -> invalid n (sprintf "must have at most %d items" max)
        | other -> other

    let minItems (n: Node) (min: int) (v: Validated<Node list>) =
        match v with
        | Ok xs when n.Value.IsSome && xs.Length < min -> invalid n (sprintf "must have at least %d item(s)" min)
        | other -> other

    let maxEntries (n: Node) (max: int) (v: Validated<(Node * string) list>) =
        match v with
        | Ok xs when xs.Length > max -> invalid n (sprintf "must have at most %d entries" max)
        | other -> other

    /// A string that must be one of `values`, mapped to its case.
    let enum (n: Node) (cases: (string * 'a) list) (v: Validated<string option>) : Validated<'a option> =
        let names = cases |> List.map fst |> String.concat ", "

        v
        |> parseWith n (fun s ->
            match cases |> List.tryFind (fun (k, _) -> k = s) with
            | Some(_, c) -> Ok c
            | None -> Error(sprintf "must be one of: %s" names))

    /// An optional string where "" means unset (the manual writes `externalSecretRef: ""`).
    let optionalString (n: Node) =
        string n |> Result.map (Option.filter (fun s -> s <> ""))
