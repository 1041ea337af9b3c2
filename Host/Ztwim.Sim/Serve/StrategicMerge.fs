/// Strategic merge patches, as kubectl sends them for built-in kinds (client-side `kubectl apply`, `kubectl
/// patch`, `kubectl scale`...): a merge patch whose lists of objects merge by key instead of being replaced,
/// with `$patch`, `$setElementOrder` and `$retainKeys` directives. The server has no Go struct tags to read
/// the merge keys from, so a list merges by the first usual key (`name`, `mountPath`, `containerPort`, ...)
/// every item of both lists carries; any other list is replaced, as in a merge patch.
module Ztwim.Sim.Serve.StrategicMerge

open Ztwim.Kernel

let private mergeKeys =
    [ "name"
      "mountPath"
      "containerPort"
      "devicePath"
      "ip"
      "type"
      "port"
      "key" ]

let private isDirective (name: string) = name.StartsWith "$"

let private member' (name: string) =
    function
    | Json.Object m -> Map.tryFind name m
    | _ -> None

let rec private withoutDirectivesIn (value: Json) =
    match value with
    | Json.Object m ->
        m
        |> Map.filter (fun k _ -> not (isDirective k))
        |> Map.map (fun _ v -> withoutDirectivesIn v)
        |> Json.Object
    | Json.Array items ->
        items
        |> List.filter (fun i -> member' "$patch" i <> Some(Json.String "delete"))
        |> List.map withoutDirectivesIn
        |> Json.Array
    | other -> other

let private keyOf (items: Json list) =
    let objects =
        items
        |> List.forall (function
            | Json.Object _ -> true
            | _ -> false)

    if objects && not items.IsEmpty then
        mergeKeys
        |> List.tryFind (fun k -> items |> List.forall (fun i -> (member' k i).IsSome))
    else
        None

/// <summary>The value <paramref name="current"/> becomes under the strategic merge patch <paramref name="patch"/>.</summary>
let rec resolve (current: Json) (patch: Json) : Json =
    match patch with
    | Json.Object _ when member' "$patch" patch = Some(Json.String "replace") -> withoutDirectivesIn patch
    | Json.Object p ->
        let start =
            match current with
            | Json.Object c -> c
            | _ -> Map.empty

        let merged =
            p
            |> Map.fold
                (fun acc name value ->
                    if isDirective name then
                        acc
                    else
                        match value with
                        | Json.Null -> Map.remove name acc
                        | Json.Array items ->
                            let order = Map.tryFind ("$setElementOrder/" + name) p
                            Map.add name (resolveList (Map.tryFind name acc) items order) acc
                        | Json.Object _ ->
                            Map.add name (resolve (defaultArg (Map.tryFind name acc) Json.Null) value) acc
                        | other -> Map.add name other acc)
                start

        let retained =
            match Map.tryFind "$retainKeys" p with
            | Some(Json.Array keys) ->
                let keep =
                    keys
                    |> List.choose (function
                        | Json.String k -> Some k
                        | _ -> None)
                    |> set

                merged |> Map.filter (fun k _ -> keep.Contains k || Map.containsKey k p)
            | _ -> merged

        Json.Object retained
    | other -> other

and private resolveList (current: Json option) (items: Json list) (order: Json option) =
    match current with
    | Some(Json.Array existing) ->
        match keyOf (existing @ items) with
        | Some key ->
            let matches (item: Json) (candidate: Json) =
                member' key candidate = member' key item

            let merged =
                items
                |> List.fold
                    (fun (acc: Json list) item ->
                        if member' "$patch" item = Some(Json.String "delete") then
                            acc |> List.filter (fun x -> not (matches item x))
                        elif acc |> List.exists (matches item) then
                            acc |> List.map (fun x -> if matches item x then resolve x item else x)
                        else
                            acc @ [ resolve Json.Null item ])
                    existing

            match order with
            | Some(Json.Array wanted) ->
                let rank (x: Json) =
                    match wanted |> List.tryFindIndex (fun w -> member' key w = member' key x) with
                    | Some i -> i
                    | None -> wanted.Length

                merged |> List.sortBy rank |> Json.Array
            | _ -> Json.Array merged
        | None -> withoutDirectivesIn (Json.Array items)
    | _ -> withoutDirectivesIn (Json.Array items)
