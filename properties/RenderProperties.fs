/// Properties of rendering over generated valid CRs and Modes: total, deterministic, labelled and owned,
/// well named, unique, and config hashes that change exactly when the config bytes change.
module Ztwim.Properties.RenderProperties

open Expecto
open FsCheck
open FsCheck.FSharp
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Render
open Ztwim.Kernel.Operands
open Ztwim.Properties.Generators

let private withUid (uid: string) (cr: Json) =
    JsonEdit.set [ "metadata"; "uid" ] (Some(Json.String uid)) cr

/// The five CRs, valid, each with a uid.
let private crJsons =
    gen {
        let! specs = Kind.all |> List.map Specs.specOf |> Gen.sequenceToList

        return
            List.zip Kind.all specs
            |> List.map (fun (k, s) -> Specs.envelope k s |> withUid (sprintf "uid-%s" (Kind.name k)))
    }

let private crSet (jsons: Json list) =
    jsons |> List.choose (Crs.parse >> Result.toOption) |> Operands.ofResources

let private mode =
    gen {
        let! platform = Gen.elements [ OpenShift; Kubernetes ]
        let! ns = Values.dnsLabel 30
        let! proxy = Gen.elements [ None; Some "http://proxy.example.com:3128" ]
        let! noProxy = Gen.elements [ None; Some ".cluster.local,10.0.0.0/8" ]
        let! bundle = Gen.elements [ None; Some "trusted-ca" ]
        let! image = Gen.elements [ None; Some "registry.example.com/spire-server:1.13.3"; Some "" ]

        let env =
            [ "OPERATOR_NAMESPACE", Some ns
              "HTTPS_PROXY", proxy
              "NO_PROXY", noProxy
              "TRUSTED_CA_BUNDLE_CONFIGMAP", bundle
              "RELATED_IMAGE_SPIRE_SERVER", image ]
            |> List.choose (fun (k, v) -> v |> Option.map (fun v -> k, v))
            |> Map.ofList

        return Mode.ofEnvironment platform env
    }

let private field (path: string list) (json: Json) = JsonEdit.get path json

let private str (path: string list) (json: Json) =
    match field path json with
    | Some(Json.String s) -> s
    | _ -> ""

let private config runs = ParseProperties.config runs

[<Tests>]
let properties =
    testList
        "render"
        [ testPropertyWithConfig (config 300) "is total and deterministic"
          <| Prop.forAll (Arb.fromGen (Gen.zip crJsons mode)) (fun (jsons, mode) ->
              let once = Operands.desired (crSet jsons) mode
              let again = Operands.desired (crSet jsons) mode
              // Equal values print to equal bytes: JsonText and Yaml are functions of the value alone.
              Expect.equal once again "same objects")

          testPropertyWithConfig (config 300) "every object is labelled and owned by its CR"
          <| Prop.forAll (Arb.fromGen (Gen.zip crJsons mode)) (fun (jsons, mode) ->
              for r, json in Operands.desired (crSet jsons) mode |> DesiredObject.manifests do
                  let at = sprintf "%s %s" r.Kind r.Name

                  for key, value in
                      [ "app.kubernetes.io/managed-by", "zero-trust-workload-identity-manager"
                        "app.kubernetes.io/part-of", "zero-trust-workload-identity-manager"
                        "app.kubernetes.io/instance", "cluster-zero-trust-workload-identity-manager" ] do
                      Expect.equal (str [ "metadata"; "labels"; key ] json) value (at + " " + key)

                  for key in
                      [ "app.kubernetes.io/name"
                        "app.kubernetes.io/component"
                        "app.kubernetes.io/version" ] do
                      Expect.notEqual (str [ "metadata"; "labels"; key ] json) "" (at + " " + key)

                  match field [ "metadata"; "ownerReferences" ] json with
                  | Some(Json.Array [ owner ]) ->
                      let kind = str [ "kind" ] owner
                      Expect.isSome (Kind.tryParse kind) (at + " owner kind")
                      Expect.equal (str [ "uid" ] owner) (sprintf "uid-%s" kind) (at + " owner uid")
                      Expect.equal (field [ "controller" ] owner) (Some(Json.Bool true)) (at + " controller")
                  | other -> failtestf "%s: owner references %A" at other)

          testPropertyWithConfig (config 300) "names are valid and no two objects share kind, namespace and name"
          <| Prop.forAll (Arb.fromGen (Gen.zip crJsons mode)) (fun (jsons, mode) ->
              let objects = Operands.desired (crSet jsons) mode
              let refs = objects |> List.map DesiredObject.ref
              Expect.equal (refs |> List.distinct |> List.length) refs.Length "unique references"

              for r in refs do
                  let limit =
                      if r.Kind = "Service" then
                          Names.label r.Name
                      else
                          Names.subdomain r.Name

                  Expect.isNone limit (sprintf "%s name %s" r.Kind r.Name)

                  r.Namespace
                  |> Option.iter (fun ns -> Expect.isNone (Names.label ns) (sprintf "%s namespace %s" r.Kind ns)))

          testPropertyWithConfig (config 300) "on plain Kubernetes nothing OpenShift-only is rendered"
          <| Prop.forAll (Arb.fromGen crJsons) (fun jsons ->
              let objects =
                  Operands.desired (crSet jsons) (Mode.ofEnvironment Kubernetes Map.empty)
                  |> DesiredObject.manifests

              for r, json in objects do
                  Expect.isFalse (List.contains r.Kind [ "Route"; "SecurityContextConstraints" ]) r.Kind

                  Expect.isNone
                      (field
                          [ "metadata"
                            "annotations"
                            "service.beta.openshift.io/serving-cert-secret-name" ]
                          json)
                      (r.Kind + " " + r.Name)) ]

/// Where each config lives (ConfigMap) and which pod template annotation hashes it.
let private hashedConfigs =
    [ "StatefulSet", "spire-server", "ztwim.openshift.io/spire-server-config-hash", "spire-server"
      "StatefulSet",
      "spire-server",
      "ztwim.openshift.io/spire-controller-manager-config-hash",
      "spire-controller-manager"
      "DaemonSet", "spire-agent", "ztwim.openshift.io/spire-agent-config-hash", "spire-agent"
      "Deployment",
      "spire-spiffe-oidc-discovery-provider",
      "ztwim.openshift.io/spire-oidc-discovery-provider-config-hash",
      "spire-spiffe-oidc-discovery-provider" ]

/// A second set of CRs: the same, one that changes the configs (log levels), or one that changes only
/// scheduling (node selectors), which must not touch any config.
let private variant (jsons: Json list) =
    Gen.elements
        [ jsons
          jsons
          |> List.map (fun cr ->
              if
                  Json.tryField "kind" cr = Some(Json.String "SpiffeCSIDriver")
                  || Json.tryField "kind" cr = Some(Json.String "ZeroTrustWorkloadIdentityManager")
              then
                  cr
              else
                  JsonEdit.set [ "spec"; "logLevel" ] (Some(Json.String "debug")) cr
                  |> JsonEdit.set [ "spec"; "logFormat" ] (Some(Json.String "json")))
          jsons
          |> List.map (JsonEdit.set [ "spec"; "nodeSelector" ] (Some(Json.obj [ "disk", Json.String "ssd" ]))) ]

[<Tests>]
let hashes =
    testPropertyWithConfig (config 300) "render: a config's hash changes exactly when its bytes change"
    <| Prop.forAll
        (Arb.fromGen (
            gen {
                let! a = crJsons
                let! b = variant a
                let! m = mode
                return a, b, m
            }
        ))
        (fun (a, b, mode) ->
            let objects (jsons: Json list) =
                Operands.desired (crSet jsons) mode |> DesiredObject.manifests

            let find (objects: (ObjectRef * Json) list) kind name =
                objects
                |> List.tryFind (fun (r, _) -> r.Kind = kind && r.Name = name)
                |> Option.map snd

            let oa, ob = objects a, objects b

            for kind, workload, annotation, configMap in hashedConfigs do
                match find oa kind workload, find ob kind workload with
                | Some wa, Some wb ->
                    let hash w =
                        str [ "spec"; "template"; "metadata"; "annotations"; annotation ] w

                    let data objects =
                        find objects "ConfigMap" configMap |> Option.bind (field [ "data" ])

                    Expect.notEqual (hash wa) "" (sprintf "%s has %s" workload annotation)

                    Expect.equal
                        (data oa = data ob)
                        (hash wa = hash wb)
                        (sprintf "%s: same config ⇔ same hash" annotation)
                | _ -> ())

/// What ztwim renders, stored by the modelled API server (defaults, respellings, server fields), then planned
/// again: a converged cluster needs no write. This joins the renderer and the planner.
[<Tests>]
let convergedRenderIsQuiet =
    testPropertyWithConfig (config 200) "render: what the API server stores from a render needs no further write"
    <| Prop.forAll
        (Arb.fromGen (
            gen {
                let! jsons = crJsons
                let! m = mode
                let desired = Operands.desired (crSet jsons) m

                let! stored =
                    desired
                    |> DesiredObject.manifests
                    |> List.map (fun (r, j) -> ApiServerModel.serve j |> Gen.map (fun s -> r, s))
                    |> Gen.sequenceToList

                return desired, Map.ofList stored
            }
        ))
        (fun (desired, observed) ->
            let actions =
                Ztwim.Kernel.Plan.Plan.plan
                    { Desired = desired
                      Observed = observed
                      Component = [ "control-plane"; "node-agent"; "csi"; "discovery" ]
                      CreateOnly = false }

            Expect.equal (actions |> List.map Ztwim.Kernel.Plan.Action.describe) [] "no writes")
