module Ztwim.Specs.Sim.CheckSpecs

open System.IO
open Expecto
open Ztwim.Sim

/// Runs `ztwim-sim check` on files with the given contents; the printed lines and the exit code.
let private check (files: (string * string) list) =
    let dir = Directory.CreateTempSubdirectory("ztwim-check-")

    try
        let paths =
            files
            |> List.map (fun (name, text) ->
                let path = Path.Combine(dir.FullName, name)
                File.WriteAllText(path, text)
                path)

        let lines = ResizeArray<string>()
        let code = Check.run paths lines.Add
        List.ofSeq lines |> List.map (fun l -> l.Replace(dir.FullName + "/", "")), code
    finally
        dir.Delete true

let private oidc (name: string) (extra: string) =
    sprintf
        "apiVersion: operator.openshift.io/v1alpha1\nkind: SpireOIDCDiscoveryProvider\nmetadata:\n  name: %s\nspec:\n  jwtIssuer: https://oidc.example.com\n%s"
        name
        extra

[<Tests>]
let tests =
    testList
        "ztwim-sim check"
        [ test "valid resources print ok Kind/name and exit 0" {
              Expect.equal
                  (check [ "a.yaml", oidc "cluster" "" ])
                  ([ "ok SpireOIDCDiscoveryProvider/cluster" ], 0)
                  "output"
          }
          test "each error prints Kind/name: path: message (got: value) and exits 2" {
              Expect.equal
                  (check [ "a.yaml", oidc "main" "  replicaCount: 9\n" ])
                  ([ "SpireOIDCDiscoveryProvider/main: metadata.name: SpireOIDCDiscoveryProvider is a singleton, .metadata.name must be 'cluster' (got: \"main\")"
                     "SpireOIDCDiscoveryProvider/main: spec.replicaCount: must be between 1 and 5 (got: 9)" ],
                   2)
                  "output"
          }
          test "a field the API server would prune is a warning, not an error" {
              Expect.equal
                  (check [ "a.yaml", oidc "cluster" "  trustDomain: example.org\n" ])
                  ([ "ok SpireOIDCDiscoveryProvider/cluster"
                     "warning: SpireOIDCDiscoveryProvider/cluster: spec.trustDomain: unknown field, the API server drops it" ],
                   0)
                  "output"
          }
          test "every document of every file is checked; one bad file fails the run" {
              Expect.equal
                  (check
                      [ "a.yaml", oidc "cluster" "" + "---\n" + oidc "cluster" ""
                        "b.yaml", "a: [1, 2\nb: }\n" ])
                  ([ "ok SpireOIDCDiscoveryProvider/cluster"
                     "ok SpireOIDCDiscoveryProvider/cluster"
                     "b.yaml: not YAML or JSON: line 1, column 6: malformed YAML after this point" ],
                   2)
                  "output"
          }
          test "a missing file is named" {
              let lines, code = check []
              Expect.equal (lines, code) ([], 0) "no files, nothing to check"
              let missing = Check.run [ "/nonexistent/x.yaml" ] ignore
              Expect.equal missing 2 "exit code"
          }
          test "an object of another kind is named as such" {
              Expect.equal
                  (check [ "cm.json", """{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}""" ])
                  ([ "ConfigMap/x: kind: must be one of ZeroTrustWorkloadIdentityManager, SpireServer, SpireAgent, SpiffeCSIDriver, SpireOIDCDiscoveryProvider in operator.openshift.io/v1alpha1 (got: {\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\"})" ],
                   2)
                  "output"
          }
          test "the quickstart prints the five defaulted CRs" {
              let lines = ResizeArray<string>()
              Expect.equal (Quickstart.run lines.Add) 0 "exit code"
              let text = String.concat "\n" lines

              for kind in
                  [ "ZeroTrustWorkloadIdentityManager"
                    "SpireServer"
                    "SpireAgent"
                    "SpiffeCSIDriver"
                    "SpireOIDCDiscoveryProvider" ] do
                  Expect.stringContains text ("kind: " + kind) kind

              Expect.stringContains text "caKeyType: rsa-2048" "a default filled in"
              Expect.isFalse (text.Contains "externalSecretRef") "an empty optional string is unset"
          } ]
