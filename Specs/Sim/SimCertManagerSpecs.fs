/// The simulated cert-manager: what the operator relies on when it hands a serving certificate over.
module Ztwim.Specs.Sim.SimCertManagerSpecs

open System
open Expecto
open Ztwim.Kernel
open Ztwim.Adapters.Cluster
open Ztwim.Adapters.Sim
open Ztwim.Specs.Api.Examples
open Ztwim.Specs.Sim.SimFixture

let private withCertManager () =
    simWith (SimClusterOptions(ServedTypes = SimClusterOptions.TypesFor(false, true)))

let private create (s: Sim) obj =
    s.User.CreateAsync(obj, ct) |> ok |> ignore

let private issuer =
    json
        """{"apiVersion": "cert-manager.io/v1", "kind": "Issuer", "metadata": {"name": "ca", "namespace": "ns"},
            "spec": {"selfSigned": {}}}"""

let private certificate =
    json
        """{"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": {"name": "web", "namespace": "ns"},
            "spec": {"secretName": "web-tls", "dnsNames": ["web.ns.svc"], "issuerRef": {"kind": "Issuer", "name": "ca"},
                     "secretTemplate": {"labels": {"owner": "us"}}}}"""

let private secretRef = refTo "v1" "Secret" (Some "ns") "web-tls"

let private certificateRef =
    refTo "cert-manager.io/v1" "Certificate" (Some "ns") "web"

let private annotation key (obj: Json) =
    at "metadata.annotations" obj |> Json.tryField key

let private secret (s: Sim) =
    match find s secretRef with
    | Some found -> found
    | None -> failtest "no Secret issued"

[<Tests>]
let tests =
    testList
        "simulated cert-manager"
        [ test "a Certificate is issued into its Secret, with the template's labels, and marked Ready" {
              let s = withCertManager ()
              create s issuer
              create s certificate
              advance s (TimeSpan.FromSeconds 1.0)
              let issued = secret s
              Expect.equal (text "type" issued) "kubernetes.io/tls" "type"
              Expect.equal (text "metadata.labels.owner" issued) "us" "template label"
              Expect.equal (annotation "cert-manager.io/certificate-name" issued) (Some(str "web")) "annotation"
              Expect.isSome (tryGet "data" issued |> Option.bind (Json.tryField "tls.crt")) "certificate"

              let ready = find s certificateRef |> Option.get
              Expect.equal (text "status.conditions[0].status" ready) "True" "Ready"
          }
          test "an existing Secret is taken over: its data replaced, its labels and annotations kept" {
              let s = withCertManager ()

              create
                  s
                  (json
                      """{"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
                          "metadata": {"name": "web-tls", "namespace": "ns", "labels": {"mine": "yes"},
                                       "annotations": {"note": "kept"}},
                          "data": {"tls.crt": "b2xk", "tls.key": "b2xk"}}""")

              create s issuer
              create s certificate
              advance s (TimeSpan.FromSeconds 1.0)
              let issued = secret s
              Expect.equal (text "metadata.labels.mine" issued) "yes" "label kept"
              Expect.equal (annotation "note" issued) (Some(str "kept")) "annotation kept"

              Expect.notEqual
                  (tryGet "data" issued |> Option.bind (Json.tryField "tls.crt"))
                  (Some(str "b2xk"))
                  "re-issued"
          }
          test
              "once issued nothing more is written, even when the Certificate changes; a Secret deleted is issued again" {
              let s = withCertManager ()
              create s issuer
              create s certificate
              advance s (TimeSpan.FromSeconds 1.0)
              let settled = s.Cluster.ResourceVersion
              advance s (TimeSpan.FromMinutes 10.0)
              Expect.equal s.Cluster.ResourceVersion settled "quiet"

              let issued = rv (secret s)

              s.User.MergePatchAsync(certificateRef, json """{"metadata": {"labels": {"touched": "yes"}}}""", ct)
              |> ok
              |> ignore

              advance s (TimeSpan.FromSeconds 1.0)
              Expect.equal (rv (secret s)) issued "the same names and issuer: not issued again"

              s.User.DeleteAsync(secretRef, ct) |> ok |> ignore
              advance s (TimeSpan.FromSeconds 1.0)
              Expect.isSome (find s secretRef) "issued again"
          }
          test "a Certificate whose Issuer is missing waits for it" {
              let s = withCertManager ()
              create s certificate
              advance s (TimeSpan.FromMinutes 1.0)
              Expect.isTrue (isGone s secretRef) "waiting"
              create s issuer
              advance s (TimeSpan.FromSeconds 1.0)
              Expect.isSome (find s secretRef) "issued once the Issuer exists"
          }
          test "a cluster without cert-manager.io serves no Certificate" {
              let s =
                  simWith (SimClusterOptions(ServedTypes = SimClusterOptions.PlainKubernetesTypes))

              let e = s.User.CreateAsync(certificate, ct) |> fails
              Expect.equal e.Code 404 "not served"
          } ]
