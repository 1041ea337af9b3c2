/// Generators of valid CRs of the five kinds: every optional field sometimes present, every value in range.
module Ztwim.Properties.Generators.Specs

open FsCheck
open FsCheck.FSharp
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Properties.Generators.Values

let private spec (own: (string * Json option) list) =
    gen {
        let! common = CommonConfig.members
        return Json.objOpt (own @ common)
    }

let private logging =
    gen {
        let! level = maybe (str (oneOf [ "debug"; "info"; "warn"; "error" ]))
        let! format = maybe (str (oneOf [ "text"; "json" ]))
        return [ "logLevel", level; "logFormat", format ]
    }

let ztwim =
    gen {
        let! td = trustDomain
        let! cn = clusterName
        let! bundle = maybe (str (dnsLabel 20))

        return!
            spec
                [ "trustDomain", Some(Json.String td)
                  "clusterName", Some(Json.String cn)
                  "bundleConfigMap", bundle ]
    }

let private peer =
    gen {
        let! td = dnsName
        let! url = dnsName |> Gen.map (sprintf "https://%s")
        let! profile = oneOf [ "https_spiffe"; "https_web" ]
        let! id = dnsName |> Gen.map (sprintf "spiffe://%s/spire/server")

        let idMember =
            if profile = "https_spiffe" then
                Some(Json.String id)
            else
                None

        return
            td,
            Json.objOpt
                [ "trustDomain", Some(Json.String td)
                  "bundleEndpointUrl", Some(Json.String url)
                  "bundleEndpointProfile", Some(Json.String profile)
                  "endpointSpiffeId", idMember ]
    }

let private federation =
    gen {
        let! profile = oneOf [ "https_spiffe"; "https_web" ]
        let! hint = maybe (int 60 3600)
        let! domain = dnsName
        let! user = dnsLabel 8

        let! web =
            Gen.elements
                [ Json.obj
                      [ "acme",
                        Json.obj
                            [ "directoryUrl", Json.String "https://acme-v02.api.letsencrypt.org/directory"
                              "domainName", Json.String domain
                              "email", Json.String(sprintf "%sx@%s.com" user (domain.Replace(".", "-")))
                              "tosAccepted", Json.String "true" ] ]
                  Json.obj
                      [ "servingCert",
                        Json.obj [ "fileSyncInterval", Json.num 86400; "externalSecretRef", Json.String user ] ]
                  Json.obj [ "servingCert", Json.obj [] ] ]

        let! n = Gen.choose (0, 4)
        let! peers = Gen.listOfLength n peer
        // Peers must be distinct trust domains.
        let distinct = peers |> List.distinctBy fst |> List.map snd
        let! managed = maybe (str stringBool)

        return
            Json.objOpt
                [ "bundleEndpoint",
                  Some(
                      Json.objOpt
                          [ "profile", Some(Json.String profile)
                            "refreshHint", hint
                            "httpsWeb", (if profile = "https_web" then Some web else None) ]
                  )
                  "federatesWith", (if distinct.IsEmpty then None else Some(Json.Array distinct))
                  "managedRoute", managed ]
    }

let spireServer =
    gen {
        let! log = logging
        let! issuer = httpsUrl
        let! caHours = Gen.choose (1, 2000)
        let! x509Minutes = Gen.choose (1, caHours * 60)
        let! jwtMinutes = Gen.choose (1, min (caHours * 60) 600)
        let! ttls = Gen.elements [ true; false ]
        let! keyType = maybe (str (oneOf [ "rsa-2048"; "rsa-4096"; "ec-p256"; "ec-p384" ]))
        let! jwtKeyType = maybe (str (oneOf [ "rsa-2048"; "rsa-4096"; "ec-p256"; "ec-p384" ]))

        let! keyManager =
            maybe (
                Gen.map2
                    (fun d m -> Json.obj [ "diskEnabled", Json.String d; "memoryEnabled", Json.String m ])
                    stringBool
                    stringBool
            )

        let! country = maybe (str (oneOf [ "US"; "DE"; ""; "x" ]))
        let! org = maybe (str (dnsLabel 30))
        let! size = maybe (Gen.choose (1, 500) |> Gen.map (sprintf "%dGi" >> Json.String))
        let! mode = maybe (str (oneOf [ "ReadWriteOnce"; "ReadWriteOncePod"; "ReadWriteMany" ]))
        let! storageClass = maybe (str (Gen.oneof [ Gen.constant ""; dnsLabel 10 ]))
        let! dbType = maybe (str (oneOf [ "sql"; "sqlite3"; "postgres"; "mysql"; "aws_postgresql"; "aws_mysql" ]))
        let! maxOpen = maybe (int 1 10000)
        let! maxIdle = maybe (int 0 10000)
        let! lifetime = maybe (int 0 100000)
        let! tls = maybe (str (Gen.oneof [ Gen.constant ""; dnsLabel 10 ]))
        let! disable = maybe (str stringBool)
        let! fed = maybe federation

        let ttl (text: string) =
            if ttls then Some(Json.String text) else None

        return!
            spec (
                log
                @ [ "jwtIssuer", Some(Json.String issuer)
                    "caValidity", ttl (sprintf "%dh" caHours)
                    "defaultX509Validity", ttl (sprintf "%dm" x509Minutes)
                    "defaultJWTValidity", ttl (sprintf "%dm" jwtMinutes)
                    "caKeyType", keyType
                    "jwtKeyType", jwtKeyType
                    "keyManager", keyManager
                    "caSubject", Some(Json.objOpt [ "country", country; "organization", org ])
                    "persistence", Some(Json.objOpt [ "size", size; "accessMode", mode; "storageClass", storageClass ])
                    "datastore",
                    Some(
                        Json.objOpt
                            [ "databaseType", dbType
                              "maxOpenConns", maxOpen
                              "maxIdleConns", maxIdle
                              "connMaxLifetime", lifetime
                              "tlsSecretName", tls
                              "disableMigration", disable ]
                    )
                    "federation", fed ]
            )
    }

let spireAgent =
    gen {
        let! log = logging
        let! socket = maybe (str absolutePath)
        let! psat = maybe (str stringBool |> Gen.map (fun b -> Json.obj [ "k8sPSATEnabled", b ]))
        let! kind = oneOf [ "auto"; "hostCert"; "skip" ]
        let! basePath = absolutePath
        let! fileName = dnsLabel 10 |> Gen.map (fun f -> f + ".crt")
        let! flags = Gen.listOfLength 3 (maybe (str stringBool))

        let verification =
            Json.objOpt
                [ "type", Some(Json.String kind)
                  "hostCertBasePath", Some(Json.String basePath)
                  "hostCertFileName", Some(Json.String fileName) ]

        let! withVerification = Gen.elements [ true; false ]

        let workload =
            Json.objOpt
                [ "k8sEnabled", flags.[0]
                  "disableContainerSelectors", flags.[1]
                  "useNewContainerLocator", flags.[2]
                  "workloadAttestorsVerification", (if withVerification then Some verification else None) ]

        let! withWorkload = Gen.elements [ true; false ]

        return!
            spec (
                log
                @ [ "socketPath", socket
                    "nodeAttestor", psat
                    "workloadAttestors", (if withWorkload then Some workload else None) ]
            )
    }

let spiffeCSIDriver =
    gen {
        let! socket = maybe (str absolutePath)
        let! plugin = maybe (str dnsName)
        return! spec [ "agentSocketPath", socket; "pluginName", plugin ]
    }

let spireOIDCDiscoveryProvider =
    gen {
        let! log = logging
        let! issuer = httpsUrl
        let! driver = maybe (str dnsName)
        let! replicas = maybe (int 1 5)
        let! managed = maybe (str stringBool)
        let! secret = maybe (str (Gen.oneof [ Gen.constant ""; dnsName ]))

        return!
            spec (
                log
                @ [ "jwtIssuer", Some(Json.String issuer)
                    "csiDriverName", driver
                    "replicaCount", replicas
                    "managedRoute", managed
                    "externalSecretRef", secret ]
            )
    }

/// A whole CR around a spec.
let envelope (kind: Kind) (spec: Json) =
    Json.obj
        [ "apiVersion", Json.String Kind.apiVersion
          "kind", Json.String(Kind.name kind)
          "metadata", Json.obj [ "name", Json.String "cluster" ]
          "spec", spec ]

/// The spec generator of a kind.
let specOf (kind: Kind) =
    match kind with
    | Kind.ZeroTrustWorkloadIdentityManager -> ztwim
    | Kind.SpireServer -> spireServer
    | Kind.SpireAgent -> spireAgent
    | Kind.SpiffeCSIDriver -> spiffeCSIDriver
    | Kind.SpireOIDCDiscoveryProvider -> spireOIDCDiscoveryProvider

/// A valid CR of any kind.
let validCr: Gen<Kind * Json> =
    gen {
        let! kind = Gen.elements Kind.all
        let! spec = specOf kind
        return kind, envelope kind spec
    }
