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
          } ]
