module Ztwim.Specs.JsonSpecs

open Expecto
open Ztwim.Kernel

let private parse text =
    match JsonText.parse text with
    | Ok j -> j
    | Error e -> failwithf "parse failed: %s" e

[<Tests>]
let tests =
    testList
        "Json"
        [ test "Go MarshalIndent layout: sorted keys, two-space indent, [] and {} for empties" {
              let json = parse """{"b":[],"a":{"z":1,"y":[true,null]},"c":{}}"""

              Expect.equal
                  (JsonText.indented json)
                  "{\n  \"a\": {\n    \"y\": [\n      true,\n      null\n    ],\n    \"z\": 1\n  },\n  \"b\": [],\n  \"c\": {}\n}"
                  "layout"
          }
          test "Go escaping of HTML-sensitive and control characters" {
              Expect.equal
                  (JsonText.quote "a<b>&c\u2028\n\t\b\f\u0001\"\\")
                  "\"a\\u003cb\\u003e\\u0026c\\u2028\\n\\t\\b\\f\\u0001\\\"\\\\\""
                  "escapes"
          }
          test "numbers print without a fraction when integral" {
              Expect.equal (JsonText.compact (parse "[1.0, 2.50, -3, 1e3]")) "[1,2.5,-3,1000]" "numbers"
          }
          test "a syntax error names line and column" {
              match JsonText.parse "{\n  \"a\": ,\n}" with
              | Error e -> Expect.stringStarts e "line 2, column 8" "position"
              | Ok _ -> failtest "accepted invalid JSON"
          }
          test "YAML (go-yaml style) quotes strings that would read back as other types" {
              let doc =
                  Json.obj
                      [ "a", Json.String "true"
                        "b", Json.String "100"
                        "c", Json.String "plain text"
                        "d", Json.String ""
                        "e", Json.String "x: y"
                        "f", Json.Array [ Json.obj [ "k", Json.num 1; "l", Json.String "v" ] ] ]

              Expect.equal
                  (Yaml.print doc)
                  "a: \"true\"\nb: \"100\"\nc: plain text\nd: \"\"\ne: 'x: y'\nf:\n- k: 1\n  l: v\n"
                  "yaml"
          } ]
