namespace Ztwim.Kernel.Api

open System
open System.Globalization
open System.Text

/// A Go duration (metav1.Duration): the text the user wrote and its length in nanoseconds. The text is kept
/// so that a spec prints back as written; comparisons of TTLs use the nanoseconds.
type Duration =
    private
        { text: string
          nanoseconds: int64 }

    member d.Text = d.text
    member d.Nanoseconds = d.nanoseconds

/// Go's time.ParseDuration and Duration.String, so that configs print durations as upstream does.
[<RequireQualifiedAccess>]
module Duration =

    let private units =
        [ "ns", 1m
          "us", 1_000m
          "\u00b5s", 1_000m
          "\u03bcs", 1_000m
          "ms", 1_000_000m
          "s", 1_000_000_000m
          "m", 60_000_000_000m
          "h", 3_600_000_000_000m ]

    /// Parses as time.ParseDuration does: "300ms", "-1.5h", "2h45m"; a bare "0" is zero.
    let parse (text: string) : Result<Duration, string> =
        let fail () =
            Error "must be a duration such as 24h, 90m or 1h30m (units ns, us, ms, s, m, h)"

        let s, sign =
            if text.StartsWith "-" then text.Substring 1, -1m
            elif text.StartsWith "+" then text.Substring 1, 1m
            else text, 1m

        if s = "0" then
            Ok { text = text; nanoseconds = 0L }
        elif s = "" then
            fail ()
        else
            let rec go (i: int) (total: decimal) =
                if i >= s.Length then
                    Some total
                else
                    let start = i
                    let mutable j = i

                    while j < s.Length && (Char.IsAsciiDigit s.[j] || s.[j] = '.') do
                        j <- j + 1

                    let number = s.Substring(start, j - start)
                    let unitStart = j

                    while j < s.Length && not (Char.IsAsciiDigit s.[j] || s.[j] = '.') do
                        j <- j + 1

                    let unit = s.Substring(unitStart, j - unitStart)

                    let validNumber =
                        number <> "."
                        && number <> ""
                        && number |> Seq.filter ((=) '.') |> Seq.length <= 1

                    match validNumber, units |> List.tryFind (fun (u, _) -> u = unit) with
                    | true, Some(_, scale) ->
                        match
                            Decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture)
                        with
                        // Compared before multiplying: a huge number would overflow decimal itself.
                        | true, v when v <= (decimal Int64.MaxValue - total) / scale -> go j (total + v * scale)
                        | _ -> None
                    | _ -> None

            match go 0 0m with
            | Some total ->
                Ok
                    { text = text
                      nanoseconds = int64 (Math.Truncate(sign * total)) }
            | None -> fail ()

    /// The duration as Go's Duration.String prints it: "24h0m0s", "5m0s", "1.5s", "300ms", "0s".
    let goString (d: Duration) =
        let ns = d.nanoseconds
        let negative = ns < 0L
        let u = if negative then uint64 (-(decimal ns)) else uint64 ns

        let fraction (value: uint64) (digits: int) =
            // value printed with `digits` decimal places, trailing zeros (and the dot) removed.
            let scale = pown 10UL digits
            let whole = value / scale
            let frac = (value % scale).ToString().PadLeft(digits, '0').TrimEnd('0')

            if frac = "" then
                string whole
            else
                sprintf "%d.%s" whole frac

        let body =
            if u = 0UL then
                "0s"
            elif u < 1_000UL then
                sprintf "%dns" u
            elif u < 1_000_000UL then
                fraction u 3 + "\u00b5s"
            elif u < 1_000_000_000UL then
                fraction u 6 + "ms"
            else
                let sb = StringBuilder()
                let totalSeconds = u / 1_000_000_000UL
                let h = totalSeconds / 3600UL
                let m = (totalSeconds / 60UL) % 60UL
                let secondsPart = u % 60_000_000_000UL

                if h > 0UL then
                    sb.Append(h).Append('h') |> ignore

                if h > 0UL || m > 0UL then
                    sb.Append(m).Append('m') |> ignore

                sb.Append(fraction secondsPart 9).Append('s').ToString()

        if negative then "-" + body else body

    /// A duration from nanoseconds, spelled as Go prints it.
    let ofNanoseconds (ns: int64) =
        let d = { text = ""; nanoseconds = ns }
        { d with text = goString d }

    let text (d: Duration) = d.Text
