namespace Ztwim.Kernel

open System
open System.Globalization
open System.Text


/// YAML exactly as sigs.k8s.io/yaml prints a JSON value (go-yaml v2's emitter): keys in go-yaml's order,
/// indentless sequences under keys, plain scalars folded at spaces past column 80, and quotes only where a
/// plain scalar would read back as something else. Upstream hashes this text, so it must match to the byte.
[<RequireQualifiedAccess>]
module Yaml =

    let private bestWidth = 80
    let private bestIndent = 2

    /// The emitter's cursor: libyaml's column, whitespace and indention flags, over the text so far.
    type private Emitter() =
        let sb = StringBuilder()
        member val Column = 0 with get, set
        member val Whitespace = true with get, set
        member val Indention = true with get, set

        member e.Put(s: string) =
            sb.Append(s) |> ignore
            e.Column <- e.Column + Seq.length (s.EnumerateRunes())

        member e.Break() =
            sb.Append('\n') |> ignore
            e.Column <- 0

        member e.Indent(indent: int) =
            let indent = max indent 0

            if not e.Indention || e.Column > indent || (e.Column = indent && not e.Whitespace) then
                e.Break()

            e.Put(String(' ', max 0 (indent - e.Column)))
            e.Whitespace <- true
            e.Indention <- true

        member e.Indicator(indicator: string, needWhitespace: bool, isWhitespace: bool, isIndention: bool) =
            if needWhitespace && not e.Whitespace then
                e.Put " "

            e.Put indicator
            e.Whitespace <- isWhitespace
            e.Indention <- e.Indention && isIndention

        member _.Text = sb.ToString()

    type private Style =
        | Plain
        | SingleQuoted
        | DoubleQuoted
        | Literal

    // encode.go's stringv picks a style; the emitter downgrades it when the characters do not allow it.
    let private style (simpleKey: bool) (s: string) =
        let a = GoYamlScalar.analyze s
        let canUsePlain = GoYamlScalar.resolvesToString s

        let requested =
            if s.Contains '\n' then Literal
            elif canUsePlain then Plain
            else DoubleQuoted

        match requested with
        | Plain when not a.BlockPlainAllowed || (s = "" && simpleKey) ->
            if a.SingleQuotedAllowed then SingleQuoted else DoubleQuoted
        | Literal when not a.BlockAllowed || simpleKey -> DoubleQuoted
        | other -> other

    let private runes (s: string) = s.EnumerateRunes() |> Array.ofSeq

    let private writePlain (e: Emitter) (indent: int) (allowBreaks: bool) (s: string) =
        if not e.Whitespace then
            e.Put " "

        let rs = runes s
        let mutable spaces = false

        for i in 0 .. rs.Length - 1 do
            if rs.[i].Value = 0x20 then
                if
                    allowBreaks
                    && not spaces
                    && e.Column > bestWidth
                    && not (i + 1 < rs.Length && rs.[i + 1].Value = 0x20)
                then
                    e.Indent indent
                else
                    e.Put " "

                spaces <- true
            else
                e.Put(rs.[i].ToString())
                e.Indention <- false
                spaces <- false

        e.Whitespace <- false
        e.Indention <- false

    let private writeSingleQuoted (e: Emitter) (indent: int) (allowBreaks: bool) (s: string) =
        e.Indicator("'", true, false, false)
        let rs = runes s
        let mutable spaces = false

        for i in 0 .. rs.Length - 1 do
            if rs.[i].Value = 0x20 then
                if
                    allowBreaks
                    && not spaces
                    && e.Column > bestWidth
                    && i > 0
                    && i < rs.Length - 1
                    && rs.[i + 1].Value <> 0x20
                then
                    e.Indent indent
                else
                    e.Put " "

                spaces <- true
            else
                if rs.[i].Value = int '\'' then
                    e.Put "'"

                e.Put(rs.[i].ToString())
                e.Indention <- false
                spaces <- false

        e.Indicator("'", false, false, false)
        e.Whitespace <- false
        e.Indention <- false

    let private escape (r: Rune) =
        match r.Value with
        | 0x00 -> "\\0"
        | 0x07 -> "\\a"
        | 0x08 -> "\\b"
        | 0x09 -> "\\t"
        | 0x0A -> "\\n"
        | 0x0B -> "\\v"
        | 0x0C -> "\\f"
        | 0x0D -> "\\r"
        | 0x1B -> "\\e"
        | 0x22 -> "\\\""
        | 0x5C -> "\\\\"
        | 0x85 -> "\\N"
        | 0xA0 -> "\\_"
        | 0x2028 -> "\\L"
        | 0x2029 -> "\\P"
        | v when v <= 0xFF -> "\\x" + v.ToString("X2", CultureInfo.InvariantCulture)
        | v when v <= 0xFFFF -> "\\u" + v.ToString("X4", CultureInfo.InvariantCulture)
        | v -> "\\U" + v.ToString("X8", CultureInfo.InvariantCulture)

    let private writeDoubleQuoted (e: Emitter) (indent: int) (allowBreaks: bool) (s: string) =
        e.Indicator("\"", true, false, false)
        let rs = runes s
        let mutable spaces = false

        for i in 0 .. rs.Length - 1 do
            let r = rs.[i]

            if
                not (GoYamlScalar.isPrintable r)
                || r.Value = 0xFEFF
                || GoYamlScalar.isBreak r
                || r.Value = int '"'
                || r.Value = int '\\'
            then
                e.Put(escape r)
                spaces <- false
            elif r.Value = 0x20 then
                if allowBreaks && not spaces && e.Column > bestWidth && i > 0 && i < rs.Length - 1 then
                    e.Indent indent

                    if rs.[i + 1].Value = 0x20 then
                        e.Put "\\"
                else
                    e.Put " "

                spaces <- true
            else
                e.Put(r.ToString())
                spaces <- false

        e.Indicator("\"", false, false, false)
        e.Whitespace <- false
        e.Indention <- false

    let private writeLiteral (e: Emitter) (indent: int) (s: string) =
        e.Indicator("|", true, false, false)
        let rs = runes s

        if GoYamlScalar.isBreak rs.[0] || rs.[0].Value = 0x20 then
            e.Indicator(string bestIndent, false, false, false)

        let last = rs.Length - 1

        if not (GoYamlScalar.isBreak rs.[last]) then
            e.Indicator("-", false, false, false)
        elif last = 0 || GoYamlScalar.isBreak rs.[last - 1] then
            e.Indicator("+", false, false, false)

        e.Break()
        e.Indention <- true
        e.Whitespace <- true
        let mutable breaks = true

        for r in rs do
            if GoYamlScalar.isBreak r then
                if r.Value = 0x0A then
                    e.Break()
                else
                    e.Put(r.ToString())
                    e.Column <- 0

                e.Indention <- true
                breaks <- true
            else
                if breaks then
                    e.Indent indent

                e.Put(r.ToString())
                e.Indention <- false
                breaks <- false

    /// A scalar string; `indent` is the indentation of the collection around it (-1 at the root).
    let private scalar (e: Emitter) (indent: int) (simpleKey: bool) (s: string) =
        let inner = if indent < 0 then bestIndent else indent + bestIndent

        match style simpleKey s with
        | Plain -> writePlain e inner (not simpleKey) s
        | SingleQuoted -> writeSingleQuoted e inner (not simpleKey) s
        | DoubleQuoted -> writeDoubleQuoted e inner (not simpleKey) s
        | Literal -> writeLiteral e inner s

    // Go's strconv.FormatFloat(f, 'g', -1, 64), for the non-integral numbers go-yaml prints as floats: the
    // shortest digits, in exponent form when the exponent is below -4 or at least 6.
    let private goFloat (d: decimal) =
        let f = float d
        let shortest = abs(f).ToString("R", CultureInfo.InvariantCulture).ToLowerInvariant()

        let mantissa, exp10 =
            match shortest.Split('e') with
            | [| m; x |] -> m, int x
            | _ -> shortest, 0

        let point =
            match mantissa.IndexOf '.' with
            | -1 -> mantissa.Length
            | i -> i

        let raw = mantissa.Replace(".", "")
        let digits = raw.TrimStart('0')
        let dp = point + exp10 - (raw.Length - digits.Length)
        let digits = digits.TrimEnd('0')
        let sign = if f < 0.0 then "-" else ""

        if digits = "" then
            "0"
        elif dp - 1 < -4 || dp - 1 >= 6 then
            let e = dp - 1
            let rest = if digits.Length > 1 then "." + digits.Substring 1 else ""
            sprintf "%s%c%se%s%02d" sign digits.[0] rest (if e < 0 then "-" else "+") (abs e)
        elif dp <= 0 then
            sign + "0." + String('0', -dp) + digits
        elif dp >= digits.Length then
            sign + digits + String('0', dp - digits.Length)
        else
            sign + digits.Substring(0, dp) + "." + digits.Substring dp

    let private number (d: decimal) =
        if d = Math.Truncate d then JsonText.number d else goFloat d

    let private keySimple (k: string) =
        Encoding.UTF8.GetByteCount k <= 128 && not (GoYamlScalar.analyze k).Multiline

    let rec private node (e: Emitter) (indent: int) (mapValue: bool) (json: Json) =
        match json with
        | Json.Object m when not m.IsEmpty ->
            let inner = if indent < 0 then 0 else indent + bestIndent

            for key in m |> Map.keys |> List.ofSeq |> List.sortWith GoYamlScalar.compareKeys do
                e.Indent inner

                if keySimple key then
                    scalar e inner true key
                    e.Indicator(":", false, false, false)
                else
                    e.Indicator("?", true, false, true)
                    scalar e inner false key
                    e.Indent inner
                    e.Indicator(":", true, false, true)

                node e inner true m.[key]
        | Json.Array items when not items.IsEmpty ->
            let inner =
                if indent < 0 then 0
                elif mapValue && not e.Indention then indent
                else indent + bestIndent

            for item in items do
                e.Indent inner
                e.Indicator("-", true, false, true)
                node e inner false item
        | Json.Object _ ->
            e.Indicator("{", true, true, false)
            e.Indicator("}", false, false, false)
        | Json.Array _ ->
            e.Indicator("[", true, true, false)
            e.Indicator("]", false, false, false)
        | Json.String s -> scalar e indent false s
        | Json.Number d -> writePlain e 0 false (number d)
        | Json.Bool b -> writePlain e 0 false (if b then "true" else "false")
        | Json.Null -> writePlain e 0 false "null"

    /// One YAML document, as sigs.k8s.io/yaml.Marshal prints the value (ends with a newline).
    let print (json: Json) =
        let e = Emitter()
        node e -1 false json
        e.Indent 0
        e.Text

    /// Several documents separated by "---" lines, as kubectl prints a list.
    let printAll (docs: Json list) =
        docs |> List.map print |> String.concat "---\n"
