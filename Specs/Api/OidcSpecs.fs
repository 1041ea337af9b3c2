module Ztwim.Specs.Api.OidcSpecs

open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Specs.Api.Examples

let private secret = "spec.externalSecretRef"

let private provider =
    table
        "SpireOIDCDiscoveryProvider"
        Kind.SpireOIDCDiscoveryProvider
        (minimal Kind.SpireOIDCDiscoveryProvider)
        (logRows
         @ SpiffeCSIDriverSpecs.driverNameRows "spec.csiDriverName"
         @ [ defaults "spec.replicaCount" (num 1)
             accepts "spec.replicaCount" (num 1)
             accepts "spec.replicaCount" (num 5)
             rejects "spec.replicaCount" (num 0) "must be between 1 and 5"
             rejects "spec.replicaCount" (num 6) "must be between 1 and 5"
             rejects "spec.replicaCount" (str "2") "must be an integer, not string"
             rejects "spec.replicaCount" (Json.Number 1e20m) "must be a 64-bit integer"
             unsetByDefault secret
             accepts secret (str "oidc-cert.v1")
             accepts secret (str (repeat 253 "s"))
             // The manual writes `externalSecretRef: ""`; ztwim reads it as unset.
             reads secret (str "") None
             rejects secret (str "Oidc_Cert") "must match the pattern ^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"
             rejects secret (str (repeat 254 "s")) "must be at most 253 characters" ]
         @ stringBoolRows "spec.managedRoute" true)

let tables = [ provider ]

[<Tests>]
let tests = tableTests provider
