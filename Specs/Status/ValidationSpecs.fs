/// `ConfigurationValid` and `TTLConfigurationValid`: every reason, upstream's exact messages, TTL warning events.
module Ztwim.Specs.Status.ValidationSpecs

open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Render
open Ztwim.Kernel.Status
open Ztwim.Specs.Status.StatusExamples

let private proxied =
    { Mode.defaults with
        Proxy =
            { HttpProxy = Some "http://proxy:3128"
              HttpsProxy = None
              NoProxy = None } }

let private err path message =
    FieldError.controller path message (Some(Json.String "x"))

let private valid kind mode errors () =
    Validation.configurationValid kind mode errors

let private server = valid Kind.SpireServer Mode.defaults

let private configurationRows =
    [ row "nothing fails" (server []) "ConfigurationValid" T "ConfigurationValid" "All configuration fields are valid"
      row
          "affinity"
          (server [ err "spec.affinity.nodeAffinity" "bad" ])
          "ConfigurationValid"
          F
          "InvalidAffinity"
          "Affinity validation failed: spec.affinity.nodeAffinity: bad (got: \"x\")"
      row
          "tolerations, two errors on one field joined by ;"
          (server
              [ err "spec.tolerations[0].operator" "b"
                err "spec.tolerations[0].operator" "a" ])
          "ConfigurationValid"
          F
          "InvalidTolerations"
          "Tolerations validation failed: spec.tolerations[0].operator: a (got: \"x\"); spec.tolerations[0].operator: b (got: \"x\")"
      row
          "nodeSelector"
          (server [ err "spec.nodeSelector" "key bad" ])
          "ConfigurationValid"
          F
          "InvalidNodeSelector"
          "NodeSelector validation failed: spec.nodeSelector: key bad (got: \"x\")"
      row
          "resources"
          (server [ err "spec.resources.limits" "bad" ])
          "ConfigurationValid"
          F
          "InvalidResources"
          "Resources validation failed: spec.resources.limits: bad (got: \"x\")"
      row
          "labels"
          (server [ err "spec.labels" "key bad" ])
          "ConfigurationValid"
          F
          "InvalidLabels"
          "Labels validation failed: spec.labels: key bad (got: \"x\")"
      row
          "several fail: the first in the fixed order, all failing fields listed sorted"
          (server
              [ err "spec.labels" "l"
                err "spec.jwtIssuer" "scheme is required"
                err "spec.affinity" "a" ])
          "ConfigurationValid"
          F
          "InvalidAffinity"
          "Affinity validation failed: spec.affinity: a (got: \"x\") (failing fields: spec.affinity, spec.jwtIssuer, spec.labels)"
      row
          "proxy without a trusted CA bundle"
          (valid Kind.SpireAgent proxied [])
          "ConfigurationValid"
          F
          "ProxyConfigurationInvalid"
          Validation.proxyMessage
      row
          "proxy with a trusted CA bundle"
          (valid
              Kind.SpireAgent
              { proxied with
                  TrustedCaBundleConfigMap = Some "ca" }
              [])
          "ConfigurationValid"
          T
          "ConfigurationValid"
          "All configuration fields are valid"
      row
          "the CSI driver does not check the proxy"
          (valid Kind.SpiffeCSIDriver proxied [])
          "ConfigurationValid"
          T
          "ConfigurationValid"
          "All configuration fields are valid"
      row
          "jwtIssuer"
          (server [ err "spec.jwtIssuer" "fragments are not allowed" ])
          "ConfigurationValid"
          F
          "InvalidJWTIssuerURL"
          "JWT issuer URL validation failed: fragments are not allowed"
      row
          "federation peer"
          (server [ err "spec.federation.federatesWith[1].trustDomain" "duplicate trust domain a.org" ])
          "ConfigurationValid"
          F
          "InvalidFederationConfiguration"
          "Federation configuration validation failed: federatesWith[1]: duplicate trust domain a.org"
      row
          "federation bundle endpoint"
          (server
              [ err
                    "spec.federation.bundleEndpoint.refreshHint"
                    "refreshHint must be between 60 and 3600 seconds, got 5" ])
          "ConfigurationValid"
          F
          "InvalidFederationConfiguration"
          "Federation configuration validation failed: invalid bundle endpoint configuration: refreshHint must be between 60 and 3600 seconds, got 5"
      row
          "own trust domain, as Federation.ownTrustDomain reports it"
          (fun () ->
              let f: Federation =
                  { BundleEndpoint = Unchecked.defaultof<_>
                    FederatesWith =
                      [ { TrustDomain = "a.org"
                          BundleEndpointUrl = "https://a.org"
                          BundleEndpointProfile = HttpsWeb
                          EndpointSpiffeId = None } ]
                    ManagedRoute = true }

              Validation.configurationValid Kind.SpireServer Mode.defaults (Federation.ownTrustDomain "a.org" f))
          "ConfigurationValid"
          F
          "InvalidFederationConfiguration"
          "Federation configuration validation failed: federatesWith[0]: cannot federate with own trust domain a.org"
      row
          "another field of a stored object"
          (server [ FieldError.admission "spec.logLevel" "must be one of: debug, info" (Some(Json.String "x")) ])
          "ConfigurationValid"
          F
          "InvalidConfiguration"
          "Configuration validation failed: spec.logLevel: must be one of: debug, info (got: \"x\")"
      row
          "TTL errors are not configuration errors"
          (server [ err "spec.caValidity" "caValidity must be a positive duration" ])
          "ConfigurationValid"
          T
          "ConfigurationValid"
          "All configuration fields are valid"
      row
          "immutable field changed"
          (fun () ->
              Validation.immutableFieldChanged
                  "spec.trustDomain"
                  (Some(Json.String "a.org"))
                  (Some(Json.String "b.org")))
          "ConfigurationValid"
          F
          "ImmutableFieldChanged"
          "spec.trustDomain is immutable: applied \"a.org\", requested \"b.org\"; revert the change to resume reconciliation"
      row
          "immutable field removed"
          (fun () -> Validation.immutableFieldChanged "spec.federation" (Some(Json.obj [])) None)
          "ConfigurationValid"
          F
          "ImmutableFieldChanged"
          "spec.federation is immutable: applied {}, requested unset; revert the change to resume reconciliation" ]

/// A SpireServer with these TTLs, parsed: its field errors and, when it parses, its spec.
let private server' (ca: string) (x509: string) (jwt: string) =
    let cr =
        Json.obj
            [ "apiVersion", Json.String Kind.apiVersion
              "kind", Json.String "SpireServer"
              "metadata", Json.obj [ "name", Json.String "cluster" ]
              "spec",
              Ztwim.Specs.Api.Examples.json (
                  sprintf
                      """{"jwtIssuer": "https://oidc.example.org", "caSubject": {}, "persistence": {}, "datastore": {},
                          "caValidity": "%s", "defaultX509Validity": "%s", "defaultJWTValidity": "%s"}"""
                      ca
                      x509
                      jwt
              ) ]

    match Crs.parseSpireServer cr with
    | Ok r -> [], Some r.Spec
    | Error errors -> errors, None

let private ttl ca x509 jwt () =
    let errors, spec = server' ca x509 jwt

    match Validation.ttl errors spec with
    | Some(c, _) -> c
    | None -> failwith "no TTL condition"

let private ttlRows =
    let failed name ca x509 jwt message =
        row name (ttl ca x509 jwt) "TTLConfigurationValid" F "TTLValidationFailed" message

    [ row "valid" (ttl "24h" "1h" "5m") "TTLConfigurationValid" T "TTLValidationSucceeded" "TTL configuration is valid"
      row
          "equal TTLs are allowed"
          (ttl "24h" "4h" "4h")
          "TTLConfigurationValid"
          T
          "TTLValidationSucceeded"
          "TTL configuration is valid"
      row
          "warnings"
          (ttl "24h" "5h" "6h")
          "TTLConfigurationValid"
          T
          "TTLValidationWarning"
          "TTL configuration warnings: 2 issues found"
      failed "ca not positive" "0s" "1h" "5m" "ca_ttl must be a positive duration"
      failed "x509 not positive" "24h" "0s" "5m" "default_x509_svid_ttl must be a positive duration"
      failed "jwt not positive" "24h" "1h" "0s" "default_jwt_svid_ttl must be a positive duration"
      failed "ca below jwt (checked before x509)" "1h" "2h" "3h" "ca_validity must be greater than default_jwt_svid_ttl"
      failed "ca below x509" "1h" "2h" "5m" "ca_validity must be greater than default_ca_ttl"
      // Equality is allowed (upstream errs only when the CA is shorter); above ca/6 both SVID TTLs still warn.
      row
          "ca equal to both SVID TTLs is valid, with two warnings"
          (ttl "24h" "24h" "24h")
          "TTLConfigurationValid"
          T
          "TTLValidationWarning"
          "TTL configuration warnings: 2 issues found"
      failed "ca a second below jwt" "86399s" "1h" "24h" "ca_validity must be greater than default_jwt_svid_ttl" ]

let private warningTexts =
    let events ca x509 jwt =
        let errors, spec = server' ca x509 jwt

        Validation.ttl errors spec |> Option.map snd |> Option.defaultValue []

    let row' name (ca, x509, jwt) expected =
        test name {
            Expect.equal
                (events ca x509 jwt)
                (expected
                 |> List.map (fun m ->
                     { Type = "Warning"
                       Reason = "TTLConfigurationWarning"
                       Message = m }))
                "events"
        }

    testList
        "TTL warning events"
        [ row'
              "ttl below 168h"
              ("24h", "5h", "5m")
              [ "default_x509_svid_ttl is too high for the configured ca_ttl value. SVIDs with shorter lifetimes may be issued. Please set default_x509_svid_ttl to 4h0m0s or less, or the ca_ttl to 30h0m0s or more, to guarantee the full default_x509_svid_ttl lifetime when CA rotations are scheduled." ]
          row'
              "ttl at least 168h with a CA below 1008h"
              ("1000h", "200h", "5m")
              [ "default_x509_svid_ttl is too high and the ca_ttl is too low. SVIDs with shorter lifetimes may be issued. Please set default_x509_svid_ttl to 168h0m0s or less, and the ca_ttl to 1008h0m0s or more, to guarantee the full default_x509_svid_ttl lifetime when CA rotations are scheduled." ]
          row'
              "ttl at least 168h with a long CA"
              ("2000h", "5m", "200h")
              [ "default_jwt_svid_ttl is too high. SVIDs with shorter lifetimes may be issued. Please set default_jwt_svid_ttl to 168h0m0s or less to guarantee the full default_jwt_svid_ttl lifetime when CA rotations are scheduled." ]
          row'
              "x509 before jwt"
              ("24h", "5h", "6h")
              [ "default_x509_svid_ttl is too high for the configured ca_ttl value. SVIDs with shorter lifetimes may be issued. Please set default_x509_svid_ttl to 4h0m0s or less, or the ca_ttl to 30h0m0s or more, to guarantee the full default_x509_svid_ttl lifetime when CA rotations are scheduled."
                "default_jwt_svid_ttl is too high for the configured ca_ttl value. SVIDs with shorter lifetimes may be issued. Please set default_jwt_svid_ttl to 4h0m0s or less, or the ca_ttl to 36h0m0s or more, to guarantee the full default_jwt_svid_ttl lifetime when CA rotations are scheduled." ]
          row' "no warning, no event" ("24h", "1h", "5m") []
          // The edges of upstream's rules: a warning above min(ca/6, 168h), not at it; "ca_ttl is too low" below
          // 1008h, not at it; the ca/6 wording below 168h, not at it.
          row' "SVID TTLs of exactly ca/6: no warning" ("24h", "4h", "4h") []
          row' "SVID TTLs of exactly 168h with a long CA: no warning" ("2000h", "168h", "168h") []
          row'
              "an SVID TTL a second above ca/6"
              ("24h", "14401s", "5m")
              [ "default_x509_svid_ttl is too high for the configured ca_ttl value. SVIDs with shorter lifetimes may be issued. Please set default_x509_svid_ttl to 4h0m0s or less, or the ca_ttl to 24h0m6s or more, to guarantee the full default_x509_svid_ttl lifetime when CA rotations are scheduled." ]
          row'
              "an SVID TTL of exactly 168h above ca/6 takes the 168h wording"
              ("600h", "168h", "5m")
              [ "default_x509_svid_ttl is too high and the ca_ttl is too low. SVIDs with shorter lifetimes may be issued. Please set default_x509_svid_ttl to 168h0m0s or less, and the ca_ttl to 1008h0m0s or more, to guarantee the full default_x509_svid_ttl lifetime when CA rotations are scheduled." ]
          row'
              "a ca_ttl of exactly 1008h is not too low"
              ("1008h", "200h", "5m")
              [ "default_x509_svid_ttl is too high. SVIDs with shorter lifetimes may be issued. Please set default_x509_svid_ttl to 168h0m0s or less to guarantee the full default_x509_svid_ttl lifetime when CA rotations are scheduled." ]
          row'
              "a ca_ttl an hour below 1008h is too low"
              ("1007h", "200h", "5m")
              [ "default_x509_svid_ttl is too high and the ca_ttl is too low. SVIDs with shorter lifetimes may be issued. Please set default_x509_svid_ttl to 168h0m0s or less, and the ca_ttl to 1008h0m0s or more, to guarantee the full default_x509_svid_ttl lifetime when CA rotations are scheduled." ] ]

[<Tests>]
let tests =
    testList
        "Status/validation"
        [ table "ConfigurationValid" configurationRows
          table "TTLConfigurationValid" ttlRows
          warningTexts ]
