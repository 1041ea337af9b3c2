module Ztwim.Specs.Api.ParseSpecs

open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Specs.Api.Examples

let private kindList =
    "must be one of ZeroTrustWorkloadIdentityManager, SpireServer, SpireAgent, SpiffeCSIDriver, SpireOIDCDiscoveryProvider in operator.openshift.io/v1alpha1"

let private envelopeTable =
    let kind = Kind.SpireAgent

    table
        "apiVersion and kind"
        kind
        (minimal kind)
        [ rejects "apiVersion" (str "operator.openshift.io/v1") "must be operator.openshift.io/v1alpha1"
          requires "apiVersion"
          rejects "kind" (str "SpireServer") "must be SpireAgent"
          requires "kind" ]

let tables = [ envelopeTable ]

let private envelope = tableTests envelopeTable

let private dispatch =
    testList
        "Crs.parse"
        [ test "dispatches on kind" {
              Expect.equal
                  (Kind.all |> List.map (minimal >> Crs.parse >> Result.map Crs.kind))
                  (Kind.all |> List.map Ok)
                  "kinds"
          }
          test "refuses other kinds" {
              let doc = json """{"apiVersion": "v1", "kind": "ConfigMap"}"""

              Expect.equal
                  (Crs.parse doc |> Result.map Crs.kind)
                  (Error [ FieldError.admission "kind" kindList (Some doc) ])
                  "errors"
          }
          test "refuses what is not an object" {
              Expect.equal
                  (errors Kind.SpireAgent (json "[1]"))
                  [ FieldError.admission "<root>" "must be an object, not array" (Some(json "[1]")) ]
                  "errors"
          } ]

// Every broken field is reported, in the order of the spec, with where each rule is enforced.
let private allErrors =
    testList
        "parse reports every error"
        [ test "two broken fields, two errors" {
              let doc =
                  minimal Kind.ZeroTrustWorkloadIdentityManager
                  |> set "spec.trustDomain" (str "Example.org")
                  |> remove "spec.clusterName"

              Expect.equal
                  (errors Kind.ZeroTrustWorkloadIdentityManager doc)
                  [ FieldError.admission
                        "spec.trustDomain"
                        "must match the pattern ^[a-z0-9]([a-z0-9\\-\\.]*[a-z0-9])?$"
                        (Some(str "Example.org"))
                    FieldError.admission "spec.clusterName" "is required" None ]
                  "errors"
          }
          test "errors from every part of a SpireServer, admission and controller alike" {
              let doc =
                  minimal Kind.SpireServer
                  |> set "metadata.name" (str "spire")
                  |> set "spec.logLevel" (str "trace")
                  |> set "spec.jwtIssuer" (str "https:///no-host")
                  |> set "spec.persistence.size" (str "1Ti")
                  |> set "spec.datastore.maxOpenConns" (num 0)
                  |> set "spec.labels" (json """{"team": "-x"}""")

              let found = errors Kind.SpireServer doc

              Expect.equal
                  found
                  [ FieldError.admission
                        "metadata.name"
                        "SpireServer is a singleton, .metadata.name must be 'cluster'"
                        (Some(str "spire"))
                    FieldError.admission "spec.logLevel" "must be one of: debug, info, warn, error" (Some(str "trace"))
                    FieldError.controller "spec.jwtIssuer" "host is required" (Some(str "https:///no-host"))
                    FieldError.admission
                        "spec.persistence.size"
                        "must match the pattern ^[1-9][0-9]*Gi$"
                        (Some(str "1Ti"))
                    FieldError.admission "spec.datastore.maxOpenConns" "must be between 1 and 10000" (Some(num 0))
                    FieldError.controller
                        "spec.labels.team"
                        "must be a label value: empty, or alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric"
                        (Some(str "-x")) ]
                  "errors"

              Expect.equal
                  (FieldError.atAdmission found |> List.map (fun e -> e.Path))
                  [ "metadata.name"
                    "spec.logLevel"
                    "spec.persistence.size"
                    "spec.datastore.maxOpenConns" ]
                  "the API server would refuse the write for these"
          }
          test "a missing spec names every required field" {
              Expect.equal
                  (errors Kind.SpireServer (remove "spec" (minimal Kind.SpireServer)))
                  [ for field in [ "jwtIssuer"; "caSubject"; "persistence"; "datastore" ] ->
                        FieldError.admission ("spec." + field) "is required" None ]
                  "errors"
          }
          test "describe prints path, message and value" {
              Expect.equal
                  (FieldError.describe (
                      FieldError.admission "spec.replicaCount" "must be between 1 and 5" (Some(num 6))
                  ))
                  "spec.replicaCount: must be between 1 and 5 (got: 6)"
                  "with a value"

              Expect.equal
                  (FieldError.describe (FieldError.admission "spec.jwtIssuer" "is required" None))
                  "spec.jwtIssuer: is required"
                  "without"
          } ]

[<Tests>]
let tests = testList "parse" [ envelope; dispatch; allErrors ]
