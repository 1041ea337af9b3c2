module Ztwim.Specs.Sim.RenderSpecs

open System.IO
open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Render
open Ztwim.Sim
open Ztwim.Specs

let private quickstart = Repository.path "Host/Ztwim.Sim/quickstart.yaml"

let private run (mode: Mode) (output: Render.Output) (files: string list) =
    let lines = ResizeArray<string>()
    let code = Render.run mode output files lines.Add
    String.concat "\n" lines, code

[<Tests>]
let tests =
    testList
        "ztwim-sim render"
        [ test "prints every object as YAML, sorted by kind, namespace and name" {
              let text, code = run Mode.defaults Render.YamlDocuments [ quickstart ]
              Expect.equal code 0 "exit code"

              let keys =
                  match Ztwim.Adapters.Files.ManifestReader.Read text with
                  | Ok docs ->
                      docs
                      |> List.map (fun d ->
                          let s (path: string list) =
                              path |> List.fold (fun j k -> j |> Option.bind (Json.tryField k)) (Some d)

                          string (s [ "kind" ]),
                          string (s [ "metadata"; "namespace" ]),
                          string (s [ "metadata"; "name" ]))
                  | Error e -> failtest e

              Expect.equal keys.Length 34 "the manual's CRs give 34 objects"
              Expect.equal keys (List.sort keys) "sorted"
          }
          test "-o json prints one array" {
              let text, code = run Mode.defaults Render.JsonArray [ quickstart ]
              Expect.equal code 0 "exit code"

              match JsonText.parse text with
              | Ok(Json.Array items) -> Expect.equal items.Length 34 "objects"
              | other -> failtestf "%A" other
          }
          test "plain Kubernetes prints serving-certificate requirements instead of OpenShift objects" {
              let text, _ =
                  run (Mode.ofEnvironment Kubernetes Map.empty) Render.YamlDocuments [ quickstart ]

              Expect.stringContains text "kind: ServingCertificateRequirement" "requirement"
              Expect.isFalse (text.Contains "kind: Route") "no Route"
              Expect.isFalse (text.Contains "kind: SecurityContextConstraints") "no SCC"
          }
          test "an invalid CR prints its errors, renders nothing for it, and exits 2" {
              let file = Path.GetTempFileName()

              try
                  File.WriteAllText(
                      file,
                      File.ReadAllText quickstart
                      + "\n---\napiVersion: operator.openshift.io/v1alpha1\nkind: SpireAgent\nmetadata:\n  name: other\n"
                  )

                  let text, code = run Mode.defaults Render.YamlDocuments [ file ]
                  Expect.equal code 2 "exit code"

                  Expect.stringContains
                      text
                      "SpireAgent/other: metadata.name: SpireAgent is a singleton, .metadata.name must be 'cluster' (got: \"other\")"
                      "error"

                  Expect.stringContains text "kind: DaemonSet" "the valid CRs still render"
              finally
                  File.Delete file
          } ]
