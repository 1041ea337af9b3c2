namespace Ztwim.Kernel.Operands.Oidc

open Ztwim.Kernel
open Ztwim.Kernel.Render

/// What the provider's Route is made of.
type RouteInput =
    { JwtIssuer: string
      ExternalSecretRef: string option }

/// Route spire-oidc-discovery-provider: exposes the provider at the issuer's address. Unlike upstream it is
/// owned by the CR (so it is pruned with it) and keeps a path out of its host (ARCHITECTURE.md).
[<RequireQualifiedAccess>]
module Route =

    /// The Route's name (not the provider's: upstream named it so).
    let name = "spire-oidc-discovery-provider"

    /// The Route; TLS is re-encrypted to the Service's serving certificate, plain HTTP redirected.
    let render (input: RouteInput) (p: Placement) =
        let target = Issuer.routeTarget input.JwtIssuer

        Provider.namespaced
            "route.openshift.io/v1"
            "Route"
            name
            Map.empty
            [ "spec",
              Json.objOpt
                  [ "host", Some(Json.String target.Host)
                    "path", target.Path |> Option.map Json.String
                    "port", Some(Json.obj [ "targetPort", Json.String Provider.httpsPortName ])
                    "tls",
                    Some(
                        Json.objOpt
                            [ "termination", Some(Json.String "reencrypt")
                              "insecureEdgeTerminationPolicy", Some(Json.String "Redirect")
                              "externalCertificate",
                              input.ExternalSecretRef |> Option.map (fun s -> Provider.strings [ "name", s ]) ]
                    )
                    "to",
                    Some(
                        Json.obj
                            [ "kind", Json.String "Service"
                              "name", Json.String Provider.name
                              "weight", Json.num 100 ]
                    )
                    "wildcardPolicy", Some(Json.String "None") ] ]
            p
