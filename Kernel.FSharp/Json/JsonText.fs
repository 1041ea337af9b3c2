namespace Ztwim.Kernel

open System
open System.Globalization
open System.Text
open System.Text.Json

/// JSON text in and out: parsing through System.Text.Json, printing compact or as Go's json.MarshalIndent does.
[<RequireQualifiedAccess>]
module JsonText =

    let rec private ofElement (e: JsonElement) : Result<Json, string> =
        match e.ValueKind with
        | JsonValueKind.Null -> Ok Json.Null
        | JsonValueKind.True -> Ok(Json.Bool true)
        | JsonValueKind.False -> Ok(Json.Bool false)
        | JsonValueKind.String -> Ok(Json.String(e.GetString()))
        | JsonValueKind.Number ->
            match Decimal.TryParse(e.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture) with
            | true, d -> Ok(Json.Number d)
            | _ -> Error(sprintf "number %s is out of range" (e.GetRawText()))
        | JsonValueKind.Array ->
            let items = e.EnumerateArray() |> Seq.map ofElement |> List.ofSeq

            match
                items
                |> List.tryPick (function
                    | Error m -> Some m
                    | Ok _ -> None)
            with
            | Some m -> Error m
            | None -> Ok(Json.Array(items |> List.choose Result.toOption))
        | JsonValueKind.Object ->
            let members =
                e.EnumerateObject()
                |> Seq.map (fun p -> p.Name, ofElement p.Value)
                |> List.ofSeq

            match
                members
                |> List.tryPick (function
                    | _, Error m -> Some m
                    | _ -> None)
            with
            | Some m -> Error m
            | None ->
                Ok(
                    members
                    |> List.choose (fun (k, v) -> v |> Result.toOption |> Option.map (fun v -> k, v))
                    |> Json.obj
                )
        | _ -> Error "unexpected JSON token"

    /// Parses JSON text; a syntax error names its line and column (1-based).
    let parse (text: string) : Result<Json, string> =
        try
            use doc = JsonDocument.Parse(text)
            ofElement doc.RootElement
        with :? JsonException as ex ->
            let line =
                if ex.LineNumber.HasValue then
                    ex.LineNumber.Value + 1L
                else
                    0L

            let col =
                if ex.BytePositionInLine.HasValue then
                    ex.BytePositionInLine.Value + 1L
                else
                    0L

            let reason = ex.Message.Split(" LineNumber:").[0].TrimEnd('.', ' ')
            Error(sprintf "line %d, column %d: %s" line col reason)

    /// A decimal as JSON writes it: integers without a fraction, others in their shortest invariant form.
    let number (d: decimal) =
        if d = Math.Truncate d then
            (Math.Truncate d).ToString("0", CultureInfo.InvariantCulture)
        else
            d.ToString(CultureInfo.InvariantCulture).TrimEnd('0')

    /// A string literal escaped as Go's encoding/json escapes it (HTML-safe: <, >, & become \u003c and so on),
    /// so that configs hash exactly as upstream's.
    let quote (s: string) =
        let sb = StringBuilder(s.Length + 2)
        sb.Append('"') |> ignore

        let mutable i = 0

        while i < s.Length do
            let c = s.[i]

            match c with
            | '"' -> sb.Append("\\\"") |> ignore
            | '\\' -> sb.Append("\\\\") |> ignore
            | '\n' -> sb.Append("\\n") |> ignore
            | '\r' -> sb.Append("\\r") |> ignore
            | '\t' -> sb.Append("\\t") |> ignore
            | '\b' -> sb.Append("\\b") |> ignore
            | '\f' -> sb.Append("\\f") |> ignore
            | '<'
            | '>'
            | '&'
            | '\u2028'
            | '\u2029' -> sb.AppendFormat("\\u{0:x4}", int c) |> ignore
            | c when c < ' ' -> sb.AppendFormat("\\u{0:x4}", int c) |> ignore
            | c when Char.IsHighSurrogate c && i + 1 < s.Length && Char.IsLowSurrogate s.[i + 1] ->
                sb.Append(c).Append(s.[i + 1]) |> ignore
                i <- i + 1
            // A lone surrogate is not valid UTF-8; Go writes the replacement character.
            | c when Char.IsSurrogate c -> sb.Append("\ufffd") |> ignore
            | c -> sb.Append(c) |> ignore

            i <- i + 1

        sb.Append('"').ToString()

    let rec private write (sb: StringBuilder) (indent: string option) (depth: int) (json: Json) =
        let newline d =
            match indent with
            | Some unit ->
                sb.Append('\n') |> ignore

                for _ in 1..d do
                    sb.Append(unit) |> ignore
            | None -> ()

        match json with
        | Json.Null -> sb.Append("null") |> ignore
        | Json.Bool b -> sb.Append(if b then "true" else "false") |> ignore
        | Json.Number n -> sb.Append(number n) |> ignore
        | Json.String s -> sb.Append(quote s) |> ignore
        | Json.Array [] -> sb.Append("[]") |> ignore
        | Json.Array items ->
            sb.Append('[') |> ignore

            items
            |> List.iteri (fun i item ->
                if i > 0 then
                    sb.Append(',') |> ignore

                newline (depth + 1)
                write sb indent (depth + 1) item)

            newline depth
            sb.Append(']') |> ignore
        | Json.Object m when m.IsEmpty -> sb.Append("{}") |> ignore
        | Json.Object m ->
            sb.Append('{') |> ignore

            m
            |> Map.toList
            |> List.iteri (fun i (k, v) ->
                if i > 0 then
                    sb.Append(',') |> ignore

                newline (depth + 1)
                sb.Append(quote k).Append(if indent.IsSome then ": " else ":") |> ignore
                write sb indent (depth + 1) v)

            newline depth
            sb.Append('}') |> ignore

    /// Compact JSON with sorted keys.
    let compact (json: Json) =
        let sb = StringBuilder()
        write sb None 0 json
        sb.ToString()

    /// JSON exactly as Go's json.MarshalIndent(v, "", "  ") prints a map-based value.
    let indented (json: Json) =
        let sb = StringBuilder()
        write sb (Some "  ") 0 json
        sb.ToString()
