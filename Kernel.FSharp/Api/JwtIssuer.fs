namespace Ztwim.Kernel.Api

open System

/// The JWT issuer URL shared by SpireServer and SpireOIDCDiscoveryProvider.
[<RequireQualifiedAccess>]
module JwtIssuer =

    let pattern = "^(?i)https?://[^\\s?#]+$"

    /// Upstream's URL rules beyond the schema pattern, with upstream's wording (the controller reports
    /// them as "JWT issuer URL validation failed: <reason>").
    let problem (url: string) : string option =
        let schemeEnd = url.IndexOf "://"

        if url = "" then
            Some "issuer URL cannot be empty"
        elif schemeEnd <= 0 then
            Some "scheme is required"
        else
            let scheme = url.Substring(0, schemeEnd)
            let rest = url.Substring(schemeEnd + 3)
            let host = rest.Split([| '/'; '?'; '#' |]).[0]

            if
                not (scheme.Equals("http", StringComparison.OrdinalIgnoreCase))
                && not (scheme.Equals("https", StringComparison.OrdinalIgnoreCase))
            then
                Some(sprintf "scheme must be http or https, got: %s" scheme)
            elif host = "" then
                Some "host is required"
            elif rest.Contains '#' then
                Some "fragments are not allowed"
            elif rest.Contains '?' then
                Some "query parameters are not allowed"
            else
                None

    /// Reads a required jwtIssuer: the schema's length and pattern at admission, then upstream's URL rules.
    let read (n: Node) : Validated<string> =
        Read.string n
        |> Read.maxLength n 512
        |> Read.pattern n pattern
        |> Read.required n
        |> Validated.check (fun url -> problem url |> Option.map (Read.controllerError n) |> Option.toList)
