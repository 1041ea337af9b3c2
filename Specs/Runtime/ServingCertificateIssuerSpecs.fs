module Ztwim.Specs.Runtime.ServingCertificateIssuerSpecs

open System
open System.Security.Cryptography
open System.Security.Cryptography.X509Certificates
open System.Text
open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Render
open Ztwim.Kernel.Reconcile
open Ztwim.Adapters.Cluster
open Ztwim.Adapters.Runtime

let private now = DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero)

let private certificate =
    { SecretName = "oidc-serving-cert"
      Namespace = "zero-trust-workload-identity-manager"
      DnsNames =
        [ "spire-spiffe-oidc-discovery-provider.zero-trust-workload-identity-manager.svc"
          "spire-spiffe-oidc-discovery-provider.zero-trust-workload-identity-manager.svc.cluster.local" ] }

let private decoded (secret: Json) (key: string) =
    Encoding.ASCII.GetString(Convert.FromBase64String(secret.Str("data", key)))

[<Tests>]
let tests =
    testList
        "serving certificate issuer"
        [ test "a TLS Secret of ours, for the Service's names, valid a year from now, its key the certificate's" {
              let secret = ServingCertificateIssuer.SecretFor(certificate, now)
              Expect.equal (secret.Str("type")) "kubernetes.io/tls" "type"
              Expect.equal (secret.RefOf()) (DesiredObject.ref (ServingCertificateFor certificate)) "the desired Secret"
              Expect.isTrue (Ztwim.Kernel.Plan.Plan.isOurs secret) "labelled as ours"

              use cert =
                  X509Certificate2.CreateFromPem(decoded secret "tls.crt", decoded secret "tls.key")

              Expect.isTrue cert.HasPrivateKey "the key is the certificate's"

              Expect.equal
                  (cert.NotAfter.ToUniversalTime())
                  (now + ServingCertificates.validity).UtcDateTime
                  "not after"

              Expect.isLessThan (cert.NotBefore.ToUniversalTime()) now.UtcDateTime "valid already"

              let names =
                  cert.Extensions
                  |> Seq.choose (function
                      | :? X509SubjectAlternativeNameExtension as san -> Some(List.ofSeq (san.EnumerateDnsNames()))
                      | _ -> None)
                  |> List.concat

              Expect.equal names certificate.DnsNames "subject alternative names"

              Expect.equal
                  (secret.Str("metadata", "annotations", Certificates.notAfterAnnotation))
                  "2027-06-01T12:00:00Z"
                  "the recorded expiry, which the kernel renews by"
          }
          test "the kernel keeps what it issued until the renewal window" {
              let secret = ServingCertificateIssuer.SecretFor(certificate, now)
              let observed = Map.ofList [ secret.RefOf(), secret ]

              let toIssue at =
                  Certificates.toIssue
                      { Mode.defaults with
                          Platform = Kubernetes }
                      false
                      at
                      [ ServingCertificateFor certificate ]
                      observed

              Expect.isEmpty (toIssue now) "just issued"
              Expect.isEmpty (toIssue (now + TimeSpan.FromDays 334.0)) "31 days left"
              Expect.equal (toIssue (now + TimeSpan.FromDays 336.0)) [ certificate ] "29 days left"
          } ]
