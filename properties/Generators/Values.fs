/// Generators of valid field values, each within the rule its field must satisfy.
module Ztwim.Properties.Generators.Values

open FsCheck
open FsCheck.FSharp
open Ztwim.Kernel

let private lower = [ 'a' .. 'z' ] @ [ '0' .. '9' ]

/// A DNS-1123 label of 1..maxLen characters.
let dnsLabel (maxLen: int) =
    gen {
        let! len = Gen.choose (1, maxLen)
        let! chars = Gen.listOfLength len (Gen.elements lower)
        let! dashes = Gen.listOfLength len (Gen.frequency [ 8, Gen.constant false; 1, Gen.constant true ])

        return
            List.zip chars dashes
            |> List.mapi (fun i (c, dash) -> if dash && i > 0 && i < len - 1 then '-' else c)
            |> Array.ofList
            |> System.String
    }

/// A DNS subdomain of 1..3 labels.
let dnsName =
    gen {
        let! n = Gen.choose (1, 3)
        let! labels = Gen.listOfLength n (dnsLabel 12)
        return String.concat "." labels
    }

let trustDomain = dnsName
let clusterName = dnsLabel 20

let absolutePath =
    gen {
        let! parts = Gen.listOfLength 2 (dnsLabel 8)
        return "/" + String.concat "/" parts
    }

let httpsUrl =
    gen {
        let! host = dnsName
        let! path = Gen.elements [ ""; "/"; "/tenant-a"; "/x/y/" ]
        let! scheme = Gen.elements [ "https"; "http"; "HTTPS" ]
        return sprintf "%s://%s%s" scheme host path
    }

let oneOf (values: string list) = Gen.elements values

let stringBool = Gen.elements [ "true"; "false" ]

/// A label key (optionally prefixed) and a label value.
let labelEntry =
    gen {
        let! prefix = Gen.oneof [ Gen.constant ""; dnsName |> Gen.map (fun p -> p + "/") ]
        let! name = dnsLabel 20
        let! value = Gen.oneof [ Gen.constant ""; dnsLabel 20 ]
        return prefix + name, Json.String value
    }

let labelMap (max: int) =
    gen {
        let! n = Gen.choose (0, max)
        let! entries = Gen.listOfLength n labelEntry
        return Json.obj entries
    }

/// Gen<Json option>: present with the given probability weight, else absent.
let maybe (g: Gen<Json>) =
    Gen.frequency [ 2, g |> Gen.map Some; 1, Gen.constant None ]

let str (g: Gen<string>) = g |> Gen.map Json.String
let int (lo: int) (hi: int) = Gen.choose (lo, hi) |> Gen.map Json.num
