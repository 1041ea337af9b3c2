/// Edits that break exactly one rule of a valid CR, each with the one field path that must be reported.
module Ztwim.Properties.Breakers

open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Properties.JsonEdit

/// A named edit: given a valid CR, the broken CR and the path of the single error, or None when it does not apply.
type Breaker =
    { Name: string
      Kind: Kind option
      Break: Json -> (Json * string) option }

let private s (text: string) = Some(Json.String text)

/// Sets `field` to `value`; the error is at `field`.
let private setTo kind (field: string) (value: Json option) =
    { Name = sprintf "%s = %s" field (value |> Option.map JsonText.compact |> Option.defaultValue "<removed>")
      Kind = kind
      Break = fun cr -> Some(set (path field) value cr, field) }

/// Sets `field` to `value` when `guard` holds for the CR; the error is at `reported`.
let private setWhen kind name (guard: Json -> bool) (field: string) (value: Json option) (reported: string) =
    { Name = name
      Kind = kind
      Break =
        fun cr ->
            if guard cr then
                Some(set (path field) value cr, reported)
            else
                None }

let private has (field: string) (cr: Json) = (get (path field) cr).IsSome

let private text (n: int) = String.replicate n "a"

let private peers (cr: Json) =
    match get (path "spec.federation.federatesWith") cr with
    | Some(Json.Array ps) -> ps
    | _ -> []

let private common =
    [ setTo None "metadata.name" (s "other")
      setWhen
          None
          "label key with a space"
          (fun _ -> true)
          "spec.labels"
          (Some(Json.obj [ "bad key", Json.String "v" ]))
          "spec.labels.bad key"
      setWhen
          None
          "label value with a slash"
          (fun _ -> true)
          "spec.nodeSelector"
          (Some(Json.obj [ "k", Json.String "a/b" ]))
          "spec.nodeSelector.k"
      setWhen
          None
          "65 labels"
          (fun _ -> true)
          "spec.labels"
          (Some(Json.obj [ for i in 1..65 -> sprintf "k%d" i, Json.String "v" ]))
          "spec.labels"
      setWhen
          None
          "toleration operator"
          (fun _ -> true)
          "spec.tolerations"
          (Some(Json.Array [ Json.obj [ "key", Json.String "k"; "operator", Json.String "Maybe" ] ]))
          "spec.tolerations[0].operator"
      setWhen
          None
          "51 tolerations"
          (fun _ -> true)
          "spec.tolerations"
          (Some(Json.Array(List.replicate 51 (Json.obj [ "operator", Json.String "Exists" ]))))
          "spec.tolerations"
      setWhen
          None
          "request above limit"
          (fun _ -> true)
          "spec.resources"
          (Some(
              Json.obj
                  [ "requests", Json.obj [ "cpu", Json.String "2" ]
                    "limits", Json.obj [ "cpu", Json.String "1" ] ]
          ))
          "spec.resources.requests.cpu"
      setWhen
          None
          "quantity syntax"
          (fun _ -> true)
          "spec.resources"
          (Some(Json.obj [ "limits", Json.obj [ "memory", Json.String "1 GB" ] ]))
          "spec.resources.limits.memory"
      setWhen
          None
          "pod affinity term without topologyKey"
          (fun _ -> true)
          "spec.affinity"
          (Some(
              Json.obj
                  [ "podAffinity",
                    Json.obj
                        [ "requiredDuringSchedulingIgnoredDuringExecution",
                          Json.Array [ Json.obj [ "labelSelector", Json.obj [] ] ] ] ]
          ))
          "spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey"
      setWhen
          None
          "node selector In without values"
          (fun _ -> true)
          "spec.affinity"
          (Some(
              Json.obj
                  [ "nodeAffinity",
                    Json.obj
                        [ "requiredDuringSchedulingIgnoredDuringExecution",
                          Json.obj
                              [ "nodeSelectorTerms",
                                Json.Array
                                    [ Json.obj
                                          [ "matchExpressions",
                                            Json.Array
                                                [ Json.obj [ "key", Json.String "k"; "operator", Json.String "In" ] ] ] ] ] ] ]
          ))
          "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values" ]

let private ztwim =
    let k = Some Kind.ZeroTrustWorkloadIdentityManager

    [ setTo k "spec.trustDomain" (s "Bad_Domain")
      setTo k "spec.trustDomain" None
      setTo k "spec.trustDomain" (Some(Json.num 7))
      setTo k "spec.clusterName" (s (text 64))
      setTo k "spec.clusterName" (s "-bad")
      setTo k "spec.bundleConfigMap" (s "Bad") ]

let private server =
    let k = Some Kind.SpireServer
    let fed = has "spec.federation"
    let acme = has "spec.federation.bundleEndpoint.httpsWeb.acme"

    [ setTo k "spec.logLevel" (s "verbose")
      setTo k "spec.logFormat" (s "xml")
      setTo k "spec.jwtIssuer" None
      setTo k "spec.jwtIssuer" (s "ftp://issuer.example.com")
      setTo k "spec.jwtIssuer" (s "https:///no-host")
      setTo k "spec.jwtIssuer" (s ("https://" + text 600))
      setTo k "spec.caValidity" (s "1d")
      setTo k "spec.caValidity" (s "0s")
      setTo k "spec.defaultJWTValidity" (s "-5m")
      setWhen k "x509 TTL above CA TTL" (fun _ -> true) "spec.defaultX509Validity" (s "100000h") "spec.caValidity"
      setTo k "spec.caKeyType" (s "rsa-1024")
      setTo k "spec.jwtKeyType" (s "dsa")
      setTo k "spec.keyManager.diskEnabled" (s "TRUE")
      setTo k "spec.caSubject" None
      setTo k "spec.caSubject.country" (s "USA")
      setTo k "spec.caSubject.organization" (s (text 65))
      setTo k "spec.persistence" None
      setTo k "spec.persistence.size" (s "1Ti")
      setTo k "spec.persistence.accessMode" (s "RWO")
      setTo k "spec.datastore" None
      setTo k "spec.datastore.databaseType" (s "oracle")
      setTo k "spec.datastore.connectionString" (s "")
      setTo k "spec.datastore.maxOpenConns" (Some(Json.num 0))
      setTo k "spec.datastore.maxIdleConns" (Some(Json.num 10001))
      setTo k "spec.datastore.connMaxLifetime" (Some(Json.num -1))
      setTo k "spec.datastore.disableMigration" (s "yes")
      setTo k "spec.datastore.maxOpenConns" (s "100")
      setWhen
          k
          "federation profile"
          fed
          "spec.federation.bundleEndpoint.profile"
          (s "http")
          "spec.federation.bundleEndpoint.profile"
      setWhen
          k
          "refreshHint below 60"
          fed
          "spec.federation.bundleEndpoint.refreshHint"
          (Some(Json.num 59))
          "spec.federation.bundleEndpoint.refreshHint"
      setWhen k "managedRoute" fed "spec.federation.managedRoute" (s "True") "spec.federation.managedRoute"
      setWhen
          k
          "empty federatesWith"
          fed
          "spec.federation.federatesWith"
          (Some(Json.Array []))
          "spec.federation.federatesWith"
      setWhen
          k
          "51 peers"
          fed
          "spec.federation.federatesWith"
          (Some(
              Json.Array
                  [ for i in 1..51 ->
                        Json.obj
                            [ "trustDomain", Json.String(sprintf "p%d.example.com" i)
                              "bundleEndpointUrl", Json.String "https://x.example.com"
                              "bundleEndpointProfile", Json.String "https_web" ] ]
          ))
          "spec.federation.federatesWith"
      { Name = "https_web without httpsWeb"
        Kind = k
        Break =
          fun cr ->
              if fed cr then
                  let edited =
                      cr
                      |> set (path "spec.federation.bundleEndpoint.profile") (s "https_web")
                      |> set (path "spec.federation.bundleEndpoint.httpsWeb") None

                  Some(edited, "spec.federation.bundleEndpoint.httpsWeb")
              else
                  None }
      setWhen
          k
          "acme and servingCert"
          (has "spec.federation.bundleEndpoint.httpsWeb")
          "spec.federation.bundleEndpoint.httpsWeb"
          (Some(
              Json.obj
                  [ "acme",
                    Json.obj
                        [ "directoryUrl", Json.String "https://a"
                          "domainName", Json.String "d"
                          "email", Json.String "a@b.com" ]
                    "servingCert", Json.obj [] ]
          ))
          "spec.federation.bundleEndpoint.httpsWeb.acme"
      setWhen
          k
          "acme terms not accepted"
          acme
          "spec.federation.bundleEndpoint.httpsWeb.acme.tosAccepted"
          (s "false")
          "spec.federation.bundleEndpoint.httpsWeb.acme.tosAccepted"
      setWhen
          k
          "acme directory over http"
          acme
          "spec.federation.bundleEndpoint.httpsWeb.acme.directoryUrl"
          (s "http://acme.example.com")
          "spec.federation.bundleEndpoint.httpsWeb.acme.directoryUrl"
      setWhen
          k
          "fileSyncInterval"
          (has "spec.federation.bundleEndpoint.httpsWeb.servingCert")
          "spec.federation.bundleEndpoint.httpsWeb.servingCert.fileSyncInterval"
          (Some(Json.num 60))
          "spec.federation.bundleEndpoint.httpsWeb.servingCert.fileSyncInterval"
      { Name = "duplicate peer"
        Kind = k
        Break =
          fun cr ->
              match peers cr with
              | first :: _ as ps ->
                  Some(
                      set (path "spec.federation.federatesWith") (Some(Json.Array(ps @ [ first ]))) cr,
                      sprintf "spec.federation.federatesWith[%d].trustDomain" ps.Length
                  )
              | [] -> None }
      { Name = "peer over http"
        Kind = k
        Break =
          fun cr ->
              match peers cr with
              | first :: rest ->
                  let broken = set [ "bundleEndpointUrl" ] (s "http://peer.example.com") first

                  Some(
                      set (path "spec.federation.federatesWith") (Some(Json.Array(broken :: rest))) cr,
                      "spec.federation.federatesWith[0].bundleEndpointUrl"
                  )
              | [] -> None }
      { Name = "https_spiffe peer without endpointSpiffeId"
        Kind = k
        Break =
          fun cr ->
              match peers cr with
              | first :: rest ->
                  let broken =
                      first
                      |> set [ "bundleEndpointProfile" ] (s "https_spiffe")
                      |> set [ "endpointSpiffeId" ] None

                  Some(
                      set (path "spec.federation.federatesWith") (Some(Json.Array(broken :: rest))) cr,
                      "spec.federation.federatesWith[0].endpointSpiffeId"
                  )
              | [] -> None } ]

let private agent =
    let k = Some Kind.SpireAgent
    let verification = "spec.workloadAttestors.workloadAttestorsVerification"

    [ setTo k "spec.socketPath" (s "relative/path")
      setTo k "spec.socketPath" (s ("/" + text 256))
      setTo k "spec.logLevel" (s "trace")
      setTo k "spec.nodeAttestor.k8sPSATEnabled" (s "1")
      setTo k "spec.workloadAttestors.k8sEnabled" (Some(Json.Bool true))
      setTo k "spec.workloadAttestors.useNewContainerLocator" (s "no")
      setTo k (verification + ".type") (s "never")
      setTo k (verification + ".hostCertFileName") (s "a/b")
      { Name = "hostCert without base path"
        Kind = k
        Break =
          fun cr ->
              let edited =
                  cr
                  |> set (path (verification + ".type")) (s "hostCert")
                  |> set (path (verification + ".hostCertFileName")) (s "ca.crt")
                  |> set (path (verification + ".hostCertBasePath")) None

              Some(edited, verification + ".hostCertBasePath") } ]

let private csi =
    let k = Some Kind.SpiffeCSIDriver

    [ setTo k "spec.agentSocketPath" (s "no-slash")
      setTo k "spec.pluginName" (s "Bad_Name")
      setTo k "spec.pluginName" (s (text 128)) ]

let private oidc =
    let k = Some Kind.SpireOIDCDiscoveryProvider

    [ setTo k "spec.replicaCount" (Some(Json.num 6))
      setTo k "spec.replicaCount" (s "1")
      setTo k "spec.jwtIssuer" None
      setTo k "spec.jwtIssuer" (s "https://issuer.example.com?x=1")
      setTo k "spec.externalSecretRef" (s "Bad_Ref")
      setTo k "spec.csiDriverName" (s (text 128))
      setTo k "spec.managedRoute" (s "no") ]

/// Every breaker.
let all = common @ ztwim @ server @ agent @ csi @ oidc
