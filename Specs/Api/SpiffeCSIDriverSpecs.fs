module Ztwim.Specs.Api.SpiffeCSIDriverSpecs

open Expecto
open Ztwim.Kernel.Api
open Ztwim.Specs.Api.Examples

let private dnsName = "must match the pattern ^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"

/// Rows for a CSI driver name (SpiffeCSIDriver pluginName, SpireOIDCDiscoveryProvider csiDriverName).
let driverNameRows (path: string) =
    [ defaults path (str "csi.spiffe.io")
      accepts path (str "csi.example-1.org")
      accepts path (str (repeat 127 "d"))
      rejects path (str "CSI.spiffe.io") dnsName
      rejects path (str "csi_spiffe") dnsName
      rejects path (str "") dnsName
      rejects path (str (repeat 128 "d")) "must be at most 127 characters" ]

let private driver =
    table
        "SpiffeCSIDriver"
        Kind.SpiffeCSIDriver
        (minimal Kind.SpiffeCSIDriver)
        (SpireAgentSpecs.socketPathRows "spec.agentSocketPath"
         @ driverNameRows "spec.pluginName"
         @ [ rejects "spec.agentSocketPath" (Ztwim.Kernel.Json.Bool false) "must be a string, not boolean" ])

let tables = [ driver ]

[<Tests>]
let tests = tableTests driver
