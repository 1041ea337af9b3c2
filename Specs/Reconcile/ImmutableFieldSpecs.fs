/// `reconcile` after convergence when an immutable field changes: for every field and every operand controller
/// that embodies it, no operand write and ConfigurationValid False/ImmutableFieldChanged with the exact message;
/// a controller that does not embody the field carries on; reverting resumes.
module Ztwim.Specs.Reconcile.ImmutableFieldSpecs

open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Reconcile
open Ztwim.Specs.Api.Examples
open Ztwim.Specs.Reconcile.ReconcileExamples

let private ztwim = Kind.ZeroTrustWorkloadIdentityManager

let private editing (kind: Kind) (edit: Json -> Json) (crs: Map<Kind, Json>) =
    Map.add kind (edit (Map.find kind crs)) crs

let private federated (profile: string) =
    match profile with
    | "https_spiffe" -> json """{"bundleEndpoint": {"profile": "https_spiffe"}}"""
    | _ -> json """{"bundleEndpoint": {"profile": "https_web", "httpsWeb": {"servingCert": {}}}}"""

let private withFederation =
    editing Kind.SpireServer (set "spec.federation" (federated "https_spiffe")) allCrs

let private message (field: string) (applied: string) (requested: string) =
    sprintf
        "%s is immutable: applied %s, requested %s; revert the change to resume reconciliation"
        field
        applied
        requested

/// The operand `kind` converged on `before`, then reconciled on `after`: no write, ConfigurationValid as given.
let private refused name (kind: Kind) (before: Map<Kind, Json>) (after: Map<Kind, Json>) (expected: string) =
    test name {
        let cluster = converged kind before
        let d = Reconcile.reconcile (inputs kind after cluster)
        Expect.equal (describe d.Actions) [] "no operand write"
        expectCondition d "ConfigurationValid" F "ImmutableFieldChanged" expected
        expectCondition d "Ready" F "Failed" ("ConfigurationValid: " + expected)

        let resumed = Reconcile.reconcile (inputs kind before cluster)
        Expect.equal (describe resumed.Actions) [] "no operand write after reverting"
        expectCondition resumed "ConfigurationValid" T "ConfigurationValid" "All configuration fields are valid"
    }

let private trustDomain =
    editing ztwim (set "spec.trustDomain" (str "other.org")) allCrs

let private clusterName = editing ztwim (set "spec.clusterName" (str "east")) allCrs

let private bundle =
    editing ztwim (set "spec.bundleConfigMap" (str "trust-bundle")) allCrs

let private trustDomainMessage =
    message "ZeroTrustWorkloadIdentityManager spec.trustDomain" "\"example.org\"" "\"other.org\""

let private clusterNameMessage =
    message "ZeroTrustWorkloadIdentityManager spec.clusterName" "\"demo\"" "\"east\""

let private bundleMessage =
    message "ZeroTrustWorkloadIdentityManager spec.bundleConfigMap" "\"spire-bundle\"" "\"trust-bundle\""

[<Tests>]
let specs =
    testList
        "Reconcile/immutable fields"
        [ refused "trust domain: SpireAgent" Kind.SpireAgent allCrs trustDomain trustDomainMessage
          refused
              "trust domain: SpireOIDCDiscoveryProvider"
              Kind.SpireOIDCDiscoveryProvider
              allCrs
              trustDomain
              trustDomainMessage
          refused "cluster name: SpireServer" Kind.SpireServer allCrs clusterName clusterNameMessage
          refused "cluster name: SpireAgent" Kind.SpireAgent allCrs clusterName clusterNameMessage
          refused "bundle ConfigMap: SpireServer" Kind.SpireServer allCrs bundle bundleMessage
          // The agent mounts the bundle ConfigMap: without its applied-bundleConfigMap it would repoint the mount.
          refused "bundle ConfigMap: SpireAgent" Kind.SpireAgent allCrs bundle bundleMessage
          refused
              "persistence: SpireServer"
              Kind.SpireServer
              allCrs
              (editing Kind.SpireServer (set "spec.persistence.size" (str "5Gi")) allCrs)
              (message
                  "SpireServer spec.persistence"
                  "\"{\\\"accessMode\\\":\\\"ReadWriteOnce\\\",\\\"size\\\":\\\"1Gi\\\",\\\"storageClass\\\":\\\"\\\"}\""
                  "\"{\\\"accessMode\\\":\\\"ReadWriteOnce\\\",\\\"size\\\":\\\"5Gi\\\",\\\"storageClass\\\":\\\"\\\"}\"")
          refused
              "federation profile: SpireServer"
              Kind.SpireServer
              withFederation
              (editing Kind.SpireServer (set "spec.federation" (federated "https_web")) allCrs)
              (message "SpireServer spec.federation.bundleEndpoint" "\"https_spiffe\"" "\"https_web/servingCert\"")
          refused
              "federation removed: SpireServer"
              Kind.SpireServer
              withFederation
              allCrs
              (message "SpireServer spec.federation.bundleEndpoint" "\"https_spiffe\"" "unset")

          for kind, configMap in
              [ Kind.SpireServer, "spire-server"
                Kind.SpireAgent, "spire-agent"
                Kind.SpireOIDCDiscoveryProvider, "spire-spiffe-oidc-discovery-provider" ] do
              test (
                  sprintf "trust domain: %s refuses with its ConfigMap lost, the workload still tells" (Kind.name kind)
              ) {
                  let cluster =
                      converged kind allCrs
                      |> Map.filter (fun r _ -> not (r.Kind = "ConfigMap" && r.Name = configMap))

                  let d = Reconcile.reconcile (inputs kind trustDomain cluster)
                  Expect.equal (describe d.Actions) [] "no operand write, the ConfigMap is not recreated"
                  expectCondition d "ConfigurationValid" F "ImmutableFieldChanged" trustDomainMessage
              }

          for field, kind, crs in
              [ "trust domain", Kind.SpiffeCSIDriver, trustDomain
                "cluster name", Kind.SpireOIDCDiscoveryProvider, clusterName
                "bundle ConfigMap", Kind.SpiffeCSIDriver, bundle ] do
              test (sprintf "%s: %s does not embody it and carries on" field (Kind.name kind)) {
                  let d = Reconcile.reconcile (inputs kind crs (converged kind allCrs))
                  Expect.equal (describe d.Actions) [] "no operand write"

                  expectCondition d "ConfigurationValid" T "ConfigurationValid" "All configuration fields are valid"
              } ]
