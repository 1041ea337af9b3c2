module Ztwim.Specs.Sim.ScenarioSpecs

open Expecto
open Ztwim.Sim

let private resolve name =
    match Run.resolve name with
    | Ok s -> s
    | Error e -> failtest e

let private parse (text: string) =
    Scenario.parse "inline" (fun f -> Error(sprintf "no files here (%s)" f)) text

let private expectError (text: string) (contains: string) =
    match parse text with
    | Ok _ -> failtestf "accepted: %s" text
    | Error e -> Expect.stringContains e contains "the error names the field and value"

/// How many seeds each regression scenario runs with.
let private regressionSeeds = 5

[<Tests>]
let shippedScenarios =
    testList
        "scenarios"
        [ test "ztwim-sim ships the twelve scenarios the manual's flows need" {
              Expect.equal
                  (Run.shipped ())
                  [ "create-only"
                    "federation-acme"
                    "federation-https-spiffe"
                    "flaky-api"
                    "immutable-change-rejected"
                    "invalid-spec-keeps-running-operands"
                    "kubernetes-cert-manager"
                    "kubernetes-own-certificate"
                    "label-removed-adopted"
                    "operator-crash-mid-rollout"
                    "quickstart"
                    "user-edit-reverted" ]
                  "shipped"
          }

          for name in Run.shipped () do
              test (sprintf "%s: every expectation and every-step invariant holds" name) {
                  let report, violations = Fuzz.FuzzCheck.checkScenario (resolve name) 0
                  Expect.isTrue report.Passed (ScenarioReport.text false report)
                  Expect.isNonEmpty report.Verdicts "a scenario checks something"
                  Expect.isEmpty violations "every-step invariants"
              }

          // Each replays a bug ztwim-sim fuzz found, on a few seeds (the faults it needs come at random), with
          // the fuzz's every-step invariants watching as well as the scenario's own expectations.
          for name in Run.regressions () do
              test (sprintf "regression %s: every expectation and every-step invariant holds" name) {
                  match Run.regression name with
                  | Error e -> failtest e
                  | Ok scenario ->
                      for seed in 0 .. regressionSeeds - 1 do
                          let report, violations = Fuzz.FuzzCheck.checkScenario scenario seed
                          Expect.isTrue report.Passed (sprintf "seed %d\n%s" seed (ScenarioReport.text false report))
                          Expect.isEmpty violations (sprintf "seed %d: every-step invariants" seed)
              }

          test "a scenario's cluster may serve cert-manager; anything but true or false is named" {
              match parse "cluster: {platform: kubernetes, certManager: true}\nsteps: []" with
              | Ok s -> Expect.isTrue s.Setup.CertManager "certManager"
              | Error e -> failtest e

              expectError "cluster: {certManager: yes please}\nsteps: []" "cluster.certManager"
          }

          test "quickstart: the same seed prints the same bytes, text and JSON" {
              let a = ScenarioRun.run (resolve "quickstart") 7
              let b = ScenarioRun.run (resolve "quickstart") 7
              Expect.equal (ScenarioReport.text true b) (ScenarioReport.text true a) "text"
              Expect.equal (ScenarioReport.json b) (ScenarioReport.json a) "json"
          }

          test "flaky-api: the seed drives the faults (two seeds, two traces), and each seed replays exactly" {
              let run seed =
                  ScenarioReport.text false (ScenarioRun.run (resolve "flaky-api") seed)

              let one = run 1
              Expect.notEqual (run 2) one "different seeds"
              Expect.equal (run 1) one "same seed"
          }

          test "quickstart: the idle hour after converging makes no write" {
              let report = ScenarioRun.run (resolve "quickstart") 0
              Expect.equal (List.tryLast report.Phases) (Some("idle", 0)) "writes in the idle phase"
              Expect.isGreaterThan (report.Phases |> List.find (fun (p, _) -> p = "install") |> snd) 30 "install wrote"
          } ]

[<Tests>]
let scenarioErrors =
    testList
        "scenario errors"
        [ test "an unknown step names its path and value" {
              expectError "steps:\n  - jump: 3\n" "steps[0].jump: is not a step"
          }
          test "a bad duration names its path and value" {
              expectError
                  "steps:\n  - run: soon\n"
                  "steps[0].run: must be a duration such as 30s, 10m or 1h (value \"soon\")"
          }
          test "a fault rate out of range names its path and value" {
              expectError
                  "steps:\n  - faultsOn: {api-500: 2}\n"
                  "steps[0].faultsOn.api-500: must be a rate in (0, 1] (value 2)"
          }
          test "a missing file names its path" {
              expectError
                  "steps:\n  - apply: {file: nowhere.yaml}\n"
                  "steps[0].apply.file: no files here (nowhere.yaml)"
          }
          test "a bad condition expectation names its path" {
              expectError
                  "steps:\n  - expect: {conditions: [{kind: SpireServer, type: Ready, status: yes}]}\n"
                  "steps[0].expect.conditions[0]: needs kind, type and status"
          }
          test "the cluster's platform is checked" {
              expectError
                  "cluster: {platform: mesos}\nsteps: []\n"
                  "cluster.platform: must be openshift or kubernetes (value \"mesos\")"
          }
          test "an unknown fault stops the run with a message that lists the known faults" {
              match parse "steps:\n  - faultsOn: {gremlins: 0.5}\n" with
              | Error e -> failtest e
              | Ok s ->
                  let report = ScenarioRun.run s 0
                  Expect.isFalse report.Passed "fails"

                  Expect.stringContains
                      (defaultArg report.Failure "")
                      "unknown fault gremlins: known faults are api-429"
                      "message"
          }
          test "field paths: dots, bracketed keys and indexes" {
              Expect.equal
                  (ScenarioRun.fieldPath "metadata.labels[app.kubernetes.io/name].x[0]")
                  [ "metadata"; "labels"; "app.kubernetes.io/name"; "x"; "0" ]
                  "segments"
          } ]
