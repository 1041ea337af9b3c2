module Ztwim.Specs.Plan.AppliedValuesSpecs

open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Render
open Ztwim.Kernel.Operands
open Ztwim.Kernel.Plan
open Ztwim.Specs.Api.Examples

let private withFederation (profile: string) (cr: Json) =
    let httpsWeb =
        if profile = "https_web" then
            [ "httpsWeb", json """{"servingCert": {}}""" ]
        else
            []

    set "spec.federation" (Json.obj [ "bundleEndpoint", Json.obj ([ "profile", str profile ] @ httpsWeb) ]) cr

/// Renders the minimal CRs of every kind, after editing the ZTWIM and the SpireServer.
let private render (editZtwim: Json -> Json) (editServer: Json -> Json) =
    let crs =
        [ editZtwim (minimal Kind.ZeroTrustWorkloadIdentityManager)
          editServer (minimal Kind.SpireServer)
          minimal Kind.SpireAgent
          minimal Kind.SpiffeCSIDriver
          minimal Kind.SpireOIDCDiscoveryProvider ]
        |> List.map (fun cr ->
            match Crs.parse cr with
            | Ok r -> r
            | Error es -> failtestf "%A" es)

    Operands.desired (Operands.ofResources crs) Mode.defaults

let private observedOf (desired: DesiredObject list) =
    DesiredObject.manifests desired |> Map.ofList

let private changesAfter editZtwim editServer =
    let running = observedOf (render id (withFederation "https_spiffe"))
    AppliedValues.changes (render editZtwim editServer) running

[<Tests>]
let tests =
    testList
        "Plan applied values"
        [ test "nothing changed, nothing to report" {
              Expect.equal (changesAfter id (withFederation "https_spiffe")) [] "changes"
          }
          test "a new trust domain is reported once, with the applied and requested values" {
              Expect.equal
                  (changesAfter (set "spec.trustDomain" (str "other.org")) (withFederation "https_spiffe"))
                  [ { Field = "ZeroTrustWorkloadIdentityManager spec.trustDomain"
                      Applied = "example.org"
                      Requested = "other.org" } ]
                  "changes"
          }
          test "cluster name and bundle ConfigMap are read back too" {
              Expect.equal
                  (changesAfter
                      (set "spec.clusterName" (str "other")
                       >> set "spec.bundleConfigMap" (str "bundle"))
                      (withFederation "https_spiffe")
                   |> List.map _.Field)
                  [ "ZeroTrustWorkloadIdentityManager spec.bundleConfigMap"
                    "ZeroTrustWorkloadIdentityManager spec.clusterName" ]
                  "fields"
          }
          test "persistence is read back from the StatefulSet" {
              Expect.equal
                  (changesAfter id (withFederation "https_spiffe" >> set "spec.persistence.size" (str "9Gi"))
                   |> List.map (fun c -> c.Field, c.Requested))
                  [ "SpireServer spec.persistence", """{"accessMode":"ReadWriteOnce","size":"9Gi","storageClass":""}""" ]
                  "change"
          }
          test "a changed federation profile, and a removed federation, are changes" {
              Expect.equal
                  (changesAfter id (withFederation "https_web")
                   |> List.map (fun c -> c.Applied, c.Requested))
                  [ "https_spiffe", "https_web/servingCert" ]
                  "profile"

              Expect.equal
                  (changesAfter id id |> List.map (fun c -> c.Field, c.Requested))
                  [ "SpireServer spec.federation.bundleEndpoint", "" ]
                  "removed"
          }
          test "objects not yet created have nothing applied" {
              Expect.equal
                  (AppliedValues.changes (render (set "spec.trustDomain" (str "other.org")) id) Map.empty)
                  []
                  "changes"
          } ]
