/// Editing JSON trees by path, as a user edits a manifest. A path step "#3" is the fourth item of a list.
module Ztwim.Properties.JsonEdit

open Ztwim.Kernel

let private (|Index|_|) (step: string) =
    match step.StartsWith "#", System.Int32.TryParse(step.Substring(min 1 step.Length)) with
    | true, (true, i) -> Some i
    | _ -> None

/// The value at a path, if present.
let rec get (steps: string list) (json: Json) =
    match steps, json with
    | [], _ -> Some json
    | Index i :: rest, Json.Array items when i < items.Length -> get rest items.[i]
    | k :: rest, _ -> Json.tryField k json |> Option.bind (get rest)

/// Sets (Some) or removes (None) the value at a path, creating objects on the way.
let rec set (steps: string list) (value: Json option) (json: Json) =
    match steps, json with
    | [], _ -> value |> Option.defaultValue Json.Null
    | Index i :: rest, Json.Array items when i < items.Length ->
        match rest, value with
        | [], None -> Json.Array(items |> List.removeAt i)
        | _ -> Json.Array(items |> List.updateAt i (set rest value items.[i]))
    | k :: rest, _ ->
        let members =
            match json with
            | Json.Object m -> m
            | _ -> Map.empty

        match rest, value with
        | [], Some v -> Json.Object(Map.add k v members)
        | [], None -> Json.Object(Map.remove k members)
        | _ ->
            let child = Map.tryFind k members |> Option.defaultValue (Json.obj [])
            Json.Object(Map.add k (set rest value child) members)

/// Splits "spec.caSubject.country" into steps.
let path (dotted: string) = dotted.Split('.') |> List.ofArray
