/// Route spire-server-federation: exposes the bundle endpoint at federation.<trustDomain> on OpenShift.
[<RequireQualifiedAccess>]
module Ztwim.Kernel.Operands.Server.FederationRoute

open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Render

let name = "spire-server-federation"

let private str = Json.String

// SPIFFE authentication and ACME terminate TLS in the server; a servingCert endpoint is re-encrypted by the
// router, with the external certificate when one is named.
let private tls (e: BundleEndpoint) =
    match e.Profile, e.HttpsWeb with
    | HttpsSpiffe, _
    | HttpsWeb, Some(Acme _) ->
        Json.obj
            [ "termination", str "passthrough"
              "insecureEdgeTerminationPolicy", str "Redirect" ]
    | HttpsWeb, cert ->
        let external =
            match cert with
            | Some(ServingCert { ExternalSecretRef = Some secret }) -> Some(Json.obj [ "name", str secret ])
            | _ -> None

        Json.objOpt
            [ "termination", Some(str "reencrypt")
              "insecureEdgeTerminationPolicy", Some(str "Redirect")
              "externalCertificate", external ]

/// The Route, when federation is set with managedRoute "true" on OpenShift. Unlike upstream it lives in the
/// operator namespace beside the Service it targets, and is owned by the SpireServer CR.
let render (s: Scope) : DesiredObject list =
    match s.Spec.Federation, s.Mode.Platform with
    | Some f, OpenShift when f.ManagedRoute ->
        [ Scope.namespaced
              s
              "route.openshift.io/v1"
              "Route"
              name
              (Scope.serverLabels s)
              Map.empty
              [ "spec",
                Json.obj
                    [ "host", str ("federation." + s.Ztwim.TrustDomain)
                      "to", Json.obj [ "kind", str "Service"; "name", str Scope.serverName; "weight", Json.num 100 ]
                      "port", Json.obj [ "targetPort", str "federation" ]
                      "tls", tls f.BundleEndpoint
                      "wildcardPolicy", str "None" ] ] ]
    | _ -> []
