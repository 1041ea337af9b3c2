module Ztwim.Specs.Api.FederationSpecs

open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Specs.Api.Examples

let private endpoint = "spec.federation.bundleEndpoint"
let private web = endpoint + ".httpsWeb"
let private acme = web + ".acme"
let private cert = web + ".servingCert"
let private peers = "spec.federation.federatesWith"
let private peer = peers + "[0]"

let private withFederation =
    set "spec.federation" (json """{"bundleEndpoint": {}}""") (minimal Kind.SpireServer)

let private withAcme =
    withFederation
    |> set (endpoint + ".profile") (str "https_web")
    |> set
        acme
        (json
            """{"directoryUrl": "https://acme-v02.api.letsencrypt.org/directory", "domainName": "federation.example.org",
                "email": "admin@example.org", "tosAccepted": "true"}""")

let private withServingCert =
    withFederation
    |> set (endpoint + ".profile") (str "https_web")
    |> set cert (json "{}")

let private peerOrg (trustDomain: string) =
    json (
        sprintf
            """{"trustDomain": "%s", "bundleEndpointUrl": "https://federation.%s", "bundleEndpointProfile": "https_spiffe",
                "endpointSpiffeId": "spiffe://%s/spire/server"}"""
            trustDomain
            trustDomain
            trustDomain
    )

let private withPeer =
    withFederation |> set peers (Json.Array [ peerOrg "peer.org" ])

let private peerList (n: int) =
    Json.Array [ for i in 1..n -> peerOrg (sprintf "peer%d.org" i) ]

let private emailPattern = "must match the pattern " + Federation.emailPattern

let private bundleEndpoint =
    [ requires endpoint
      rejects "spec.federation" (str "on") "must be an object, not string"
      rejects endpoint (json "[]") "must be an object, not array"
      defaults (endpoint + ".profile") (str "https_spiffe")
      accepts (endpoint + ".profile") (str "https_spiffe")
      rejects (endpoint + ".profile") (str "https_other") "must be one of: https_spiffe, https_web"
      defaults (endpoint + ".refreshHint") (num 300)
      accepts (endpoint + ".refreshHint") (num 60)
      accepts (endpoint + ".refreshHint") (num 3600)
      rejects (endpoint + ".refreshHint") (num 59) "must be between 60 and 3600"
      rejects (endpoint + ".refreshHint") (num 3601) "must be between 60 and 3600"
      unsetByDefault web
      example
          "https_web requires httpsWeb"
          (set (endpoint + ".profile") (str "https_web"))
          (Refused [ FieldError.admission web "httpsWeb is required when profile is https_web" None ])
      example
          "https_web with a servingCert"
          (edits [ set (endpoint + ".profile") (str "https_web"); set cert (json "{}") ])
          (Reads(web, Some(json """{"servingCert": {"fileSyncInterval": 86400}}""")))
      example
          "httpsWeb with neither acme nor servingCert"
          (set web (json "{}"))
          (Refused [ FieldError.admission acme "exactly one of acme or servingCert must be set" (Some(json "{}")) ])
      example
          "httpsWeb with both acme and servingCert"
          (set web (json """{"acme": {}, "servingCert": {}}"""))
          (Refused
              [ FieldError.admission
                    acme
                    "exactly one of acme or servingCert must be set"
                    (Some(json """{"acme": {}, "servingCert": {}}""")) ])
      unsetByDefault peers ]
    @ stringBoolRows "spec.federation.managedRoute" true

let private acmeRows =
    [ requires (acme + ".directoryUrl")
      accepts (acme + ".directoryUrl") (str "https://acme.example.org/dir")
      rejects (acme + ".directoryUrl") (str "http://acme.example.org/dir") "must match the pattern ^https://.*"
      requires (acme + ".domainName")
      accepts (acme + ".domainName") (str "federation.apps.example.org")
      requires (acme + ".email")
      accepts (acme + ".email") (str "first.last+spire@mail.example.co")
      rejects (acme + ".email") (str "admin@localhost") emailPattern
      rejects (acme + ".email") (str "a@example.org") emailPattern
      rejects (acme + ".email") (str "admin@example.c") emailPattern
      accepts (acme + ".tosAccepted") (str "true")
      // The schema defaults tosAccepted to "false"; the controller refuses ACME without it.
      example
          "tosAccepted defaults to \"false\", which the controller refuses"
          (remove (acme + ".tosAccepted"))
          (Refused [ FieldError.controller (acme + ".tosAccepted") "tosAccepted must be true to use ACME" None ])
      refusedByController (acme + ".tosAccepted") (str "false") "tosAccepted must be true to use ACME"
      rejects (acme + ".tosAccepted") (str "yes") notStringBool
      rejects (acme + ".tosAccepted") (Json.Bool true) quoteIt ]

let private servingCertRows =
    [ defaults (cert + ".fileSyncInterval") (num 86400)
      accepts (cert + ".fileSyncInterval") (num 3600)
      accepts (cert + ".fileSyncInterval") (num 7776000)
      rejects (cert + ".fileSyncInterval") (num 3599) "must be between 3600 and 7776000"
      rejects (cert + ".fileSyncInterval") (num 7776001) "must be between 3600 and 7776000"
      rejects (cert + ".fileSyncInterval") (str "3600") "must be an integer, not string"
      unsetByDefault (cert + ".externalSecretRef")
      // Unlike the OIDC provider's, this externalSecretRef has no pattern.
      accepts (cert + ".externalSecretRef") (str "Router_Cert")
      reads (cert + ".externalSecretRef") (str "") None ]

let private peerRows =
    [ rejects peers (json "[]") "must have at least 1 item(s)"
      rejects peers (str "peer.org") "must be a list, not string"
      example "accepts 50 peers" (set peers (peerList 50)) (Reads(peers + "[49].trustDomain", Some(str "peer50.org")))
      rejects peers (peerList 51) "must have at most 50 items"
      rejects peer (str "peer.org") "must be an object, not string"
      requires (peer + ".trustDomain")
      accepts (peer + ".trustDomain") (str "peer_1.example-org")
      accepts (peer + ".trustDomain") (str (repeat 255 "p"))
      rejects (peer + ".trustDomain") (str "Peer.org") "must match the pattern ^[a-z0-9._-]{1,255}$"
      rejects (peer + ".trustDomain") (str (repeat 256 "p")) "must match the pattern ^[a-z0-9._-]{1,255}$"
      requires (peer + ".bundleEndpointUrl")
      rejects (peer + ".bundleEndpointUrl") (str "http://federation.peer.org") "must match the pattern ^https://.*"
      requires (peer + ".bundleEndpointProfile")
      accepts (peer + ".bundleEndpointProfile") (str "https_web")
      rejects (peer + ".bundleEndpointProfile") (str "spiffe") "must be one of: https_spiffe, https_web"
      example
          "https_spiffe requires endpointSpiffeId"
          (remove (peer + ".endpointSpiffeId"))
          (Refused
              [ FieldError.admission
                    (peer + ".endpointSpiffeId")
                    "endpointSpiffeId is required when bundleEndpointProfile is https_spiffe"
                    None ])
      example
          "https_spiffe refuses an empty endpointSpiffeId"
          (set (peer + ".endpointSpiffeId") (str ""))
          (Refused
              [ FieldError.admission
                    (peer + ".endpointSpiffeId")
                    "endpointSpiffeId is required when bundleEndpointProfile is https_spiffe"
                    (Some(str "")) ])
      example
          "https_web needs no endpointSpiffeId"
          (edits
              [ set (peer + ".bundleEndpointProfile") (str "https_web")
                remove (peer + ".endpointSpiffeId") ])
          (Reads(peer + ".endpointSpiffeId", None))
      rejects (peer + ".endpointSpiffeId") (str "https://peer.org") "must match the pattern ^spiffe://.*"
      example
          "a peer listed twice is refused by the controller"
          (set (peers + "[1]") (peerOrg "peer.org"))
          (Refused
              [ FieldError.controller
                    (peers + "[1].trustDomain")
                    "duplicate trust domain peer.org"
                    (Some(str "peer.org")) ]) ]

let private federationOf (doc: Json) =
    match parsed Kind.SpireServer doc with
    | SpireServer r -> r.Spec.Federation
    | other -> failtestf "parsed as %A" (Crs.kind other)

let private ownTrustDomain =
    testList
        "own trust domain"
        [ test "a peer with the ZTWIM's trust domain is refused by the controller" {
              let doc = set (peers + "[1]") (peerOrg "example.org") withPeer

              Expect.equal
                  (federationOf doc |> Option.map (Federation.ownTrustDomain "example.org"))
                  (Some
                      [ FieldError.controller
                            (peers + "[1].trustDomain")
                            "cannot federate with own trust domain example.org"
                            (Some(str "example.org")) ])
                  "errors"
          }
          test "other trust domains pass" {
              Expect.equal
                  (federationOf withPeer |> Option.map (Federation.ownTrustDomain "example.org"))
                  (Some [])
                  "errors"
          } ]

let tables =
    [ table "bundleEndpoint" Kind.SpireServer withFederation bundleEndpoint
      table "acme" Kind.SpireServer withAcme acmeRows
      table "servingCert" Kind.SpireServer withServingCert servingCertRows
      table "federatesWith" Kind.SpireServer withPeer peerRows ]

[<Tests>]
let tests =
    testList "SpireServer federation" ((tables |> List.map tableTests) @ [ ownTrustDomain ])
