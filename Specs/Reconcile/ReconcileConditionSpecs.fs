/// Conditions only `reconcile` puts together: TTL warnings with their events, create-only mode turned on and off
/// by the annotation, the ZeroTrustWorkloadIdentityManager's own create-only mode, Ready from a missing workload.
module Ztwim.Specs.Reconcile.ReconcileConditionSpecs

open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Plan
open Ztwim.Kernel.Status
open Ztwim.Kernel.Reconcile
open Ztwim.Specs.Api.Examples
open Ztwim.Specs.Reconcile.ReconcileExamples

let private createOnly (cr: Json) =
    set "metadata.annotations" (Json.obj [ Decision.createOnlyAnnotation, str "true" ]) cr

[<Tests>]
let specs =
    testList
        "Reconcile/conditions"
        [ test "TTL warnings: TTLConfigurationValid True with the count, one Warning event each, objects still created" {
              let cr =
                  minimal Kind.SpireServer
                  |> set "spec.caValidity" (str "24h")
                  |> set "spec.defaultX509Validity" (str "5h")
                  |> set "spec.defaultJWTValidity" (str "5m")

              let d =
                  Reconcile.reconcile (inputs Kind.SpireServer (Map.add Kind.SpireServer cr allCrs) Map.empty)

              Expect.isNonEmpty d.Actions "objects created"

              expectCondition
                  d
                  "TTLConfigurationValid"
                  T
                  "TTLValidationWarning"
                  "TTL configuration warnings: 1 issues found"

              let warning: Event =
                  { Type = "Warning"
                    Reason = "TTLConfigurationWarning"
                    Message =
                      "default_x509_svid_ttl is too high for the configured ca_ttl value. SVIDs with shorter lifetimes may be issued. Please set default_x509_svid_ttl to 4h0m0s or less, or the ca_ttl to 30h0m0s or more, to guarantee the full default_x509_svid_ttl lifetime when CA rotations are scheduled." }

              Expect.equal d.Events [ warning ] "events"
          }

          test "the create-only annotation removed: CreateOnlyMode False, its transition time moves" {
              let cluster = converged Kind.SpireAgent allCrs

              let annotated =
                  Map.add Kind.SpireAgent (createOnly (minimal Kind.SpireAgent)) allCrs

              let on = Reconcile.reconcile (inputs Kind.SpireAgent annotated cluster)

              expectCondition
                  on
                  "CreateOnlyMode"
                  T
                  "CreateOnlyModeEnabled"
                  "Create-Only Mode is active: Updates are not reconciled to existing resources"

              let later =
                  { inputs Kind.SpireAgent (withStatus Kind.SpireAgent on allCrs) cluster with
                      Now = now.AddHours 1.0 }

              let off = Reconcile.reconcile later
              Expect.equal (describe off.Actions) [] "no operand write"
              expectCondition off "CreateOnlyMode" F "CreateOnlyModeDisabled" "Create-only mode is disabled"
              Expect.equal (condition "CreateOnlyMode" off).LastTransitionTime (now.AddHours 1.0) "moved"
              Expect.equal (condition "Ready" off).LastTransitionTime now "Ready stayed True: kept"
          }

          test "the ZeroTrustWorkloadIdentityManager's annotation: its CreateOnlyMode True, not Upgradeable" {
              let crs =
                  Map.ofList
                      [ Kind.ZeroTrustWorkloadIdentityManager,
                        createOnly (minimal Kind.ZeroTrustWorkloadIdentityManager) ]

              let d =
                  Reconcile.reconcile (inputs Kind.ZeroTrustWorkloadIdentityManager crs Map.empty)

              expectCondition
                  d
                  "CreateOnlyMode"
                  T
                  "CreateOnlyModeEnabled"
                  "Create-only mode is enabled: Updates are not reconciled to existing resources"

              expectCondition
                  d
                  "Upgradeable"
                  F
                  "OperandsNotReady"
                  "Not safe to upgrade - create-only mode is enabled on one or more operands"
          }

          test "a missing workload fails Ready with its condition's message" {
              let d =
                  Reconcile.reconcile (inputs Kind.SpireOIDCDiscoveryProvider allCrs Map.empty)

              expectCondition
                  d
                  "Ready"
                  F
                  "Failed"
                  "DeploymentAvailable: Failed to get Deployment zero-trust-workload-identity-manager/spire-spiffe-oidc-discovery-provider: deployments.apps \"spire-spiffe-oidc-discovery-provider\" not found"
          } ]
