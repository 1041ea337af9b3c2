module Ztwim.Specs.Api.JwtIssuerSpecs

open Expecto
open Ztwim.Kernel.Api
open Ztwim.Specs.Api.Examples

let private issuer = "spec.jwtIssuer"
let private pattern = "must match the pattern ^(?i)https?://[^\\s?#]+$"

/// jwtIssuer is the same rule on SpireServer and SpireOIDCDiscoveryProvider: the schema's length and pattern
/// at admission, then upstream's URL checks in the controller.
let private rows =
    [ requires issuer
      accepts issuer (str "https://oidc-discovery.apps.example.org")
      accepts issuer (str "http://oidc.example.org:8443/tenant-a/")
      accepts issuer (str "HTTPS://OIDC.Example.org")
      accepts issuer (str ("https://" + repeat 504 "h"))
      rejects issuer (str ("https://" + repeat 505 "h")) "must be at most 512 characters"
      rejects issuer (str "") pattern
      rejects issuer (str "oidc.example.org") pattern
      rejects issuer (str "ftp://oidc.example.org") pattern
      rejects issuer (str "https://") pattern
      rejects issuer (str "https://oidc.example.org/?tenant=a") pattern
      rejects issuer (str "https://oidc.example.org/#a") pattern
      rejects issuer (str "https://oidc example.org") pattern
      rejects issuer (num 443) "must be a string, not integer"
      refusedByController issuer (str "https:///tenant-a") "host is required" ]

let tables =
    [ for kind in [ Kind.SpireServer; Kind.SpireOIDCDiscoveryProvider ] ->
          table (Kind.name kind) kind (minimal kind) rows ]

[<Tests>]
let tests = testList "jwtIssuer" (tables |> List.map tableTests)

[<Tests>]
let problems =
    testList
        "JwtIssuer.problem (upstream's wording)"
        [ for url, expected in
              [ "https://oidc.example.org/tenant-a/", None
                "", Some "issuer URL cannot be empty"
                "oidc.example.org", Some "scheme is required"
                "ftp://oidc.example.org", Some "scheme must be http or https, got: ftp"
                "https:///tenant-a", Some "host is required"
                "https://oidc.example.org/#frag", Some "fragments are not allowed"
                "https://oidc.example.org/?q=1", Some "query parameters are not allowed" ] ->
              test (sprintf "%A" url) { Expect.equal (JwtIssuer.problem url) expected "problem" } ]
