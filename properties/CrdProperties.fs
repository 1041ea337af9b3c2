/// The CRD schemas and the kernel's parser agree: what the schema rejects, the parser rejects at admission.
module Ztwim.Properties.CrdProperties

open Expecto
open FsCheck
open FsCheck.FSharp
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Properties.Generators

let private kindOf (json: Json) =
    Crs.kindOf json |> Option.defaultValue Kind.SpireServer

// NJsonSchema reads numbers through Newtonsoft, which cannot compare integers beyond 64 bits.
let rec fitsValidator (json: Json) =
    match json with
    | Json.Number n -> abs n < 1e18m
    | Json.Array items -> List.forall fitsValidator items
    | Json.Object m -> m |> Map.forall (fun _ v -> fitsValidator v)
    | _ -> true

/// Valid CRs, CRs with one rule broken, and CRs with a member replaced by arbitrary JSON.
let private inputs =
    Gen.oneof
        [ Specs.validCr |> Gen.map snd
          ArbitraryJson.mutatedCr
          gen {
              let! kind = Gen.elements Kind.all
              let! spec = Specs.specOf kind

              let applicable =
                  Breakers.all |> List.filter (fun b -> b.Kind = None || b.Kind = Some kind)

              let! b = Gen.elements applicable
              let cr = Specs.envelope kind spec
              return b.Break cr |> Option.map fst |> Option.defaultValue cr
          } ]
    |> Gen.filter (fun j -> (Crs.kindOf j).IsSome && fitsValidator j)

[<Tests>]
let agreement =
    testList
        "CRD schema and parser"
        [ testPropertyWithConfig (ParseProperties.config 3000) "what the schema rejects, parse rejects at admission"
          <| Prop.forAll (Arb.fromGen inputs) (fun json ->
              let schema = CrdSchema.schemaErrors (kindOf json) json

              let admission =
                  match Crs.parse json with
                  | Ok _ -> []
                  | Error errors -> FieldError.atAdmission errors

              if not schema.IsEmpty && admission.IsEmpty then
                  failtestf
                      "schema rejects (%s) but parse accepts at admission:\n%s"
                      (String.concat "; " schema)
                      (JsonText.indented json))

          testPropertyWithConfig (ParseProperties.config 1000) "what parse accepts, the schema accepts"
          <| Prop.forAll (Arb.fromGen (Specs.validCr |> Gen.map snd)) (fun json ->
              match Crs.parse json, CrdSchema.schemaErrors (kindOf json) json with
              | Ok _, [] -> ()
              | Ok _, errors ->
                  failtestf
                      "schema rejects a CR parse accepts: %s\n%s"
                      (String.concat "; " errors)
                      (JsonText.indented json)
              | Error _, _ -> ())

          test "the manual's quickstart CRs are valid against the schemas" {
              let text =
                  System.IO.File.ReadAllText(
                      System.IO.Path.Combine(CrdSchema.repositoryRoot, "Host", "Ztwim.Sim", "quickstart.yaml")
                  )

              match Ztwim.Adapters.Files.ManifestReader.Read text with
              | Error e -> failtest e
              | Ok docs ->
                  for doc in docs do
                      Expect.isEmpty (CrdSchema.schemaErrors (kindOf doc) doc) (JsonText.compact doc)
          } ]
