/// Generators of valid CommonConfig members (labels, resources, affinity, tolerations, nodeSelector).
module Ztwim.Properties.Generators.CommonConfig

open FsCheck
open FsCheck.FSharp
open Ztwim.Kernel
open Ztwim.Properties.Generators.Values

let private toleration =
    gen {
        let! key = dnsLabel 10
        let! value = dnsLabel 10
        let! effect = Gen.elements [ "NoSchedule"; "PreferNoSchedule"; "NoExecute" ]

        let! shape =
            Gen.elements
                [ [ "operator", Json.String "Exists" ]
                  [ "key", Json.String key
                    "operator", Json.String "Exists"
                    "effect", Json.String effect ]
                  [ "key", Json.String key
                    "operator", Json.String "Equal"
                    "value", Json.String value ]
                  [ "key", Json.String key
                    "value", Json.String value
                    "effect", Json.String "NoExecute"
                    "tolerationSeconds", Json.num 30 ] ]

        return Json.obj shape
    }

let private resources =
    gen {
        let! cpu = Gen.choose (1, 4)
        let! mem = Gen.choose (64, 512)
        let! withLimits = Gen.elements [ true; false ]

        let requests =
            Json.obj
                [ "cpu", Json.String(sprintf "%dm" (cpu * 100))
                  "memory", Json.String(sprintf "%dMi" mem) ]

        let limits =
            Json.obj [ "cpu", Json.num cpu; "memory", Json.String(sprintf "%dMi" (mem * 2)) ]

        return
            Json.objOpt
                [ "requests", Some requests
                  "limits", (if withLimits then Some limits else None) ]
    }

let private affinity =
    gen {
        let! key = dnsLabel 10
        let! value = dnsLabel 10
        let! weight = Gen.choose (1, 100)

        let nodeTerm =
            Json.obj
                [ "matchExpressions",
                  Json.Array
                      [ Json.obj
                            [ "key", Json.String key
                              "operator", Json.String "In"
                              "values", Json.Array [ Json.String value ] ] ] ]

        let podTerm =
            Json.obj
                [ "labelSelector", Json.obj [ "matchLabels", Json.obj [ key, Json.String value ] ]
                  "topologyKey", Json.String "kubernetes.io/hostname" ]

        return!
            Gen.elements
                [ Json.obj
                      [ "nodeAffinity",
                        Json.obj
                            [ "requiredDuringSchedulingIgnoredDuringExecution",
                              Json.obj [ "nodeSelectorTerms", Json.Array [ nodeTerm ] ] ] ]
                  Json.obj
                      [ "podAntiAffinity",
                        Json.obj
                            [ "preferredDuringSchedulingIgnoredDuringExecution",
                              Json.Array [ Json.obj [ "weight", Json.num weight; "podAffinityTerm", podTerm ] ] ] ] ]
    }

/// The CommonConfig members of a spec, each present or absent.
let members: Gen<(string * Json option) list> =
    gen {
        let! labels = maybe (labelMap 3)
        let! nodeSelector = maybe (labelMap 2)

        let! tolerations =
            maybe (
                Gen.choose (1, 3)
                |> Gen.bind (fun n -> Gen.listOfLength n toleration)
                |> Gen.map Json.Array
            )

        let! resources = maybe resources
        let! affinity = maybe affinity

        return
            [ "labels", labels
              "nodeSelector", nodeSelector
              "tolerations", tolerations
              "resources", resources
              "affinity", affinity ]
    }
