/// Reading manifest files is total: any text gives documents or one error line, never an exception.
module Ztwim.Properties.ManifestProperties

open Expecto
open FsCheck
open FsCheck.FSharp
open Ztwim.Kernel
open Ztwim.Adapters.Files

let private yamlish =
    let pieces =
        [ "a"
          "b: "
          "- "
          "\n"
          "  "
          ": "
          "["
          "]"
          "{"
          "}"
          ","
          "\""
          "'"
          "#"
          "---\n"
          "|"
          ">"
          "&x"
          "*x"
          "!!str"
          "\t"
          "?"
          "%YAML 1.2\n"
          "1"
          "true"
          "null"
          "kind: List\nitems:\n" ]

    Gen.sized (fun s -> Gen.listOfLength (min s 40) (Gen.elements pieces))
    |> Gen.map (String.concat "")

[<Tests>]
let totality =
    testList
        "ManifestReader"
        [ testPropertyWithConfig (ParseProperties.config 2000) "never throws on YAML-like text"
          <| Prop.forAll (Arb.fromGen yamlish) (fun text ->
              match ManifestReader.Read text with
              | Ok _ -> true
              | Error line -> line.StartsWith "line ")

          testPropertyWithConfig (ParseProperties.config 500) "reads back what the YAML printer writes"
          <| Prop.forAll (Arb.fromGen Generators.Specs.validCr) (fun (_, cr) ->
              match ManifestReader.Read(Yaml.print cr) with
              | Ok [ again ] -> Expect.equal again cr "YAML round trip"
              | other -> failtestf "%A" other) ]
