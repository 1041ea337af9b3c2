namespace Ztwim.Kernel.Operands.Oidc

open Ztwim.Kernel
open Ztwim.Kernel.Render

/// Role and RoleBinding spire-oidc-external-cert-reader: let OpenShift's router read the secret named in
/// externalSecretRef, which the Route uses as its external certificate.
[<RequireQualifiedAccess>]
module ExternalCertReader =

    /// The name of the Role and of the RoleBinding.
    let name = "spire-oidc-external-cert-reader"

    let private rbac = "rbac.authorization.k8s.io"

    let private rule (resourceNames: string list) (verbs: string list) =
        Json.objOpt
            [ "apiGroups", Some(Json.Array [ Json.String "" ])
              "resources", Some(Json.Array [ Json.String "secrets" ])
              "resourceNames",
              (if resourceNames.IsEmpty then
                   None
               else
                   Some(Json.Array(resourceNames |> List.map Json.String)))
              "verbs", Some(Json.Array(verbs |> List.map Json.String)) ]

    /// The Role: get on the one secret, list and watch on secrets, which the router needs to follow the certificate.
    let role (secretName: string) (p: Placement) =
        Provider.namespaced
            (rbac + "/v1")
            "Role"
            name
            Map.empty
            [ "rules", Json.Array [ rule [ secretName ] [ "get" ]; rule [] [ "list"; "watch" ] ] ]
            p

    /// The binding of the Role to the router's ServiceAccount in openshift-ingress.
    let binding (p: Placement) =
        Provider.namespaced
            (rbac + "/v1")
            "RoleBinding"
            name
            Map.empty
            [ "subjects",
              Json.Array
                  [ Provider.strings [ "kind", "ServiceAccount"; "name", "router"; "namespace", "openshift-ingress" ] ]
              "roleRef", Provider.strings [ "apiGroup", rbac; "kind", "Role"; "name", name ] ]
            p

    /// Both objects when externalSecretRef is set, none otherwise.
    let render (externalSecretRef: string option) (p: Placement) =
        match externalSecretRef with
        | Some secret -> [ role secret p; binding p ]
        | None -> []
