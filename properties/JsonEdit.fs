/// Editing JSON trees by key path, as a user edits a manifest.
module Ztwim.Properties.JsonEdit

open Ztwim.Kernel

/// The value at a key path, if present.
let rec get (keys: string list) (json: Json) =
    match keys with
    | [] -> Some json
    | k :: rest -> Json.tryField k json |> Option.bind (get rest)

/// Sets (Some) or removes (None) the value at a key path, creating objects on the way.
let rec set (keys: string list) (value: Json option) (json: Json) =
    let members =
        match json with
        | Json.Object m -> m
        | _ -> Map.empty

    match keys with
    | [] -> value |> Option.defaultValue Json.Null
    | [ k ] ->
        match value with
        | Some v -> Json.Object(Map.add k v members)
        | None -> Json.Object(Map.remove k members)
    | k :: rest ->
        let child = Map.tryFind k members |> Option.defaultValue (Json.obj [])
        Json.Object(Map.add k (set rest value child) members)

/// Splits "spec.caSubject.country" into keys.
let path (dotted: string) = dotted.Split('.') |> List.ofArray
