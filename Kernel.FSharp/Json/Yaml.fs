namespace Ztwim.Kernel

open System
open System.Text
open System.Text.RegularExpressions

/// YAML output in the block style kubectl and sigs.k8s.io/yaml print: two-space maps, sequences
/// not indented under their key, and quotes only where a plain scalar would read back differently.
[<RequireQualifiedAccess>]
module Yaml =

    // YAML 1.1 (what go-yaml resolves) reads these plain scalars as booleans, null or numbers.
    let private ambiguous =
        Regex(
            @"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~"
            + @"|[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?|0x[0-9a-fA-F_]+|0o?[0-7_]+|0b[01_]+"
            + @"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|[0-9]+(?::[0-5]?[0-9])+(?:\.[0-9_]*)?"
            + @"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ].*)?)$",
            RegexOptions.CultureInvariant
        )

    let private plainSafe (s: string) =
        s <> ""
        && not (ambiguous.IsMatch s)
        && not ("-?:,[]{}#&*!|>'\"%@`".Contains(s.[0]))
        && not (Char.IsWhiteSpace s.[0])
        && not (Char.IsWhiteSpace s.[s.Length - 1])
        && not (s.EndsWith ":")
        && not (s.Contains ": ")
        && not (s.Contains " #")
        && s
           |> Seq.forall (fun c -> c >= ' ' && c <> '\u007f' && not (Char.IsSurrogate c) && c <> '\ufeff')

    /// A scalar string as YAML: plain when that reads back as the same string, double-quoted otherwise.
    let scalar (s: string) =
        if plainSafe s then s else JsonText.quote s

    let private isBlock (json: Json) =
        match json with
        | Json.Object m -> not m.IsEmpty
        | Json.Array items -> not items.IsEmpty
        | _ -> false

    let private inline' (json: Json) =
        match json with
        | Json.Null -> "null"
        | Json.Bool b -> if b then "true" else "false"
        | Json.Number n -> JsonText.number n
        | Json.String s -> scalar s
        | Json.Array _ -> "[]"
        | Json.Object _ -> "{}"

    let rec private writeBlock (sb: StringBuilder) (pad: string) (json: Json) =
        match json with
        | Json.Object m ->
            for KeyValue(k, v) in m do
                sb.Append(pad).Append(scalar k).Append(':') |> ignore

                match v with
                | Json.String s when s.Contains '\n' && plainSafe (s.Replace("\n", "")) ->
                    let chomp = if s.EndsWith "\n" then "" else "-"
                    sb.Append(" |").Append(chomp).Append('\n') |> ignore

                    for line in s.TrimEnd('\n').Split('\n') do
                        (if line = "" then
                             sb
                         else
                             sb.Append(pad).Append("  ").Append(line))
                            .Append('\n')
                        |> ignore
                | Json.Array _ when isBlock v ->
                    sb.Append('\n') |> ignore
                    writeBlock sb pad v
                | _ when isBlock v ->
                    sb.Append('\n') |> ignore
                    writeBlock sb (pad + "  ") v
                | _ -> sb.Append(' ').Append(inline' v).Append('\n') |> ignore
        | Json.Array items ->
            for item in items do
                if isBlock item then
                    // The first line of a nested block shares the "- " of the item.
                    let inner = StringBuilder()
                    writeBlock inner (pad + "  ") item
                    let text = inner.ToString()
                    sb.Append(pad).Append("- ").Append(text.Substring(pad.Length + 2)) |> ignore
                else
                    sb.Append(pad).Append("- ").Append(inline' item).Append('\n') |> ignore
        | scalar -> sb.Append(pad).Append(inline' scalar).Append('\n') |> ignore

    /// One YAML document (no leading "---").
    let print (json: Json) =
        let sb = StringBuilder()
        writeBlock sb "" json
        sb.ToString()

    /// Several documents separated by "---" lines, as kubectl prints a list.
    let printAll (docs: Json list) =
        docs |> List.map print |> String.concat "---\n"
