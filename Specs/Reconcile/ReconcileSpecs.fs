/// `reconcile` for the operand controllers: one example per gate, with the exact condition and the
/// (absence of) operand writes, and a converged cluster that yields no write at all.
module Ztwim.Specs.Reconcile.ReconcileSpecs

open System
open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Render
open Ztwim.Kernel.Plan
open Ztwim.Kernel.Reconcile
open Ztwim.Specs.Api.Examples
open Ztwim.Specs.Reconcile.ReconcileExamples

let private server crs observed =
    Reconcile.reconcile (inputs Kind.SpireServer crs observed)

let private noWrites (d: Decision) =
    Expect.equal (describe d.Actions) [] "no operand write"

let private peerOrg (trustDomain: string) =
    json (
        sprintf
            """[{"trustDomain": "%s", "bundleEndpointUrl": "https://federation.%s", "bundleEndpointProfile": "https_spiffe", "endpointSpiffeId": "spiffe://%s/spire/server"}]"""
            trustDomain
            trustDomain
            trustDomain
    )

let private gates =
    testList
        "gates"
        [ test "(1) no CR: nothing to write, no status" {
              let d = server (Map.remove Kind.SpireServer allCrs) Map.empty
              Expect.equal d Decision.empty "decision"
          }

          test "(2) no ZeroTrustWorkloadIdentityManager: Ready names it, nothing is created" {
              let d = server (Map.remove Kind.ZeroTrustWorkloadIdentityManager allCrs) Map.empty

              noWrites d

              expectCondition d "Ready" F "Failed" "Failed to retrieve ZeroTrustWorkloadIdentityManager from cluster"

              Expect.equal d.RequeueAfter None "requeue"
          }

          test "(2) a ZeroTrustWorkloadIdentityManager that does not parse counts as missing" {
              let crs =
                  allCrs
                  |> Map.add
                      Kind.ZeroTrustWorkloadIdentityManager
                      (remove "spec.trustDomain" (minimal Kind.ZeroTrustWorkloadIdentityManager))

              let d = server crs Map.empty
              noWrites d

              expectCondition d "Ready" F "Failed" "Failed to retrieve ZeroTrustWorkloadIdentityManager from cluster"
          }

          test "(3) a CR that does not parse: ConfigurationValid False with the field" {
              let crs =
                  allCrs
                  |> Map.add Kind.SpireServer (set "spec.caKeyType" (str "dsa") (minimal Kind.SpireServer))

              let d = server crs Map.empty
              noWrites d
              let c = condition "ConfigurationValid" d

              Expect.equal
                  (c.Status, c.Reason, c.Message)
                  (F,
                   "InvalidConfiguration",
                   "Configuration validation failed: spec.caKeyType: must be one of: rsa-2048, rsa-4096, ec-p256, ec-p384 (got: \"dsa\")")
                  "condition"

              expectCondition d "Ready" F "Failed" ("ConfigurationValid: " + c.Message)
          }

          test "(3) a TTL error: TTLConfigurationValid False" {
              let crs =
                  allCrs
                  |> Map.add Kind.SpireServer (set "spec.caValidity" (str "0") (minimal Kind.SpireServer))

              let d = server crs Map.empty
              noWrites d
              expectCondition d "TTLConfigurationValid" F "TTLValidationFailed" "ca_ttl must be a positive duration"

              expectCondition d "Ready" F "Failed" "TTLConfigurationValid: ca_ttl must be a positive duration"
          }

          test "(3) federating with the own trust domain: ConfigurationValid False" {
              let cr =
                  minimal Kind.SpireServer
                  |> set "spec.federation" (json """{"bundleEndpoint": {}}""")
                  |> set "spec.federation.federatesWith" (peerOrg "example.org")

              let d = server (Map.add Kind.SpireServer cr allCrs) Map.empty
              noWrites d

              expectCondition
                  d
                  "ConfigurationValid"
                  F
                  "InvalidFederationConfiguration"
                  "Federation configuration validation failed: federatesWith[0]: cannot federate with own trust domain example.org"
          }

          test "(4) a proxy without a trusted CA bundle: ConfigurationValid False" {
              let i = inputs Kind.SpireServer allCrs Map.empty

              let d =
                  Reconcile.reconcile
                      { i with
                          Mode =
                              { i.Mode with
                                  Proxy =
                                      { i.Mode.Proxy with
                                          HttpProxy = Some "http://proxy:3128" } } }

              noWrites d
              expectCondition d "ConfigurationValid" F "ProxyConfigurationInvalid" Status.Validation.proxyMessage
          }

          test "(5) a changed trust domain after convergence: ImmutableFieldChanged, no write" {
              let cluster = converged Kind.SpireServer allCrs

              let crs =
                  allCrs
                  |> Map.add
                      Kind.ZeroTrustWorkloadIdentityManager
                      (set "spec.trustDomain" (str "other.org") (minimal Kind.ZeroTrustWorkloadIdentityManager))

              let d = server crs cluster
              noWrites d

              expectCondition
                  d
                  "ConfigurationValid"
                  F
                  "ImmutableFieldChanged"
                  "ZeroTrustWorkloadIdentityManager spec.trustDomain is immutable: applied \"example.org\", requested \"other.org\"; revert the change to resume reconciliation"

              Expect.equal d.RequeueAfter None "requeue"
          }

          test "(5) reverting the trust domain resumes reconciliation" {
              let cluster = converged Kind.SpireServer allCrs
              let d = server allCrs cluster
              noWrites d
              expectCondition d "ConfigurationValid" T "ConfigurationValid" "All configuration fields are valid"
              expectCondition d "Ready" T "Ready" "All components are ready"
          }

          test "(6) the create-only annotation: existing objects stay, missing ones are created" {
              let cluster = converged Kind.SpireServer allCrs
              let first = cluster |> Map.toList |> List.head |> fst

              let cr =
                  minimal Kind.SpireServer
                  |> set "metadata.annotations" (Json.obj [ Decision.createOnlyAnnotation, str "true" ])
                  |> set "spec.caKeyType" (str "ec-p384")

              let d = server (Map.add Kind.SpireServer cr allCrs) (Map.remove first cluster)

              Expect.equal
                  (d.Actions
                   |> List.map (function
                       | Create(r, _) -> Some r
                       | _ -> None))
                  [ Some first ]
                  "only the missing object is created"

              expectCondition
                  d
                  "CreateOnlyMode"
                  T
                  "CreateOnlyModeEnabled"
                  "Create-Only Mode is active: Updates are not reconciled to existing resources"
          }

          test "(7) an empty cluster: every desired object is created, in order" {
              let d = server allCrs Map.empty
              Expect.isNonEmpty d.Actions "actions"

              Expect.all
                  d.Actions
                  (function
                  | Create _ -> true
                  | _ -> false)
                  "only creates"

              expectCondition d "ConfigurationValid" T "ConfigurationValid" "All configuration fields are valid"
              expectCondition d "TTLConfigurationValid" T "TTLValidationSucceeded" "TTL configuration is valid"
          }

          test "(8) the workload not there yet: StatefulSetAvailable False, requeue in 10 s" {
              let d = server allCrs Map.empty

              expectCondition
                  d
                  "StatefulSetAvailable"
                  F
                  "StatefulSetNotFound"
                  "Failed to get StatefulSet zero-trust-workload-identity-manager/spire-server: statefulsets.apps \"spire-server\" not found"

              Expect.equal d.RequeueAfter (Some(TimeSpan.FromSeconds 10.0)) "requeue"
          }

          test "(8) the workload rolling out: Ready Progressing" {
              let cluster = converged Kind.SpireServer allCrs

              let sts =
                  Operand.workloadRef Mode.defaults.Namespace Status.StatefulSet "spire-server"

              let rolling =
                  Map.add sts (set "status.readyReplicas" (Json.num 0) (Map.find sts cluster)) cluster

              let d = server allCrs rolling
              noWrites d
              expectCondition d "StatefulSetAvailable" F "StatefulSetNotReady" "StatefulSet has 0/1 replicas ready"

              expectCondition d "Ready" F "Progressing" "StatefulSetAvailable: StatefulSet has 0/1 replicas ready"

              Expect.equal d.RequeueAfter (Some(TimeSpan.FromSeconds 10.0)) "requeue"
          }

          test "(9) status: generation and transition times" {
              let cr = set "metadata.generation" (Json.num 7) (minimal Kind.SpireServer)
              let d = server (Map.add Kind.SpireServer cr allCrs) Map.empty

              Expect.all
                  (conditions d)
                  (fun c -> c.ObservedGeneration = Some 7L && c.LastTransitionTime = now)
                  "generation 7, all new at now"
          } ]

let private convergedExamples =
    testList
        "converged"
        [ for kind in operandKinds do
              test (sprintf "%s: no write, Ready, and the same status again" (Kind.name kind)) {
                  let cluster = converged kind allCrs
                  let d = Reconcile.reconcile (inputs kind allCrs cluster)
                  noWrites d
                  expectCondition d "Ready" T "Ready" "All components are ready"
                  Expect.equal d.RequeueAfter None "requeue"

                  let later =
                      { inputs kind (withStatus kind d allCrs) cluster with
                          Now = now.AddHours 1.0 }

                  let again = Reconcile.reconcile later
                  Expect.equal again.Status d.Status "status unchanged: no status write"
                  noWrites again
              } ]

let private ztwimExamples =
    testList
        "ZeroTrustWorkloadIdentityManager"
        [ test "no operand CR yet: Ready Progressing, no actions" {
              let crs =
                  Map.ofList [ Kind.ZeroTrustWorkloadIdentityManager, minimal Kind.ZeroTrustWorkloadIdentityManager ]

              let d =
                  Reconcile.reconcile (inputs Kind.ZeroTrustWorkloadIdentityManager crs Map.empty)

              noWrites d

              expectCondition
                  d
                  "Ready"
                  F
                  "Progressing"
                  "Waiting for operands: [SpiffeCSIDriver(not created) SpireAgent(not created) SpireOIDCDiscoveryProvider(not created) SpireServer(not created)]"
          }

          test "every operand converged: Ready and Upgradeable" {
              let crs =
                  operandKinds
                  |> List.fold
                      (fun crs kind ->
                          let d = Reconcile.reconcile (inputs kind allCrs (converged kind allCrs))
                          withStatus kind d crs)
                      allCrs

              let d =
                  Reconcile.reconcile (inputs Kind.ZeroTrustWorkloadIdentityManager crs Map.empty)

              noWrites d
              expectCondition d "Ready" T "Ready" "All components are ready"
              expectCondition d "OperandsAvailable" T "Ready" "All operand CRs are ready"
              expectCondition d "Upgradeable" T "Ready" "Operator is Upgradeable"
          }

          test "no ZeroTrustWorkloadIdentityManager: empty decision" {
              let d =
                  Reconcile.reconcile (
                      inputs
                          Kind.ZeroTrustWorkloadIdentityManager
                          (Map.remove Kind.ZeroTrustWorkloadIdentityManager allCrs)
                          Map.empty
                  )

              Expect.equal d Decision.empty "decision"
          } ]

[<Tests>]
let specs = testList "Reconcile" [ gates; convergedExamples; ztwimExamples ]
