/// Status values: printing then reading gives them back, and the CRD status schemas agree with the reader.
module Ztwim.Properties.StatusProperties

open System
open Expecto
open FsCheck
open FsCheck.FSharp
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Properties.Generators

let private condition =
    gen {
        let! kind = Gen.elements [ "Ready"; "ConfigurationValid"; "example.com/Custom"; "StatefulSetAvailable" ]
        let! status = Gen.elements [ ConditionStatus.True; ConditionStatus.False; ConditionStatus.Unknown ]
        let! reason = Gen.elements [ "Ready"; "Progressing"; "TTLValidationFailed"; "a:b,c_d" ]

        let! message =
            Gen.elements
                [ ""
                  "All components are ready"
                  "Waiting for operands: [SpireServer(not created)]" ]

        let! seconds = Gen.choose (0, 1_000_000_000)
        let! generation = Gen.elements [ None; Some 0L; Some 7L ]

        return
            { Type = kind
              Status = status
              Reason = reason
              Message = message
              LastTransitionTime = DateTimeOffset.FromUnixTimeSeconds(int64 seconds)
              ObservedGeneration = generation }
    }

let private conditions =
    Gen.choose (0, 4)
    |> Gen.bind (fun n -> Gen.listOfLength n condition)
    |> Gen.map (List.distinctBy _.Type)

let private ztwimStatus =
    gen {
        let! cs = conditions
        let! n = Gen.choose (0, 4)

        let! operands =
            Gen.listOfLength
                n
                (gen {
                    let! kind =
                        Gen.elements
                            [ Kind.SpireServer
                              Kind.SpireAgent
                              Kind.SpiffeCSIDriver
                              Kind.SpireOIDCDiscoveryProvider ]

                    let! ready = Gen.elements [ true; false ]
                    let! message = Gen.elements [ None; Some "Ready"; Some "CR not found" ]
                    let! cs = conditions

                    return
                        { Name = "cluster"
                          Kind = kind
                          Ready = ready
                          Message = message
                          Conditions = cs }
                })

        return
            { Conditions = cs
              Operands = operands |> List.distinctBy _.Kind }
    }

let private statusNode (json: Json) = Read.root "status" json

/// A ZTWIM CR carrying a status, with one member of the status sometimes replaced by arbitrary JSON.
let private crWithStatus =
    gen {
        let! spec = Specs.ztwim
        let! status = ztwimStatus
        let cr = Specs.envelope Kind.ZeroTrustWorkloadIdentityManager spec
        let printed = Status.printZtwim status
        let paths = ArbitraryJson.paths printed
        let! mutate = Gen.frequency [ 3, Gen.constant true; 1, Gen.constant false ]

        if mutate && not paths.IsEmpty then
            let! i = Gen.choose (0, paths.Length - 1)
            let! replacement = Gen.sized (fun s -> ArbitraryJson.json (min s 4))
            return JsonEdit.set [ "status" ] (Some(JsonEdit.set paths.[i] (Some replacement) printed)) cr
        else
            return JsonEdit.set [ "status" ] (Some printed) cr
    }

[<Tests>]
let properties =
    testList
        "status"
        [ testPropertyWithConfig (ParseProperties.config 1000) "read∘print is the identity"
          <| Prop.forAll (Arb.fromGen ztwimStatus) (fun status ->
              Expect.equal (Status.readZtwim (statusNode (Status.printZtwim status))) (Ok status) "round trip")

          testPropertyWithConfig (ParseProperties.config 3000) "what the status schema rejects, the reader rejects"
          <| Prop.forAll (Arb.fromGen (crWithStatus |> Gen.filter CrdProperties.fitsValidator)) (fun cr ->
              let schema = CrdSchema.schemaErrors Kind.ZeroTrustWorkloadIdentityManager cr

              let status =
                  JsonEdit.get [ "status" ] cr
                  |> Option.defaultValue Json.Null
                  |> statusNode
                  |> Status.readZtwim

              match schema, status with
              | _ :: _, Ok _ ->
                  let shown = JsonEdit.get [ "status" ] cr |> Option.defaultValue Json.Null

                  failtestf
                      "schema rejects (%s), reader accepts:\n%s"
                      (String.concat "; " schema)
                      (JsonText.indented shown)
              | [], Error errors ->
                  failtestf
                      "reader rejects a status the schema accepts:\n%s\n%s"
                      (errors |> List.map FieldError.describe |> String.concat "\n")
                      (JsonText.indented cr)
              | _ -> ()) ]
