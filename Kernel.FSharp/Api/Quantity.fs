namespace Ztwim.Kernel.Api

open System
open System.Globalization

/// A Kubernetes resource quantity: the text as written ("1Gi", "500m") and its exact value.
type Quantity =
    private
        { text: string
          value: decimal }

    member q.Text = q.text
    member q.Value = q.value

/// Parsing quantities as resource.ParseQuantity does.
[<RequireQualifiedAccess>]
module Quantity =

    /// The pattern the API server's schema gives quantities.
    let pattern = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"

    let private binary = [ "Ki", 10; "Mi", 20; "Gi", 30; "Ti", 40; "Pi", 50; "Ei", 60 ]

    let private decimalSuffixes =
        [ "n", -9
          "u", -6
          "m", -3
          "", 0
          "k", 3
          "M", 6
          "G", 9
          "T", 12
          "P", 15
          "E", 18 ]

    let private message =
        sprintf "must be a quantity such as 500m, 2 or 1Gi (pattern %s)" pattern

    let private scaled (number: decimal) (suffix: string) : decimal option =
        try
            match binary |> List.tryFind (fun (s, _) -> s = suffix) with
            | Some(_, bits) -> Some(number * decimal (pown 2.0 bits))
            | None ->
                let exponent =
                    match decimalSuffixes |> List.tryFind (fun (s, _) -> s = suffix) with
                    | Some(_, e) -> Some e
                    | None when suffix.Length > 1 && (suffix.[0] = 'e' || suffix.[0] = 'E') ->
                        match
                            Int32.TryParse(
                                suffix.Substring 1,
                                NumberStyles.AllowLeadingSign,
                                CultureInfo.InvariantCulture
                            )
                        with
                        | true, e when abs e <= 28 -> Some e
                        | _ -> None
                    | None -> None

                exponent
                |> Option.map (fun e -> if e >= 0 then number * pown 10m e else number / pown 10m -e)
        with :? OverflowException ->
            None

    /// Parses "1Gi", "500m", "1e3", "+2"; refuses what the API server refuses.
    let parse (text: string) : Result<Quantity, string> =
        let m =
            Text.RegularExpressions.Regex.Match(text, pattern, Text.RegularExpressions.RegexOptions.CultureInvariant)

        if not m.Success then
            Error message
        else
            let numberText = m.Groups.[1].Value
            let suffix = m.Groups.[2].Value
            let digits = numberText.TrimStart('+', '-')

            let wellFormed =
                digits |> Seq.exists Char.IsAsciiDigit
                && digits |> Seq.filter ((=) '.') |> Seq.length <= 1

            match wellFormed, Decimal.TryParse(numberText, NumberStyles.Float, CultureInfo.InvariantCulture) with
            | true, (true, number) ->
                match scaled number suffix with
                | Some v -> Ok { text = text; value = v }
                | None -> Error message
            | _ -> Error message
