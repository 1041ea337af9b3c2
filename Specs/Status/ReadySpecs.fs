/// `Ready`, `CreateOnlyMode`, and the ZeroTrustWorkloadIdentityManager's operands[], `OperandsAvailable`,
/// `Ready` and `Upgradeable`: every reason with its exact message.
module Ztwim.Specs.Status.ReadySpecs

open Expecto
open Ztwim.Kernel.Api
open Ztwim.Kernel.Status
open Ztwim.Specs.Status.StatusExamples

let private c kind status reason message =
    Conditions.make kind status reason message

let private readyRows =
    let ready cs () = Ready.ready cs

    [ row
          "nothing False"
          (ready
              [ c "ConfigurationValid" T "ConfigurationValid" "ok"
                c "CreateOnlyMode" F "CreateOnlyModeDisabled" "off" ])
          "Ready"
          T
          "Ready"
          "All components are ready"
      row
          "a workload rolling out"
          (ready [ c "StatefulSetAvailable" F "StatefulSetNotReady" "StatefulSet has 0/1 replicas ready" ])
          "Ready"
          F
          "Progressing"
          "StatefulSetAvailable: StatefulSet has 0/1 replicas ready"
      row
          "a failure wins over a rolling workload, the first by type"
          (ready
              [ c "StatefulSetAvailable" F "StatefulSetNotReady" "s"
                c "RouteAvailable" F "FederationRouteDisabled" "r"
                c "ConfigurationValid" F "InvalidLabels" "l" ])
          "Ready"
          F
          "Failed"
          "ConfigurationValid: l"
      row
          "a missing workload is a failure"
          (ready
              [ c "DaemonSetAvailable" F "DaemonSetNotFound" "gone"
                c "DeploymentAvailable" F "DeploymentNotReady" "d" ])
          "Ready"
          F
          "Failed"
          "DaemonSetAvailable: gone"
      row
          "the ZeroTrustWorkloadIdentityManager is missing"
          (fun () -> Ready.ztwimMissing)
          "Ready"
          F
          "Failed"
          "Failed to retrieve ZeroTrustWorkloadIdentityManager from cluster"
      row
          "Ready and Degraded themselves are ignored"
          (ready [ c "Ready" F "Failed" "x"; c "Degraded" F "X" "y" ])
          "Ready"
          T
          "Ready"
          "All components are ready" ]

let private createOnlyRows =
    let some f () =
        match f () with
        | Some x -> x
        | None -> failwith "no condition"

    [ row
          "operand, on"
          (some (fun () -> Ready.createOnlyMode true []))
          "CreateOnlyMode"
          T
          "CreateOnlyModeEnabled"
          "Create-Only Mode is active: Updates are not reconciled to existing resources"
      row
          "operand, off after on"
          (some (fun () -> Ready.createOnlyMode false [ c "CreateOnlyMode" T "CreateOnlyModeEnabled" "on" ]))
          "CreateOnlyMode"
          F
          "CreateOnlyModeDisabled"
          "Create-only mode is disabled"
      row
          "ZeroTrustWorkloadIdentityManager, on"
          (some (fun () -> Ready.ztwimCreateOnlyMode true []))
          "CreateOnlyMode"
          T
          "CreateOnlyModeEnabled"
          "Create-only mode is enabled: Updates are not reconciled to existing resources"
      row
          "ZeroTrustWorkloadIdentityManager, off after on"
          (some (fun () -> Ready.ztwimCreateOnlyMode false [ c "CreateOnlyMode" T "CreateOnlyModeEnabled" "on" ]))
          "CreateOnlyMode"
          F
          "CreateOnlyModeDisabled"
          "Create-only mode is disabled" ]

let private crStatus (cs: Condition list) = Found { Conditions = cs }

let private readyCr = crStatus [ c "Ready" T "Ready" "All components are ready" ]

let private allReady = Map.ofList [ for k in Ready.operandKinds -> k, readyCr ]

let private ztwimRows =
    let pick kind (observed: Map<_, _>) () =
        let _, cs = Ready.ztwim false [] observed
        cs |> List.find (fun x -> x.Type = kind)

    let failing =
        crStatus
            [ c "Ready" F "Failed" "ConfigurationValid: bad"
              c "ConfigurationValid" F "InvalidLabels" "bad" ]

    let waiting =
        crStatus [ c "Ready" F "Progressing" "DaemonSetAvailable: DaemonSet has 0/3 pods ready" ]

    [ row "all ready" (pick "OperandsAvailable" allReady) "OperandsAvailable" T "Ready" "All operand CRs are ready"
      row "all ready: Ready" (pick "Ready" allReady) "Ready" T "Ready" "All components are ready"
      row
          "waiting, sorted"
          (pick "OperandsAvailable" (allReady |> Map.remove Kind.SpireServer |> Map.add Kind.SpireAgent waiting))
          "OperandsAvailable"
          F
          "Progressing"
          "Waiting for operands: [SpireAgent(reconciling) SpireServer(not created)]"
      row
          "waiting: Ready says the same"
          (pick "Ready" (allReady |> Map.add Kind.SpiffeCSIDriver (crStatus [])))
          "Ready"
          F
          "Progressing"
          "Waiting for operands: [SpiffeCSIDriver(reconciling)]"
      row
          "failed, sorted, failed ones only"
          (pick
              "OperandsAvailable"
              (allReady
               |> Map.add Kind.SpireServer failing
               |> Map.add Kind.SpireAgent waiting
               |> Map.add Kind.SpiffeCSIDriver (GetFailed "forbidden")))
          "OperandsAvailable"
          F
          "Failed"
          "Some operands not ready: [SpiffeCSIDriver/cluster SpireServer/cluster]"
      row
          "failed: Ready says the same"
          (pick "Ready" (allReady |> Map.add Kind.SpireOIDCDiscoveryProvider failing))
          "Ready"
          F
          "Failed"
          "Some operands not ready: [SpireOIDCDiscoveryProvider/cluster]"
      row "upgradeable" (pick "Upgradeable" allReady) "Upgradeable" T "Ready" "Operator is Upgradeable"
      row
          "not upgradeable: existing operands not ready (missing ones do not count), sorted"
          (pick
              "Upgradeable"
              (allReady
               |> Map.remove Kind.SpireServer
               |> Map.add Kind.SpireOIDCDiscoveryProvider waiting
               |> Map.add Kind.SpireAgent failing))
          "Upgradeable"
          F
          "OperandsNotReady"
          "Not safe to upgrade - existing operands are not ready: [SpireAgent SpireOIDCDiscoveryProvider]"
      row
          "not upgradeable: create-only on an operand"
          (pick
              "Upgradeable"
              (allReady
               |> Map.add
                   Kind.SpireAgent
                   (crStatus
                       [ c "Ready" T "Ready" "All components are ready"
                         c "CreateOnlyMode" T "CreateOnlyModeEnabled" "on" ])))
          "Upgradeable"
          F
          "OperandsNotReady"
          "Not safe to upgrade - create-only mode is enabled on one or more operands"
      row
          "not upgradeable: create-only mode of the operator"
          (fun () ->
              let _, cs = Ready.ztwim true [] allReady
              cs |> List.find (fun x -> x.Type = "Upgradeable"))
          "Upgradeable"
          F
          "OperandsNotReady"
          "Not safe to upgrade - create-only mode is enabled on one or more operands" ]

let private operandEntries =
    let entry name observed (ready: bool) (message: string) (types: string list) =
        test name {
            let o = Ready.operand Kind.SpireServer observed
            Expect.equal (o.Name, o.Ready, o.Message) ("cluster", ready, Some message) "name, ready and message"
            Expect.equal (o.Conditions |> List.map _.Type) types "conditions"
        }

    testList
        "operands[]"
        [ entry "not found" NotFound false "CR not found" []
          entry "get failed" (GetFailed "boom") false "Failed to get CR: boom" []
          entry "no conditions yet" (crStatus []) false "Waiting for initial reconciliation" []
          entry "no Ready yet" (crStatus [ c "ConfigurationValid" T "ConfigurationValid" "ok" ]) false "Reconciling" []
          entry "ready" readyCr true "Ready" []
          entry
              "ready in create-only mode"
              (crStatus [ c "Ready" T "Ready" "x"; c "CreateOnlyMode" T "CreateOnlyModeEnabled" "on" ])
              true
              "Ready"
              [ "CreateOnlyMode" ]
          entry
              "not ready: Ready and every False condition, sorted"
              (crStatus
                  [ c "Ready" F "Failed" "StatefulSetAvailable: gone"
                    c "StatefulSetAvailable" F "StatefulSetNotFound" "gone"
                    c "ConfigurationValid" T "ConfigurationValid" "ok"
                    c "CreateOnlyMode" T "CreateOnlyModeEnabled" "on" ])
              false
              "StatefulSetAvailable: gone"
              [ "CreateOnlyMode"; "Ready"; "StatefulSetAvailable" ]
          test "entries in upstream's order, one per kind" {
              let operands, _ = Ready.ztwim false [] Map.empty
              Expect.equal (operands |> List.map _.Kind) Ready.operandKinds "kinds"
          } ]

[<Tests>]
let tests =
    testList
        "Status/ready"
        [ table "Ready" readyRows
          table "CreateOnlyMode" createOnlyRows
          table "ZeroTrustWorkloadIdentityManager" ztwimRows
          operandEntries ]
