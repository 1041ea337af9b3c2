module Ztwim.Specs.Api.SingletonSpecs

open Expecto
open Ztwim.Kernel.Api
open Ztwim.Specs.Api.Examples

let private rows (kind: Kind) =
    let singleton =
        sprintf "%s is a singleton, .metadata.name must be 'cluster'" (Kind.name kind)

    [ accepts "metadata.name" (str "cluster")
      rejects "metadata.name" (str "other") singleton
      rejects "metadata.name" (str "Cluster") singleton
      rejects "metadata.name" (str "") singleton
      requires "metadata.name"
      requires "metadata"
      rejects "metadata" (str "cluster") "must be an object, not string" ]

let tables =
    [ for kind in Kind.all -> table (Kind.name kind) kind (minimal kind) (rows kind) ]

[<Tests>]
let tests = testList "singleton" (tables |> List.map tableTests)
