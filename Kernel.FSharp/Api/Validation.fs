namespace Ztwim.Kernel.Api

/// The result of reading part of a spec: a value, or every error found in that part.
type Validated<'T> = Result<'T, FieldError list>

/// Applicative composition that keeps all errors, so that `parse` reports every broken rule, not the first.
[<RequireQualifiedAccess>]
module Validated =

    let map2 (f: 'a -> 'b -> 'c) (a: Validated<'a>) (b: Validated<'b>) : Validated<'c> =
        match a, b with
        | Ok x, Ok y -> Ok(f x y)
        | Error e1, Error e2 -> Error(e1 @ e2)
        | Error e, Ok _
        | Ok _, Error e -> Error e

    /// All values, or all errors of all items.
    let sequence (items: Validated<'a> list) : Validated<'a list> =
        List.foldBack (map2 (fun x xs -> x :: xs)) items (Ok [])

    /// A value that also has to pass extra checks (CEL-like rules over the whole object); their errors
    /// only appear when the object itself was read, as the API server evaluates them.
    let check (rules: 'a -> FieldError list) (v: Validated<'a>) : Validated<'a> =
        match v with
        | Ok x ->
            match rules x with
            | [] -> Ok x
            | errors -> Error errors
        | Error e -> Error e

    /// Errors from a list of optional checks.
    let errorsOf (checks: FieldError option list) = List.choose id checks

/// `validated { let! a = ... and! b = ... return ... }` collects the errors of every `and!`.
type ValidatedBuilder() =
    member _.BindReturn(v: Validated<'a>, f: 'a -> 'b) = Result.map f v
    member _.MergeSources(a: Validated<'a>, b: Validated<'b>) = Validated.map2 (fun x y -> x, y) a b
    member _.Return(x: 'a) : Validated<'a> = Ok x
    member _.Bind(v: Validated<'a>, f: 'a -> Validated<'b>) = Result.bind f v
    member _.ReturnFrom(v: Validated<'a>) = v

[<AutoOpen>]
module ValidatedBuilderInstance =
    /// The builder for `Validated` values.
    let validated = ValidatedBuilder()
