namespace Ztwim.Kernel.Operands.Oidc

open System

/// Where the Route sends the issuer's traffic: a host and, when the issuer has one, a path.
type RouteTarget = { Host: string; Path: string option }

/// The JWT issuer URL as the OIDC provider and its Route need it.
[<RequireQualifiedAccess>]
module Issuer =

    // The issuer passed JwtIssuer.read, so it has an http(s) scheme, a host, no query and no fragment.
    let private split (issuer: string) =
        let schemeEnd = issuer.IndexOf "://"

        let rest =
            if schemeEnd < 0 then
                issuer
            else
                issuer.Substring(schemeEnd + 3)

        let slash = rest.IndexOf '/'

        let authority, path =
            if slash < 0 then
                rest, ""
            else
                rest.Substring(0, slash), rest.Substring slash

        // Go's url.URL.Host leaves out user information.
        let host = authority.Substring(authority.LastIndexOf '@' + 1)
        host.ToLowerInvariant(), path.TrimEnd '/'

    /// The issuer as a domain of the provider (UPSTREAM.md §3.4): host and path without the scheme, the host
    /// lowercased (port kept), every trailing `/` removed; "" stays "".
    let domain (issuer: string) =
        if issuer = "" then
            ""
        else
            let host, path = split issuer
            host + path

    /// The Route's host and path. Upstream puts the whole domain, path included, into spec.host, which the
    /// Route API rejects; ztwim keeps the host there and moves the path to spec.path (ARCHITECTURE.md).
    let routeTarget (issuer: string) =
        if issuer = "" then
            { Host = ""; Path = None }
        else
            let host, path = split issuer

            { Host = host
              Path = if String.IsNullOrEmpty path then None else Some path }
