module Ztwim.Specs.Reconcile.CertificatesSpecs

open System
open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Render
open Ztwim.Kernel.Reconcile

let private now = DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero)

let private certificate =
    { SecretName = "oidc-serving-cert"
      Namespace = Mode.defaults.Namespace
      DnsNames = [ "spire-spiffe-oidc-discovery-provider.zero-trust-workload-identity-manager.svc" ] }

let private secretRef = DesiredObject.ref (ServingCertificateFor certificate)

let private kubernetes =
    { Mode.defaults with
        Platform = Kubernetes }

let private field name json =
    Json.tryField name json |> Option.defaultValue Json.Null

let private certManager = { kubernetes with CertManager = true }

let private owner =
    { Kind = Ztwim.Kernel.Api.Kind.SpireOIDCDiscoveryProvider
      Uid = "uid-1" }

let private secret (labelled: bool) (notAfter: string option) =
    Json.obj
        [ "apiVersion", Json.String "v1"
          "kind", Json.String "Secret"
          "metadata",
          Json.objOpt
              [ "name", Some(Json.String certificate.SecretName)
                "namespace", Some(Json.String certificate.Namespace)
                "labels",
                (if labelled then
                     Some(Json.obj [ Labels.managedByKey, Json.String Labels.operatorName ])
                 else
                     None)
                "annotations",
                notAfter
                |> Option.map (fun t -> Json.obj [ Certificates.notAfterAnnotation, Json.String t ]) ] ]

let private toIssue mode createOnly observed =
    Certificates.toIssue mode createOnly now [ ServingCertificateFor certificate ] observed

[<Tests>]
let tests =
    testList
        "serving certificates on plain Kubernetes"
        [ test "on OpenShift the service CA issues them: none" {
              Expect.isEmpty (toIssue Mode.defaults false Map.empty) "OpenShift"
          }
          test "a missing Secret is issued" {
              Expect.equal (toIssue kubernetes false Map.empty) [ certificate ] "missing"
          }
          test "one of ours far from expiry is kept; within 30 days of it, issued again" {
              let ours t =
                  Map.ofList [ secretRef, secret true (Some t) ]

              Expect.isEmpty (toIssue kubernetes false (ours "2026-07-02T00:00:00Z")) "31 days left"
              Expect.equal (toIssue kubernetes false (ours "2026-07-01T00:00:00Z")) [ certificate ] "30 days left"
              Expect.equal (toIssue kubernetes false (ours "2026-05-01T00:00:00Z")) [ certificate ] "expired"
          }
          test "one of ours without a readable expiry is issued again" {
              Expect.equal
                  (toIssue kubernetes false (Map.ofList [ secretRef, secret true None ]))
                  [ certificate ]
                  "none"

              Expect.equal
                  (toIssue kubernetes false (Map.ofList [ secretRef, secret true (Some "soon") ]))
                  [ certificate ]
                  "unreadable"
          }
          test "a Secret of the user's by that name is theirs, expired or not" {
              Expect.isEmpty
                  (toIssue kubernetes false (Map.ofList [ secretRef, secret false (Some "2026-05-01T00:00:00Z") ]))
                  "unlabelled"
          }
          test "create-only mode issues a missing one, and renews nothing" {
              Expect.equal (toIssue kubernetes true Map.empty) [ certificate ] "missing"

              Expect.isEmpty
                  (toIssue kubernetes true (Map.ofList [ secretRef, secret true (Some "2026-05-01T00:00:00Z") ]))
                  "expired, create-only"
          }
          test "with cert-manager, a missing Secret is still issued first, and nothing of ours is renewed" {
              Expect.equal (toIssue certManager false Map.empty) [ certificate ] "missing"

              Expect.isEmpty
                  (toIssue certManager false (Map.ofList [ secretRef, secret true (Some "2026-05-01T00:00:00Z") ]))
                  "cert-manager renews what it was handed"
          } ]

/// cert-manager is handed a certificate only when it may write its Secret.
[<Tests>]
let handOver =
    let rendered mode =
        ServingCertificates.render mode Map.empty owner certificate

    let handed mode observed =
        Certificates.handOver mode observed (rendered mode)
        |> List.map (DesiredObject.ref >> fun r -> r.Kind, r.Name)

    let certificateObserved =
        ServingCertificates.certificateRef certificate, Json.obj []

    testList
        "serving certificates handed to cert-manager"
        [ test "on OpenShift cert-manager is never asked, and without it there is only the request" {
              Expect.isEmpty
                  (rendered
                      { Mode.defaults with
                          CertManager = true })
                  "OpenShift"

              Expect.equal (rendered kubernetes) [ ServingCertificateFor certificate ] "no cert-manager"
          }
          test "the Certificate writes the Secret, with our label, for the Service's names, from our own Issuer" {
              let find kind =
                  rendered certManager
                  |> DesiredObject.manifests
                  |> List.find (fun (r, _) -> r.Kind = kind)
                  |> snd

              let issuer = find "Issuer"
              let spec = find "Certificate" |> field "spec"

              Expect.equal (issuer |> field "spec") (Json.obj [ "selfSigned", Json.obj [] ]) "self-signed Issuer"
              Expect.equal (spec |> field "secretName") (Json.String certificate.SecretName) "secret"

              Expect.equal (spec |> field "dnsNames") (Json.Array(certificate.DnsNames |> List.map Json.String)) "names"

              Expect.equal
                  (spec |> field "secretTemplate")
                  (Json.obj [ "labels", Json.obj [ Labels.managedByKey, Json.String Labels.operatorName ] ])
                  "our label on the Secret"

              Expect.equal
                  (spec |> field "issuerRef")
                  (Json.obj
                      [ "group", Json.String "cert-manager.io"
                        "kind", Json.String "Issuer"
                        "name", Json.String "oidc-serving-cert-selfsigned" ])
                  "issuer"

              Expect.equal (spec |> field "duration") (Json.String "8760h0m0s") "a year"
              Expect.equal (spec |> field "renewBefore") (Json.String "720h0m0s") "30 days"
          }
          test "CERT_MANAGER_ISSUER names the issuer instead of one of ours" {
              let mode =
                  { certManager with
                      CertManagerIssuer =
                          Some
                              { Kind = "ClusterIssuer"
                                Name = "corp-ca" } }

              let manifests = rendered mode |> DesiredObject.manifests
              Expect.equal (manifests |> List.map (fun (r, _) -> r.Kind)) [ "Certificate" ] "no Issuer of ours"

              Expect.equal
                  (manifests.Head |> snd |> field "spec" |> field "issuerRef")
                  (Json.obj
                      [ "group", Json.String "cert-manager.io"
                        "kind", Json.String "ClusterIssuer"
                        "name", Json.String "corp-ca" ])
                  "issuer"
          }
          test "before the first Secret exists, cert-manager waits for ours" {
              Expect.equal (handed certManager Map.empty) [ "Secret", certificate.SecretName ] "only the request"
          }
          test "once our Secret exists, or the Certificate does, cert-manager keeps it" {
              let all =
                  [ "Secret", certificate.SecretName
                    "Issuer", "oidc-serving-cert-selfsigned"
                    "Certificate", certificate.SecretName ]

              Expect.equal (handed certManager (Map.ofList [ secretRef, secret true None ])) all "our Secret"

              Expect.equal
                  (handed certManager (Map.ofList [ certificateObserved ]))
                  all
                  "Secret deleted, Certificate kept"
          }
          test "a Secret of the user's is never handed to cert-manager, even once it was" {
              let observed = Map.ofList [ secretRef, secret false None; certificateObserved ]
              Expect.equal (handed certManager observed) [ "Secret", certificate.SecretName ] "theirs"
          }
          test "without cert-manager nothing is withheld" {
              Expect.equal (handed kubernetes Map.empty) [ "Secret", certificate.SecretName ] "request"
          } ]
