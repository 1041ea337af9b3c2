/// The go-yaml v2 printer behind controller-manager-config.yaml: quoting, folding, key order and layout.
module Ztwim.Specs.Render.GoYamlSpecs

open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Operands.Server
open Ztwim.Specs.Api.Examples

let private one (value: Json) = Yaml.print (Json.obj [ "k", value ])

let private scalar (s: string) (expected: string) =
    test (sprintf "%s prints as %s" (JsonText.quote s) expected) {
        Expect.equal (one (str s)) ("k: " + expected + "\n") "yaml"
    }

[<Tests>]
let tests =
    testList
        "GoYaml"
        [ testList
              "quoting"
              [ scalar "" "\"\""
                scalar "plain" "plain"
                scalar "true" "\"true\""
                scalar "Yes" "\"Yes\""
                scalar "off" "\"off\""
                scalar "~" "\"~\""
                scalar "null" "\"null\""
                scalar "12" "\"12\""
                scalar "08" "\"08\""
                scalar "0x1F" "\"0x1F\""
                scalar "1_000" "\"1_000\""
                scalar "1e3" "\"1e3\""
                scalar "+1" "\"+1\""
                scalar ".5" "\".5\""
                scalar "-.inf" "\"-.inf\""
                scalar "1:20" "\"1:20\""
                scalar "2024-01-01" "\"2024-01-01\""
                scalar "2024-02-30" "2024-02-30"
                scalar "0.6.4" "0.6.4"
                scalar "0.0.0.0:8083" "0.0.0.0:8083"
                scalar "openshift-*" "openshift-*"
                scalar "- dash" "'- dash'"
                scalar "-" "'-'"
                scalar "a: b" "'a: b'"
                scalar "x #y" "'x #y'"
                scalar "@at" "'@at'"
                scalar "it's" "it's"
                scalar "'q' x" "'''q'' x'"
                scalar " lead" "' lead'"
                scalar "tab\there" "\"tab\\there\""
                scalar "<<" "<<" ]
          test "long plain scalars fold at a space past column 80, indented under their key" {
              Expect.equal
                  (Yaml.print (
                      Json.obj
                          [ "parentIDTemplate",
                            str
                                "spiffe://{{ .TrustDomain }}/spire/agent/k8s_psat/{{ .ClusterName }}/{{ .NodeMeta.UID }}" ]
                  ))
                  "parentIDTemplate: spiffe://{{ .TrustDomain }}/spire/agent/k8s_psat/{{ .ClusterName\n  }}/{{ .NodeMeta.UID }}\n"
                  "folded"
          }
          test "a word longer than the line is never broken" {
              let word = String.replicate 90 "x"
              Expect.equal (one (str (word + " y"))) ("k: " + word + "\n  y\n") "folded after the word"
          }
          test "multi-line strings use the literal style with chomping" {
              Expect.equal (one (str "a\nb\n")) "k: |\n  a\n  b\n" "clip"
              Expect.equal (one (str "a\nb")) "k: |-\n  a\n  b\n" "strip"
              Expect.equal (one (str "a\n\n")) "k: |+\n  a\n\n" "keep"
          }
          test "keys in go-yaml's order: non-letters before letters, digit runs by value" {
              let keys = [ "aB"; "a10"; "a9"; "B"; "_x"; "a"; "a_b" ]
              let printed = Yaml.print (Json.obj [ for k in keys -> k, num 1 ])

              Expect.equal printed "_x: 1\nB: 1\na: 1\na_b: 1\na9: 1\na10: 1\naB: 1\n" "order"
          }
          test "sequences sit under their key; nested collections and empty ones" {
              Expect.equal
                  (Yaml.print (
                      json
                          """{"list": ["a", {"x": 1, "z": ["p", ["q", "r"]]}, [], {}], "empty": {}, "flag": false,
                              "nothing": null, "half": 1.5, "tiny": 0.00001, "big": 1234567.5}"""
                  ))
                  ("big: 1.2345675e+06\nempty: {}\nflag: false\nhalf: 1.5\nlist:\n- a\n- x: 1\n  z:\n  - p\n  - - q\n"
                   + "    - r\n- []\n- {}\nnothing: null\ntiny: 1e-05\n")
                  "yaml"
          } ]
