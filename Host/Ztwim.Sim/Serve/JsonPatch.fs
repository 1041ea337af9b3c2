/// JSON Patch (RFC 6902), `kubectl patch --type json` and kubectl's managedFields migration before a
/// server-side apply: add, remove, replace, move, copy and test on JSON Pointer paths (RFC 6901).
module Ztwim.Sim.Serve.JsonPatch

open Ztwim.Kernel

let private pointer (path: string) =
    if path = "" then
        Ok []
    elif path.StartsWith "/" then
        Ok(
            path.Substring(1).Split('/')
            |> Array.map (fun s -> s.Replace("~1", "/").Replace("~0", "~"))
            |> List.ofArray
        )
    else
        Error(sprintf "%s is not a JSON pointer" path)

let private index (token: string) (length: int) (appending: bool) =
    match System.Int32.TryParse token with
    | _ when appending && token = "-" -> Some length
    | true, i when i >= 0 && (i < length || (appending && i = length)) -> Some i
    | _ -> None

let rec private get (doc: Json) (path: string list) =
    match path, doc with
    | [], _ -> Ok doc
    | token :: rest, Json.Object m ->
        match Map.tryFind token m with
        | Some child -> get child rest
        | None -> Error(sprintf "no member %s" token)
    | token :: rest, Json.Array items ->
        match index token items.Length false with
        | Some i -> get items.[i] rest
        | None -> Error(sprintf "no item %s" token)
    | token :: _, _ -> Error(sprintf "cannot look up %s in a scalar" token)

/// The document with the value at <paramref name="path"/> changed by <paramref name="edit"/>: the member or
/// item there (None when absent) to its replacement (None removes it); <paramref name="insert"/> adds array items.
let rec private change
    (doc: Json)
    (path: string list)
    (insert: bool)
    (edit: Json option -> Result<Json option, string>)
    =
    match path, doc with
    | [], _ -> edit (Some doc) |> Result.map (Option.defaultValue Json.Null)
    | [ token ], Json.Object m ->
        edit (Map.tryFind token m)
        |> Result.map (function
            | Some v -> Json.Object(Map.add token v m)
            | None -> Json.Object(Map.remove token m))
    | [ token ], Json.Array items ->
        match index token items.Length insert with
        | None -> Error(sprintf "no item %s" token)
        | Some i ->
            let before, after = List.splitAt i items

            if insert then
                edit None |> Result.map (fun v -> Json.Array(before @ Option.toList v @ after))
            else
                edit (Some items.[i])
                |> Result.map (fun v -> Json.Array(before @ Option.toList v @ List.tail after))
    | token :: rest, Json.Object m ->
        match Map.tryFind token m with
        | Some child ->
            change child rest insert edit
            |> Result.map (fun c -> Json.Object(Map.add token c m))
        | None -> Error(sprintf "no member %s" token)
    | token :: rest, Json.Array items ->
        match index token items.Length false with
        | Some i ->
            change items.[i] rest insert edit
            |> Result.map (fun c -> Json.Array(List.updateAt i c items))
        | None -> Error(sprintf "no item %s" token)
    | token :: _, _ -> Error(sprintf "cannot change %s in a scalar" token)

let private present what =
    function
    | Some v -> Ok v
    | None -> Error(sprintf "%s: no value there" what)

let private field (name: string) (op: Json) =
    match op with
    | Json.Object m -> Map.tryFind name m
    | _ -> None

let private textField name op =
    match field name op with
    | Some(Json.String s) -> Ok s
    | _ -> Error(sprintf "an operation needs a string %s" name)

let private add (doc: Json) (path: string list) (value: Json) =
    change doc path true (fun _ -> Ok(Some value))

let private remove (doc: Json) (path: string list) =
    change doc path false (fun existing -> present "remove" existing |> Result.map (fun _ -> None))

let private one (doc: Json) (op: Json) =
    let value () = field "value" op |> present "value"

    let from () =
        textField "from" op |> Result.bind pointer

    textField "path" op
    |> Result.bind pointer
    |> Result.bind (fun path ->
        match textField "op" op with
        | Ok "add" -> value () |> Result.bind (fun v -> add doc path v)
        | Ok "remove" -> remove doc path
        | Ok "replace" ->
            value ()
            |> Result.bind (fun v ->
                change doc path false (fun existing -> present "replace" existing |> Result.map (fun _ -> Some v)))
        | Ok "move" ->
            from ()
            |> Result.bind (fun f ->
                get doc f
                |> Result.bind (fun v -> remove doc f |> Result.bind (fun d -> add d path v)))
        | Ok "copy" ->
            from ()
            |> Result.bind (fun f -> get doc f |> Result.bind (fun v -> add doc path v))
        | Ok "test" ->
            value ()
            |> Result.bind (fun v ->
                match get doc path with
                | Ok actual when actual = v -> Ok doc
                | _ -> Error(sprintf "test failed at %s" (defaultArg (textField "path" op |> Result.toOption) "")))
        | Ok other -> Error(sprintf "unknown operation %s" other)
        | Error e -> Error e)

/// The document after every operation of <paramref name="patch"/> (an array), in order; the first failure.
let apply (doc: Json) (patch: Json) : Result<Json, string> =
    match patch with
    | Json.Array ops -> ops |> List.fold (fun acc op -> acc |> Result.bind (fun d -> one d op)) (Ok doc)
    | _ -> Error "a JSON patch is an array of operations"
