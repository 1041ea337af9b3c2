module Ztwim.Specs.Api.ZtwimSpecs

open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Specs.Api.Examples

let private dnsName = "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"

let private ztwim =
    table
        "ZeroTrustWorkloadIdentityManager"
        Kind.ZeroTrustWorkloadIdentityManager
        (minimal Kind.ZeroTrustWorkloadIdentityManager)
        [ requires "spec.trustDomain"
          accepts "spec.trustDomain" (str "apps.example-1.org")
          accepts "spec.trustDomain" (str "a")
          accepts "spec.trustDomain" (str (repeat 255 "a"))
          rejects "spec.trustDomain" (str "") "must not be empty"
          rejects "spec.trustDomain" (str (repeat 256 "a")) "must be at most 255 characters"
          rejects "spec.trustDomain" (str "Example.org") "must match the pattern ^[a-z0-9]([a-z0-9\\-\\.]*[a-z0-9])?$"
          rejects "spec.trustDomain" (str "example.org.") "must match the pattern ^[a-z0-9]([a-z0-9\\-\\.]*[a-z0-9])?$"
          rejects "spec.trustDomain" (num 7) "must be a string, not integer"
          requires "spec.clusterName"
          accepts "spec.clusterName" (str "prod-1.eu")
          accepts "spec.clusterName" (str (repeat 63 "c"))
          rejects "spec.clusterName" (str "") "must not be empty"
          rejects "spec.clusterName" (str (repeat 64 "c")) "must be at most 63 characters"
          rejects
              "spec.clusterName"
              (str "prod_1")
              "must match the pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
          rejects
              "spec.clusterName"
              (str "prod..eu")
              "must match the pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
          defaults "spec.bundleConfigMap" (str "spire-bundle")
          accepts "spec.bundleConfigMap" (str "my.bundle-1")
          accepts "spec.bundleConfigMap" (str (repeat 253 "b"))
          // An empty optional string means unset (the CRD's immutability rule reads "" as spire-bundle too).
          reads "spec.bundleConfigMap" (str "") (Some(str "spire-bundle"))
          rejects "spec.bundleConfigMap" (str (repeat 254 "b")) "must be at most 253 characters"
          rejects "spec.bundleConfigMap" (str "My_Bundle") ("must match the pattern " + dnsName)
          rejects "spec.bundleConfigMap" (str "bundle-") ("must match the pattern " + dnsName)
          rejects "spec.bundleConfigMap" (Json.Bool true) "must be a string, not boolean"
          example
              "a missing spec names every required field"
              (remove "spec")
              (Refused
                  [ FieldError.admission "spec.trustDomain" "is required" None
                    FieldError.admission "spec.clusterName" "is required" None ])
          rejects "spec" (str "x") "must be an object, not string" ]

let tables = [ ztwim ]

[<Tests>]
let tests = tableTests ztwim
