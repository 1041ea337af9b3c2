/// Upgradeable mirrored onto OLM's OperatorCondition: the kernel's mirror, and the operator doing it on the
/// simulated cluster (where OLM would have created the OperatorCondition before starting the operator).
module Ztwim.Specs.Runtime.OperatorConditionSpecs

open System
open System.Collections.Generic
open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Reconcile
open Ztwim.Adapters.Cluster
open Ztwim.Adapters.Files
open Ztwim.Adapters.Simulation

let private name = "zero-trust-workload-identity-manager.v1.0.0"
let private ns = "zero-trust-workload-identity-manager"

let private upgradeable status reason =
    Json.obj
        [ "type", Json.String "Upgradeable"
          "status", Json.String status
          "reason", Json.String reason
          "message", Json.String "m"
          "lastTransitionTime", Json.String "2026-01-01T00:00:00Z"
          "observedGeneration", Json.num 1 ]

let private ztwimStatus conditions =
    Json.obj [ "conditions", Json.Array conditions ]

let private operatorCondition (specConditions: Json list) =
    Json.obj
        [ "apiVersion", Json.String OperatorCondition.apiVersion
          "kind", Json.String OperatorCondition.kind
          "metadata", Json.obj [ "name", Json.String name; "namespace", Json.String ns ]
          "spec", Json.obj [ "conditions", Json.Array specConditions ] ]

let private specConditions (o: Json) =
    o.Items("spec", "conditions") |> List.ofSeq

let private quickstart () =
    match ManifestReader.Read(Ztwim.Sim.Quickstart.manifest ()) with
    | Ok docs -> docs
    | Error e -> failtest e

[<Tests>]
let tests =
    testList
        "OLM OperatorCondition"
        [ test "the mirror puts Upgradeable in spec.conditions beside OLM's others, and writes nothing when it is there" {
              let other = Json.obj [ "type", Json.String "Other"; "status", Json.String "True" ]

              match
                  OperatorCondition.mirror
                      (ztwimStatus [ upgradeable "False" "OperandsNotReady" ])
                      (operatorCondition [ other ])
              with
              | None -> failtest "nothing to write"
              | Some body ->
                  Expect.equal (body.Str("metadata", "name")) name "the named OperatorCondition"
                  let written = specConditions body
                  Expect.equal (written |> List.map (fun c -> c.Str("type"))) [ "Other"; "Upgradeable" ] "kept beside"
                  Expect.equal (written.[1].Str("reason")) "OperandsNotReady" "the reason"

                  Expect.isNone
                      (OperatorCondition.mirror
                          (ztwimStatus [ upgradeable "False" "OperandsNotReady" ])
                          (operatorCondition written))
                      "already there"

              // Only the time differs: OLM acts on status, reason and message.
              let later =
                  [ upgradeable "True" "Ready"
                    |> fun c -> c.With([| "lastTransitionTime" |], Json.String "2026-02-01T00:00:00Z") ]

              Expect.isNone
                  (OperatorCondition.mirror (ztwimStatus [ upgradeable "True" "Ready" ]) (operatorCondition later))
                  "a new time alone"

              Expect.isNone (OperatorCondition.mirror (ztwimStatus []) (operatorCondition [])) "no Upgradeable yet"
          }

          test
              "the operator mirrors the ZTWIM's Upgradeable onto the OperatorCondition OLM named, True then False in create-only mode" {
              let env = Dictionary<string, string>()
              env.["OPERATOR_CONDITION_NAME"] <- name
              let sim = Simulation(SimulationSetup(Env = env))
              sim.StartOperator()

              sim.AsUser(fun u -> u.CreateAsync(operatorCondition [], Threading.CancellationToken.None))
              |> fun r -> Expect.isTrue r.IsOk "OLM's OperatorCondition"

              for doc in quickstart () do
                  sim.AsUser(fun u -> u.ApplyAsync(doc, "kubectl", true, Threading.CancellationToken.None))
                  |> fun r -> Expect.isTrue r.IsOk "a quickstart CR"

              Expect.isTrue (sim.RunUntilConverged(TimeSpan.FromMinutes 10.0)) "converged"

              let mirrored () =
                  sim.Cluster.Find(JsonAccess.Ref(OperatorCondition.apiVersion, OperatorCondition.kind, ns, name))
                  |> specConditions
                  |> List.map (fun c -> c.Str("type"), c.Str("status"), c.Str("reason"))

              Expect.equal (mirrored ()) [ "Upgradeable", "True", "Ready" ] "Upgradeable True once all is Ready"

              sim.SetEnv [ KeyValuePair("CREATE_ONLY_MODE", "true") ]
              Expect.isTrue (sim.RunUntilConverged(TimeSpan.FromMinutes 10.0)) "converged again"

              Expect.equal
                  (mirrored ())
                  [ "Upgradeable", "False", "OperandsNotReady" ]
                  "not safe to upgrade in create-only mode"

              Expect.isEmpty sim.Failures "no exception"
          } ]
