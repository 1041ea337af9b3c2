/// Properties of `parse`: total, print∘parse round-trips, and one broken rule reports exactly its path.
module Ztwim.Properties.ParseProperties

open Expecto
open FsCheck
open FsCheck.FSharp
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Properties.Generators

let config runs =
    { FsCheckConfig.defaultConfig with
        maxTest = runs }

let private specAndMetadata (r: AnyResource) = Crs.metadata r, Crs.printSpec r

let private describe (errors: FieldError list) =
    errors |> List.map FieldError.describe |> String.concat "\n"

[<Tests>]
let totality =
    testList
        "parse is total"
        [ testPropertyWithConfig (config 2000) "on arbitrary JSON"
          <| Prop.forAll (Arb.fromGen (Gen.sized (fun s -> ArbitraryJson.json (min s 8)))) (fun json ->
              match Crs.parse json with
              | Ok _ -> true
              | Error errors -> not errors.IsEmpty)

          testPropertyWithConfig (config 2000) "on arbitrary specs of every kind"
          <| Prop.forAll
              (Arb.fromGen (Gen.zip (Gen.elements Kind.all) (Gen.sized (fun s -> ArbitraryJson.json (min s 8)))))
              (fun (kind, spec) ->
                  match Crs.parseKind kind (Specs.envelope kind spec) with
                  | Ok _ -> true
                  | Error errors -> not errors.IsEmpty)

          testPropertyWithConfig (config 2000) "on valid CRs with one member replaced by arbitrary JSON"
          <| Prop.forAll (Arb.fromGen ArbitraryJson.mutatedCr) (fun json ->
              match Crs.parse json with
              | Ok r -> Crs.printSpec r |> ignore
              | Error errors -> Expect.isNonEmpty errors "an error list is never empty") ]

[<Tests>]
let roundTrip =
    testList
        "print∘parse"
        [ testPropertyWithConfig (config 1000) "every generated CR is valid"
          <| Prop.forAll (Arb.fromGen Specs.validCr) (fun (_, json) ->
              match Crs.parse json with
              | Ok _ -> ()
              | Error errors -> failtestf "valid CR rejected:\n%s\n%s" (describe errors) (JsonText.indented json))

          testPropertyWithConfig (config 1000) "parsing the printed CR gives the same CR"
          <| Prop.forAll (Arb.fromGen Specs.validCr) (fun (_, json) ->
              match Crs.parse json with
              | Error _ -> ()
              | Ok r ->
                  match Crs.parse (Crs.print r) with
                  | Ok again -> Expect.equal (specAndMetadata again) (specAndMetadata r) "round trip"
                  | Error errors -> failtestf "printed CR rejected:\n%s" (describe errors)) ]

let private breakerProperty (b: Breakers.Breaker) =
    let kinds =
        match b.Kind with
        | Some k -> [ k ]
        | None -> Kind.all

    let broken =
        gen {
            let! kind = Gen.elements kinds
            let! spec = Specs.specOf kind
            return b.Break(Specs.envelope kind spec)
        }
        |> Gen.filter Option.isSome
        |> Gen.map Option.get

    let kindName = b.Kind |> Option.map Kind.name |> Option.defaultValue "every kind"

    testPropertyWithConfig (config 200) (sprintf "%s: %s" kindName b.Name)
    <| Prop.forAll (Arb.fromGen broken) (fun (json, expected) ->
        match Crs.parse json with
        | Ok _ -> failtestf "accepted:\n%s" (JsonText.indented json)
        | Error errors -> Expect.equal (errors |> List.map _.Path) [ expected ] (describe errors))

[<Tests>]
let oneRuleBroken =
    testList "exactly the broken rule's path is reported" (Breakers.all |> List.map breakerProperty)

/// A valid CR with one member `zzUnknown` added to a random object of its spec, and that member's path.
let private withUnknownMember =
    gen {
        let! kind, cr = Specs.validCr

        let objects =
            ArbitraryJson.paths cr
            |> List.filter (fun p ->
                List.head p = "spec"
                // Maps with free-form keys take any member.
                && not (List.contains (List.last p) [ "labels"; "nodeSelector"; "matchLabels"; "limits"; "requests" ])
                && match JsonEdit.get p cr with
                   | Some(Json.Object m) -> not m.IsEmpty
                   | _ -> false)

        let! target = Gen.elements ([ "spec" ] :: objects)

        let shown =
            target
            |> List.map (fun s ->
                if s.StartsWith "#" then
                    sprintf "[%s]" (s.Substring 1)
                else
                    "." + s)
            |> String.concat ""

        let path = (shown.TrimStart '.').Replace(".[", "[") + ".zzUnknown"
        return kind, JsonEdit.set (target @ [ "zzUnknown" ]) (Some(Json.num 1)) cr, path
    }

[<Tests>]
let pruning =
    testList
        "unknown fields"
        [ testPropertyWithConfig (config 1000) "a valid CR has none"
          <| Prop.forAll (Arb.fromGen Specs.validCr) (fun (_, cr) ->
              match Crs.parse cr with
              | Ok r -> Expect.equal (Pruning.unknownFields r) [] "unknown fields"
              | Error errors -> failtest (describe errors))

          testPropertyWithConfig (config 1000) "an added member is the one reported"
          <| Prop.forAll (Arb.fromGen withUnknownMember) (fun (_, cr, path) ->
              match Crs.parse cr with
              | Ok r -> Expect.equal (Pruning.unknownFields r) [ path ] "unknown fields"
              | Error errors -> failtest (describe errors)) ]
