/// The CRs `ztwim-sim fuzz` draws from: the manual's samples shipped with ztwim-sim, each with a few valid
/// variations (log levels, replicas, a second cluster name, which is an immutable change once operands
/// exist), and broken edits the schema cannot catch (federating with the own trust domain) or can.
module Ztwim.Sim.Fuzz.BuiltinSpecs

open System
open System.IO
open System.Reflection
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Adapters.Files
open Ztwim.Sim.Fuzz.FuzzGen

let private sample (file: string) =
    use stream =
        Assembly.GetExecutingAssembly().GetManifestResourceStream("scenarios/crs/" + file)

    use reader = new StreamReader(stream)

    match ManifestReader.Read(reader.ReadToEnd()) with
    | Ok [ cr ] -> cr
    | _ -> failwithf "the shipped sample %s is not one CR" file

let private samples =
    lazy
        (Map.ofList
            [ Kind.ZeroTrustWorkloadIdentityManager, sample "ztwim.yaml"
              Kind.SpireServer, sample "spire-server.yaml"
              Kind.SpireAgent, sample "spire-agent.yaml"
              Kind.SpiffeCSIDriver, sample "spiffe-csi-driver.yaml"
              Kind.SpireOIDCDiscoveryProvider, sample "spire-oidc-discovery-provider.yaml" ])

let private withSpec (field: string) (value: Json) (cr: Json) =
    match cr with
    | Json.Object m ->
        match Map.tryFind "spec" m with
        | Some(Json.Object spec) -> Json.Object(Map.add "spec" (Json.Object(Map.add field value spec)) m)
        | _ -> cr
    | other -> other

let private pick (r: Random) (items: 'a list) = items.[r.Next items.Length]

let private valid (kind: Kind) (r: Random) =
    let cr = samples.Value.[kind]

    let level () =
        Json.String(pick r [ "debug"; "info"; "warn"; "error" ])

    match kind with
    | Kind.ZeroTrustWorkloadIdentityManager ->
        cr
        |> withSpec
            "clusterName"
            (Json.String(pick r [ "production-cluster"; "production-cluster"; "staging-cluster" ]))
    | Kind.SpiffeCSIDriver -> cr
    | Kind.SpireOIDCDiscoveryProvider -> cr |> withSpec "replicaCount" (Json.num (1 + r.Next 2))
    | _ -> cr |> withSpec "logLevel" (level ())

let private ownTrustDomain =
    Json.obj
        [ "bundleEndpoint", Json.obj [ "profile", Json.String "https_spiffe" ]
          "federatesWith",
          Json.arr
              [ Json.obj
                    [ "trustDomain", Json.String "example.com"
                      "bundleEndpointUrl", Json.String "https://federation.example.com"
                      "bundleEndpointProfile", Json.String "https_web" ] ] ]

let private broken (kind: Kind) (cr: Json) (r: Random) =
    match kind with
    | Kind.SpireServer when r.Next 2 = 0 -> Some(withSpec "federation" ownTrustDomain cr, "federatesWith[0]")
    | Kind.ZeroTrustWorkloadIdentityManager ->
        Some(withSpec "trustDomain" (Json.String "Not A Domain") cr, "trustDomain")
    | _ -> Some(withSpec "logLevel" (Json.String "loud") cr, "logLevel")

/// The shipped samples and their variations.
let source: SpecSource = { Valid = valid; Broken = broken }
