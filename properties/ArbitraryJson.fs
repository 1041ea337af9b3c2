/// Arbitrary JSON, and valid CRs with one subtree replaced by arbitrary JSON: the inputs `parse` must survive.
module Ztwim.Properties.ArbitraryJson

open FsCheck
open FsCheck.FSharp
open Ztwim.Kernel
open Ztwim.Properties.JsonEdit

let private scalar =
    Gen.oneof
        [ Gen.constant Json.Null
          Gen.elements [ true; false ] |> Gen.map Json.Bool
          Gen.choose (-100000, 100000) |> Gen.map (decimal >> Json.Number)
          Gen.elements [ 0.5m; -1.25m; 1e20m; 79228162514264337593543950335m; -0.0001m ]
          |> Gen.map Json.Number
          Gen.elements
              [ ""
                "true"
                "cluster"
                "24h"
                "https://x"
                "1Gi"
                "\u0000\u2028<>&"
                "a/b"
                "spiffe://td"
                String.replicate 300 "z"
                "9999999999999999999999999999h"
                "-1.5h"
                ".5m"
                "1e28"
                "99999999999999999999999Ei"
                "1e-29" ]
          |> Gen.map Json.String
          ArbMap.defaults
          |> ArbMap.generate<string>
          |> Gen.map (fun s -> Json.String(if isNull s then "" else s)) ]

let private keys =
    Gen.elements
        [ "spec"
          "metadata"
          "name"
          "trustDomain"
          "federation"
          "bundleEndpoint"
          "httpsWeb"
          "acme"
          "federatesWith"
          "labels"
          "tolerations"
          "affinity"
          "resources"
          "limits"
          "nodeAffinity"
          "caValidity"
          "persistence"
          "x"
          "" ]

/// Any JSON value, nested up to the size.
let rec json (size: int) : Gen<Json> =
    if size <= 0 then
        scalar
    else
        Gen.frequency
            [ 3, scalar
              1,
              Gen.choose (0, 4)
              |> Gen.bind (fun n -> Gen.listOfLength n (json (size / 2)))
              |> Gen.map Json.Array
              2,
              Gen.choose (0, 5)
              |> Gen.bind (fun n -> Gen.listOfLength n (Gen.zip keys (json (size / 2))))
              |> Gen.map Json.obj ]

/// The paths of every object member and list item in a value (items as "#i" steps).
let rec paths (json: Json) : string list list =
    let below (step: string) (v: Json) =
        [ step ] :: (paths v |> List.map (fun p -> step :: p))

    match json with
    | Json.Object m -> m |> Map.toList |> List.collect (fun (k, v) -> below k v)
    | Json.Array items -> items |> List.mapi (fun i v -> below (sprintf "#%d" i) v) |> List.concat
    | _ -> []

/// A valid CR with one member replaced by arbitrary JSON.
let mutatedCr: Gen<Json> =
    gen {
        let! _, cr = Generators.Specs.validCr
        let ps = paths cr
        let! i = Gen.choose (0, ps.Length - 1)
        let! replacement = Gen.sized (fun s -> json (min s 6))
        return set ps.[i] (Some replacement) cr
    }
