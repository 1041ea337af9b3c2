/// Field selectors (`metadata.name=x,status.phase!=Running`), which kubectl sends for `get NAME -w`, `wait`
/// and `describe` (events of one object). Any dotted path is accepted; a real server allows only a few per kind.
module Ztwim.Sim.Serve.FieldSelector

open Ztwim.Kernel
open Ztwim.Adapters.Cluster

type private Requirement =
    { Path: string[]
      Equal: bool
      Value: string }

/// A field's value as a selector compares it: strings as they are, numbers and booleans as printed; absent is "".
let private valueAt (path: string[]) (obj: Json) =
    // JsonAccess.At answers null for an absent path, which F# sees only through a box.
    match box (JsonAccess.At(obj, path)) with
    | :? Json as found ->
        match found with
        | Json.String s -> s
        | Json.Bool b -> if b then "true" else "false"
        | Json.Number n -> JsonText.number n
        | _ -> ""
    | _ -> ""

let private requirement (term: string) =
    let term = term.Trim()

    let split (op: string) equal =
        let i = term.IndexOf op

        if i > 0 then
            Some
                { Path = term.Substring(0, i).Trim().Split('.')
                  Equal = equal
                  Value = term.Substring(i + op.Length).Trim() }
        else
            None

    split "!=" false
    |> Option.orElse (split "==" true)
    |> Option.orElse (split "=" true)
    |> function
        | Some r -> Ok r
        | None -> Error(ApiError.BadRequest(sprintf "invalid field selector: %s" term))

/// The test an object must pass; an error for a malformed selector. No selector matches everything.
let parse (selector: string option) : Result<Json -> bool, ApiError> =
    match selector with
    | None -> Ok(fun _ -> true)
    | Some text ->
        let parsed =
            text.Split(',', System.StringSplitOptions.RemoveEmptyEntries)
            |> Array.map requirement

        match
            parsed
            |> Array.tryPick (function
                | Error e -> Some e
                | Ok _ -> None)
        with
        | Some e -> Error e
        | None ->
            let requirements =
                parsed
                |> Array.choose (function
                    | Ok r -> Some r
                    | Error _ -> None)

            Ok(fun obj -> requirements |> Array.forall (fun r -> (valueAt r.Path obj = r.Value) = r.Equal))
