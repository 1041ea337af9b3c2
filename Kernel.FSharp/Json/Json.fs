namespace Ztwim.Kernel

/// An immutable JSON value with structural equality. Object keys live in a Map, so their order is canonical
/// (ordinal, as Go's encoding/json sorts map keys) and two objects with the same members are equal.
[<RequireQualifiedAccess; StructuralEquality; StructuralComparison>]
type Json =
    | Null
    | Bool of bool
    | Number of decimal
    | String of string
    | Array of Json list
    | Object of Map<string, Json>

/// Building and reading JSON values.
[<RequireQualifiedAccess>]
module Json =

    /// An object from its members; a later duplicate key wins, as in most JSON readers.
    let obj (members: (string * Json) list) = Json.Object(Map.ofList members)

    /// An object from the members that are present.
    let objOpt (members: (string * Json option) list) =
        members |> List.choose (fun (k, v) -> v |> Option.map (fun v -> k, v)) |> obj

    let str (s: string) = Json.String s
    let num (n: int) = Json.Number(decimal n)
    let arr (items: Json list) = Json.Array items

    /// The member of an object, if the value is an object and has it.
    let tryField (name: string) (json: Json) =
        match json with
        | Json.Object m -> Map.tryFind name m
        | _ -> None

    /// The name of a value's JSON type, as the Kubernetes API server names it in type errors.
    let typeName (json: Json) =
        match json with
        | Json.Null -> "null"
        | Json.Bool _ -> "boolean"
        | Json.Number n when n = System.Math.Truncate n -> "integer"
        | Json.Number _ -> "number"
        | Json.String _ -> "string"
        | Json.Array _ -> "array"
        | Json.Object _ -> "object"

    /// The members of an object with nulls removed: a null member means absent in Kubernetes objects.
    let withoutNulls (json: Json) =
        match json with
        | Json.Object m -> Json.Object(m |> Map.filter (fun _ v -> v <> Json.Null))
        | other -> other
