namespace Ztwim.Kernel.Api

open Ztwim.Kernel

/// How a SPIRE bundle endpoint authenticates: with the server's own SVID, or with Web PKI.
type BundleEndpointProfile =
    | HttpsSpiffe
    | HttpsWeb

/// A certificate obtained from an ACME directory (e.g. Let's Encrypt).
type Acme =
    { DirectoryUrl: string
      DomainName: string
      Email: string
      TosAccepted: bool }

/// A certificate from a Secret (the service CA's, or `externalSecretRef` for the Route).
type ServingCert =
    { FileSyncInterval: int64
      ExternalSecretRef: string option }

/// Where the https_web endpoint's certificate comes from: exactly one of the two.
type HttpsWebCertificate =
    | Acme of Acme
    | ServingCert of ServingCert

/// This server's federation endpoint.
type BundleEndpoint =
    { Profile: BundleEndpointProfile
      RefreshHint: int64
      HttpsWeb: HttpsWebCertificate option }

/// A trust domain this server federates with.
type FederatedTrustDomain =
    { TrustDomain: string
      BundleEndpointUrl: string
      BundleEndpointProfile: BundleEndpointProfile
      EndpointSpiffeId: string option }

/// SpireServer `spec.federation`: once set it cannot be removed, and its profile cannot change.
type Federation =
    { BundleEndpoint: BundleEndpoint
      FederatesWith: FederatedTrustDomain list
      ManagedRoute: bool }

/// Reading and printing the federation model.
[<RequireQualifiedAccess>]
module Federation =

    let profiles = [ "https_spiffe", HttpsSpiffe; "https_web", HttpsWeb ]

    let emailPattern =
        "^[a-zA-Z0-9][a-zA-Z0-9._%+-]*[a-zA-Z0-9]@[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*\\.[a-zA-Z]{2,}$"

    let peerTrustDomainPattern = "^[a-z0-9._-]{1,255}$"

    let private acme (n: Node) : Validated<Acme> =
        let at name = Read.field name n

        Read.object n
        |> Result.bind (fun _ ->
            validated {
                let! url =
                    Read.string (at "directoryUrl")
                    |> Read.pattern (at "directoryUrl") "^https://.*"
                    |> Read.required (at "directoryUrl")

                and! domain = Read.string (at "domainName") |> Read.required (at "domainName")

                and! email =
                    Read.string (at "email")
                    |> Read.pattern (at "email") emailPattern
                    |> Read.required (at "email")

                and! tos = Scalars.stringBool (at "tosAccepted") |> Read.orDefault false

                return
                    { DirectoryUrl = url
                      DomainName = domain
                      Email = email
                      TosAccepted = tos }
            })
        // ACME needs the terms of service accepted; upstream's controller refuses "false".
        |> Validated.check (fun a ->
            if a.TosAccepted then
                []
            else
                [ Read.controllerError (at "tosAccepted") "tosAccepted must be true to use ACME" ])

    let private servingCert (n: Node) : Validated<ServingCert> =
        let interval = Read.field "fileSyncInterval" n

        validated {
            let! _ = Read.object n

            and! seconds =
                Read.integer interval
                |> Read.range interval 3600L 7776000L
                |> Read.orDefault 86400L

            and! secret = Read.optionalString (Read.field "externalSecretRef" n)

            return
                { FileSyncInterval = seconds
                  ExternalSecretRef = secret }
        }

    let private httpsWeb (n: Node) : Validated<HttpsWebCertificate option> =
        match n.Value with
        | None -> Ok None
        | Some _ ->
            let acmeNode = Read.field "acme" n
            let certNode = Read.field "servingCert" n

            Read.object n
            |> Result.bind (fun _ ->
                match acmeNode.Value, certNode.Value with
                | Some _, None -> acme acmeNode |> Result.map (Acme >> Some)
                | None, Some _ -> servingCert certNode |> Result.map (ServingCert >> Some)
                // The CRD rule names `.acme` as its fieldPath.
                | _ ->
                    Error
                        [ FieldError.admission acmeNode.Path "exactly one of acme or servingCert must be set" n.Value ])

    let private bundleEndpoint (n: Node) : Validated<BundleEndpoint> =
        let at name = Read.field name n

        validated {
            let! _ = Read.object n |> Read.required n

            and! profile =
                Read.string (at "profile")
                |> Read.enum (at "profile") profiles
                |> Read.orDefault HttpsSpiffe

            and! hint =
                Read.integer (at "refreshHint")
                |> Read.range (at "refreshHint") 60L 3600L
                |> Read.orDefault 300L

            and! web = httpsWeb (at "httpsWeb")

            return
                { Profile = profile
                  RefreshHint = hint
                  HttpsWeb = web }
        }
        |> Validated.check (fun e ->
            if e.Profile = HttpsWeb && e.HttpsWeb.IsNone then
                [ Read.error (at "httpsWeb") "httpsWeb is required when profile is https_web" ]
            else
                [])

    let private peer (n: Node) : Validated<FederatedTrustDomain> =
        let at name = Read.field name n

        Read.object n
        |> Result.bind (fun _ ->
            validated {
                let! td =
                    Read.string (at "trustDomain")
                    |> Read.pattern (at "trustDomain") peerTrustDomainPattern
                    |> Read.required (at "trustDomain")

                and! url =
                    Read.string (at "bundleEndpointUrl")
                    |> Read.pattern (at "bundleEndpointUrl") "^https://.*"
                    |> Read.required (at "bundleEndpointUrl")

                and! profile =
                    Read.string (at "bundleEndpointProfile")
                    |> Read.enum (at "bundleEndpointProfile") profiles
                    |> Read.required (at "bundleEndpointProfile")

                and! id =
                    Read.optionalString (at "endpointSpiffeId")
                    |> Read.pattern (at "endpointSpiffeId") "^spiffe://.*"

                return
                    { TrustDomain = td
                      BundleEndpointUrl = url
                      BundleEndpointProfile = profile
                      EndpointSpiffeId = id }
            })
        |> Validated.check (fun p ->
            if p.BundleEndpointProfile = HttpsSpiffe && p.EndpointSpiffeId.IsNone then
                [ Read.error
                      (at "endpointSpiffeId")
                      "endpointSpiffeId is required when bundleEndpointProfile is https_spiffe" ]
            else
                [])

    // Upstream's controller refuses a peer listed twice.
    let private duplicates (n: Node) (peers: FederatedTrustDomain list) =
        peers
        |> List.mapi (fun i p -> i, p)
        |> List.filter (fun (i, p) -> peers |> List.take i |> List.exists (fun q -> q.TrustDomain = p.TrustDomain))
        |> List.map (fun (i, p) ->
            FieldError.controller
                (sprintf "%s[%d].trustDomain" n.Path i)
                (sprintf "duplicate trust domain %s" p.TrustDomain)
                (Some(Json.String p.TrustDomain)))

    /// Reads `spec.federation` when present.
    let read (n: Node) : Validated<Federation option> =
        match n.Value with
        | None -> Ok None
        | Some _ ->
            let peers = Read.field "federatesWith" n

            Read.object n
            |> Result.bind (fun _ ->
                validated {
                    let! endpoint = bundleEndpoint (Read.field "bundleEndpoint" n)

                    and! federatesWith =
                        Read.items peers
                        |> Read.minItems peers 1
                        |> Read.maxItems peers 50
                        |> Result.bind (List.map peer >> Validated.sequence)
                        |> Validated.check (duplicates peers)

                    and! managed = Scalars.stringBool (Read.field "managedRoute" n) |> Read.orDefault true

                    return
                        Some
                            { BundleEndpoint = endpoint
                              FederatesWith = federatesWith
                              ManagedRoute = managed }
                })

    /// A server cannot federate with its own trust domain (the ZTWIM's); reported by the controller.
    let ownTrustDomain (trustDomain: string) (f: Federation) =
        f.FederatesWith
        |> List.mapi (fun i p -> i, p)
        |> List.filter (fun (_, p) -> p.TrustDomain = trustDomain)
        |> List.map (fun (i, p) ->
            FieldError.controller
                (sprintf "spec.federation.federatesWith[%d].trustDomain" i)
                (sprintf "cannot federate with own trust domain %s" p.TrustDomain)
                (Some(Json.String p.TrustDomain)))

    let private printCert (c: HttpsWebCertificate) =
        match c with
        | Acme a ->
            Json.obj
                [ "acme",
                  Json.obj
                      [ "directoryUrl", Json.String a.DirectoryUrl
                        "domainName", Json.String a.DomainName
                        "email", Json.String a.Email
                        "tosAccepted", Scalars.printBool a.TosAccepted ] ]
        | ServingCert s ->
            Json.obj
                [ "servingCert",
                  Json.objOpt
                      [ "fileSyncInterval", Some(Json.Number(decimal s.FileSyncInterval))
                        "externalSecretRef", s.ExternalSecretRef |> Option.map Json.String ] ]

    let print (f: Federation) =
        Json.objOpt
            [ "bundleEndpoint",
              Some(
                  Json.objOpt
                      [ "profile", Some(Json.String(Scalars.spell profiles f.BundleEndpoint.Profile))
                        "refreshHint", Some(Json.Number(decimal f.BundleEndpoint.RefreshHint))
                        "httpsWeb", f.BundleEndpoint.HttpsWeb |> Option.map printCert ]
              )
              "federatesWith",
              (if f.FederatesWith.IsEmpty then
                   None
               else
                   f.FederatesWith
                   |> List.map (fun p ->
                       Json.objOpt
                           [ "trustDomain", Some(Json.String p.TrustDomain)
                             "bundleEndpointUrl", Some(Json.String p.BundleEndpointUrl)
                             "bundleEndpointProfile", Some(Json.String(Scalars.spell profiles p.BundleEndpointProfile))
                             "endpointSpiffeId", p.EndpointSpiffeId |> Option.map Json.String ])
                   |> Json.Array
                   |> Some)
              "managedRoute", Some(Scalars.printBool f.ManagedRoute) ]
