namespace Ztwim.Kernel

open System
open System.Globalization
open System.Numerics
open System.Text
open System.Text.RegularExpressions

/// What go-yaml v2 (the library under sigs.k8s.io/yaml) decides about a string before printing it: whether
/// it would read back as a string when plain, which quoting styles its characters allow, and the order of
/// map keys. The controller-manager config is hashed by upstream, so these rules must match to the byte.
[<RequireQualifiedAccess>]
module GoYamlScalar =

    // resolve.go's map: plain scalars YAML 1.1 reads as booleans, null, infinities and NaN (and "" as null).
    let private special =
        ("y Y yes Yes YES true True TRUE on On ON n N no No NO false False FALSE off Off OFF ~ null Null NULL "
         + ".nan .NaN .NAN .inf .Inf .INF +.inf +.Inf +.INF -.inf -.Inf -.INF")
            .Split(' ')
        |> Set.ofArray
        |> Set.add ""

    let private yamlStyleFloat =
        Regex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)

    let private base60Float =
        Regex(@"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$", RegexOptions.CultureInvariant)

    // Go's strconv.ParseFloat for the decimal forms go-yaml hands it; an out-of-range value is an error there.
    let private goFloat (s: string) =
        let styles =
            NumberStyles.AllowLeadingSign
            ||| NumberStyles.AllowDecimalPoint
            ||| NumberStyles.AllowExponent

        match Double.TryParse(s, styles, CultureInfo.InvariantCulture) with
        | true, d -> not (Double.IsInfinity d)
        | _ -> false

    // strconv.ParseInt(s, 0, 64), falling back to ParseUint(s, 0, 64) as resolve does.
    let private goInteger (s: string) =
        let signed = s.StartsWith "-" || s.StartsWith "+"
        let body = if signed then s.Substring 1 else s

        let digits (prefix: int) (radix: int) (allowed: string) =
            let ds = body.Substring prefix

            if
                ds = ""
                || not (ds |> Seq.forall (fun c -> allowed.Contains(Char.ToLowerInvariant c)))
            then
                None
            else
                ds
                |> Seq.fold
                    (fun (acc: BigInteger) c ->
                        acc * BigInteger radix + BigInteger(allowed.IndexOf(Char.ToLowerInvariant c)))
                    BigInteger.Zero
                |> Some

        let lower = body.ToLowerInvariant()

        let magnitude =
            if lower.StartsWith "0x" then digits 2 16 "0123456789abcdef"
            elif lower.StartsWith "0o" then digits 2 8 "01234567"
            elif lower.StartsWith "0b" then digits 2 2 "01"
            elif lower.StartsWith "0" then digits 0 8 "01234567"
            else digits 0 10 "0123456789"

        match magnitude with
        | None -> false
        | Some m when s.StartsWith "-" -> m <= BigInteger.Pow(2I, 63)
        | Some m when signed -> m < BigInteger.Pow(2I, 63)
        | Some m -> m < BigInteger.Pow(2I, 64)

    let private timestamp =
        Regex(
            @"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:[Tt]([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:\.[0-9]+)?(?:Z|[-+][0-9]{2}:[0-9]{2}))|(?: ([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:\.[0-9]+)?))?$",
            RegexOptions.CultureInvariant
        )

    let private daysIn (year: int) (month: int) =
        match month with
        | 2 when year % 4 = 0 && (year % 100 <> 0 || year % 400 = 0) -> 29
        | 2 -> 28
        | 4
        | 6
        | 9
        | 11 -> 30
        | _ -> 31

    // go-yaml's parseTimestamp: the layouts 2006-1-2 with an optional time, checked as time.Parse checks.
    let private isTimestamp (s: string) =
        let m = timestamp.Match s

        if not m.Success then
            false
        else
            let number (i: int) = int m.Groups.[i].Value
            let year, month, day = number 1, number 2, number 3

            let timeOk (h: int) =
                not m.Groups.[h].Success
                || (number h <= 23 && number (h + 1) <= 59 && number (h + 2) <= 59)

            month >= 1
            && month <= 12
            && day >= 1
            && day <= daysIn year month
            && timeOk 4
            && timeOk 7

    /// resolve("", s) == !!str and not a base-60 float: the string may be printed plain.
    let resolvesToString (s: string) =
        if special.Contains s then
            false
        elif s = "" then
            true
        else
            match s.[0] with
            | '.' -> not (goFloat s)
            | c when Char.IsAsciiDigit c || c = '+' || c = '-' ->
                let plain = s.Replace("_", "")

                not (
                    (Char.IsAsciiDigit c && isTimestamp s)
                    || goInteger plain
                    || (yamlStyleFloat.IsMatch plain && goFloat plain)
                )
                && not (base60Float.IsMatch s)
            | _ -> not (base60Float.IsMatch s)

    /// The emitter's line breaks: LF, CR, NEL, LS and PS.
    let isBreak (r: Rune) =
        r.Value = 0x0A
        || r.Value = 0x0D
        || r.Value = 0x85
        || r.Value = 0x2028
        || r.Value = 0x2029

    /// libyaml's is_printable (which leaves out NEL and everything beyond the BMP).
    let isPrintable (r: Rune) =
        let v = r.Value

        v = 0x0A
        || (v >= 0x20 && v <= 0x7E)
        || (v >= 0xA0 && v <= 0xD7FF)
        || (v >= 0xE000 && v <= 0xFFFD && v <> 0xFEFF)

    /// Which styles yaml_emitter_analyze_scalar allows for a string in block context.
    type Analysis =
        { Multiline: bool
          BlockPlainAllowed: bool
          SingleQuotedAllowed: bool
          BlockAllowed: bool }

    /// The analysis of a scalar's characters, as libyaml's emitter makes it.
    let analyze (s: string) : Analysis =
        if s = "" then
            { Multiline = false
              BlockPlainAllowed = true
              SingleQuotedAllowed = true
              BlockAllowed = false }
        else
            let runes = s.EnumerateRunes() |> Array.ofSeq
            let n = runes.Length

            let isBlank (i: int) =
                i < n && (runes.[i].Value = 0x20 || runes.[i].Value = 0x09)

            let isSpace (i: int) = runes.[i].Value = 0x20

            let mutable indicators = s.StartsWith "---" || s.StartsWith "..."
            let mutable lineBreaks, special = false, false
            let mutable leading, trailing, breakSpace, spaceBreak = false, false, false, false
            let mutable previousSpace, previousBreak, precededByWhitespace = false, false, true

            for i in 0 .. n - 1 do
                let c = runes.[i].Value
                let followedByWhitespace = i + 1 >= n || isBlank (i + 1)

                if i = 0 then
                    if "#,[]{}&*!|>'\"%@`".Contains(char c) && c < 0x80 then
                        indicators <- true
                    elif (c = int '?' || c = int ':' || c = int '-') && followedByWhitespace then
                        indicators <- true
                elif c = int ':' && followedByWhitespace then
                    indicators <- true
                elif c = int '#' && precededByWhitespace then
                    indicators <- true

                if not (isPrintable runes.[i]) then
                    special <- true

                if isSpace i then
                    if i = 0 then
                        leading <- true

                    if i = n - 1 then
                        trailing <- true

                    if previousBreak then
                        breakSpace <- true

                    previousSpace <- true
                    previousBreak <- false
                elif isBreak runes.[i] then
                    lineBreaks <- true

                    if i = 0 then
                        leading <- true

                    if i = n - 1 then
                        trailing <- true

                    if previousSpace then
                        spaceBreak <- true

                    previousSpace <- false
                    previousBreak <- true
                else
                    previousSpace <- false
                    previousBreak <- false

                precededByWhitespace <- isBlank i || isBreak runes.[i]

            let trailingSpace = isSpace (n - 1)

            { Multiline = lineBreaks
              BlockPlainAllowed =
                not (
                    leading
                    || trailing
                    || breakSpace
                    || spaceBreak
                    || special
                    || lineBreaks
                    || indicators
                )
              SingleQuotedAllowed = not (breakSpace || spaceBreak || special)
              BlockAllowed = not (trailingSpace || spaceBreak || special) }

    /// go-yaml's keyList.Less for string keys: letters after other characters, digit runs compared as numbers.
    let compareKeys (a: string) (b: string) =
        let ar = a.EnumerateRunes() |> Array.ofSeq
        let br = b.EnumerateRunes() |> Array.ofSeq
        let isDigit (r: Rune) = Rune.IsDigit r
        let less (x: Rune) (y: Rune) = if x.Value < y.Value then -1 else 1

        let rec at (i: int) =
            if i >= ar.Length || i >= br.Length then
                compare ar.Length br.Length
            elif ar.[i] = br.[i] then
                at (i + 1)
            else
                let al, bl = Rune.IsLetter ar.[i], Rune.IsLetter br.[i]

                if al && bl then
                    less ar.[i] br.[i]
                elif al || bl then
                    (if bl then -1 else 1)
                else
                    // A run of digits continuing one that is not all zeros compares from 1, as go-yaml does.
                    let seed =
                        if ar.[i].Value = int '0' || br.[i].Value = int '0' then
                            let rec back (j: int) =
                                if j < 0 || not (isDigit ar.[j]) then 0L
                                elif ar.[j].Value <> int '0' then 1L
                                else back (j - 1)

                            back (i - 1)
                        else
                            0L

                    let run (rs: Rune array) =
                        let mutable k, v = i, seed

                        while k < rs.Length && isDigit rs.[k] do
                            v <- v * 10L + int64 (rs.[k].Value - int '0')
                            k <- k + 1

                        k, v

                    let ai, an = run ar
                    let bi, bn = run br

                    if an <> bn then compare an bn
                    elif ai <> bi then compare ai bi
                    else less ar.[i] br.[i]

        at 0
