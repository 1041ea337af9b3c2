module Ztwim.Specs.Api.QuickstartSpecs

open System.IO
open System.Reflection
open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Adapters.Files

/// The manual's five example CRs, embedded from Host/Ztwim.Sim/quickstart.yaml.
let private quickstart () =
    use stream =
        Assembly.GetExecutingAssembly().GetManifestResourceStream("Ztwim.Specs.quickstart.yaml")

    use reader = new StreamReader(stream)
    reader.ReadToEnd()

let private read (text: string) =
    match ManifestReader.Read text with
    | Ok docs -> docs
    | Error e -> failtestf "manifest: %s" e

let private parsedQuickstart () =
    read (quickstart ())
    |> List.map (fun doc ->
        match Crs.parse doc with
        | Ok r -> r
        | Error es -> failtestf "rejected: %s" (es |> List.map FieldError.describe |> String.concat "; "))

let private agentWith (workloadAttestors: string) =
    sprintf
        "apiVersion: operator.openshift.io/v1alpha1\nkind: SpireAgent\nmetadata:\n  name: cluster\nspec:\n  workloadAttestors:\n%s\n"
        workloadAttestors

[<Tests>]
let tests =
    testList
        "quickstart manifest"
        [ test "the manual's five CRs parse, one of each kind" {
              Expect.equal (parsedQuickstart () |> List.map Crs.kind) Kind.all "kinds"
          }
          test "externalSecretRef: \"\" means unset" {
              match parsedQuickstart () |> List.last with
              | SpireOIDCDiscoveryProvider r ->
                  Expect.equal r.Spec.ExternalSecretRef None "externalSecretRef"
                  Expect.equal r.Spec.JwtIssuer "https://oidc-discovery.apps.cluster.example.com" "jwtIssuer"
              | other -> failtestf "last document is a %A" (Crs.kind other)
          }
          test "tlsSecretName: \"\" means unset, and written values are kept" {
              match parsedQuickstart () |> List.item 1 with
              | SpireServer r ->
                  Expect.equal r.Spec.Datastore.TlsSecretName None "tlsSecretName"
                  Expect.equal r.Spec.Datastore.MaxIdleConns 10L "maxIdleConns"
                  Expect.equal r.Spec.Persistence.Size "5Gi" "size"
                  Expect.equal r.Spec.JwtKeyType (Some Rsa2048) "jwtKeyType"
              | other -> failtestf "second document is a %A" (Crs.kind other)
          }
          test "a YAML boolean without quotes is refused: quote it" {
              let errors =
                  read (agentWith "    k8sEnabled: true")
                  |> List.map Crs.parse
                  |> List.collect (function
                      | Error es -> es
                      | Ok _ -> [])

              Expect.equal
                  errors
                  [ FieldError.admission
                        "spec.workloadAttestors.k8sEnabled"
                        "must be the string \"true\" or \"false\" (quote it in YAML)"
                        (Some(Json.Bool true)) ]
                  "errors"
          }
          test "the same boolean quoted is accepted" {
              match read (agentWith "    k8sEnabled: \"false\"") |> List.map Crs.parse with
              | [ Ok(SpireAgent r) ] -> Expect.isFalse r.Spec.WorkloadAttestors.K8sEnabled "k8sEnabled"
              | other -> failtestf "parsed as %A" other
          } ]
