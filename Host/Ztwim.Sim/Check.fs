/// `ztwim-sim check`: validates manifests with the kernel's parser, as the API server and controllers would.
module Ztwim.Sim.Check

open System.IO
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Adapters.Files

/// "Kind/name" for an object as written, whatever its validity.
let label (json: Json) =
    let text field =
        match field with
        | Some(Json.String s) when s <> "" -> Some s
        | _ -> None

    let kind = text (Json.tryField "kind" json) |> Option.defaultValue "<no kind>"

    let name =
        json
        |> Json.tryField "metadata"
        |> Option.bind (Json.tryField "name")
        |> text
        |> Option.defaultValue "<no name>"

    sprintf "%s/%s" kind name

/// The lines `check` prints for one object, and whether it is valid.
let checkObject (json: Json) : string list * bool =
    match Crs.parse json with
    | Ok r ->
        let warnings =
            Pruning.unknownFields r
            |> List.map (fun path ->
                sprintf "warning: %s: %s: unknown field, the API server drops it" (label json) path)

        sprintf "ok %s" (label json) :: warnings, true
    | Error errors ->
        errors
        |> List.map (fun e -> sprintf "%s: %s" (label json) (FieldError.describe e)),
        false

/// The objects of a manifest file, or the one line that says why it could not be read.
let readFile (path: string) : Result<Json list, string> =
    if not (File.Exists path) then
        Error(sprintf "%s: no such file" path)
    else
        match ManifestReader.Read(File.ReadAllText path) with
        | Ok docs -> Ok docs
        | Error reason -> Error(sprintf "%s: not YAML or JSON: %s" path reason)

/// Checks every file; exit code 0 when all objects are valid, 2 otherwise.
let run (files: string list) (out: string -> unit) =
    let results =
        files
        |> List.map (fun f ->
            match readFile f with
            | Error line ->
                out line
                false
            | Ok docs ->
                docs
                |> List.map (fun doc ->
                    let lines, ok = checkObject doc
                    lines |> List.iter out
                    ok)
                |> List.forall id)

    if List.forall id results then 0 else 2
