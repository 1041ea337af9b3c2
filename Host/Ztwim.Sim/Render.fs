/// `ztwim-sim render`: the desired objects for the CRs in manifest files, as the operator would apply them.
module Ztwim.Sim.Render

open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Render
open Ztwim.Kernel.Operands

/// Output format.
type Output =
    | YamlDocuments
    | JsonArray

/// A serving-certificate requirement printed as an object, so that it shows up beside the manifests.
let private requirement (c: ServingCertificate) =
    Json.obj
        [ "apiVersion", Json.String "ztwim.openshift.io/v1alpha1"
          "kind", Json.String "ServingCertificateRequirement"
          "metadata", Json.obj [ "name", Json.String c.SecretName; "namespace", Json.String c.Namespace ]
          "spec",
          Json.obj
              [ "secretName", Json.String c.SecretName
                "dnsNames", Json.Array(c.DnsNames |> List.map Json.String) ] ]

/// The printed form of each desired object, in (kind, namespace, name) order.
let printable (objects: DesiredObject list) =
    objects
    |> List.sortBy DesiredObject.sortKey
    |> List.map (function
        | Manifest(_, json) -> json
        | ServingCertificateFor c -> requirement c)

/// Renders the CRs of the files; invalid CRs print their errors (as `check` does) and make the exit code 2.
let run (mode: Mode) (output: Output) (files: string list) (out: string -> unit) =
    let read =
        files
        |> List.map (fun f ->
            match Check.readFile f with
            | Ok docs -> docs, true
            | Error line ->
                out line
                [], false)

    let parsed =
        read
        |> List.collect fst
        |> List.map (fun doc ->
            match Crs.parse doc with
            | Ok r -> Some r
            | Error _ ->
                Check.checkObject doc |> fst |> List.iter out
                None)

    let objects =
        Operands.desired (parsed |> List.choose id |> Operands.ofResources) mode
        |> printable

    match output with
    | YamlDocuments ->
        if not objects.IsEmpty then
            out (Yaml.printAll objects)
    | JsonArray -> out (JsonText.indented (Json.Array objects))

    if List.forall snd read && List.forall Option.isSome parsed then
        0
    else
        2
