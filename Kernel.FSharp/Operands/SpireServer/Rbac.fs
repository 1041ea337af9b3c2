/// The SPIRE server's and controller manager's RBAC: what they may read and write, and who may read the
/// federation Route's external certificate.
[<RequireQualifiedAccess>]
module Ztwim.Kernel.Operands.Server.Rbac

open Ztwim.Kernel
open Ztwim.Kernel.Render

let private rbacVersion = "rbac.authorization.k8s.io/v1"
let private rbacGroup = "rbac.authorization.k8s.io"

/// The role that lets the OpenShift router read the federation Route's external certificate.
let externalCertReader = "spire-server-external-cert-reader"

let private rule (groups: string list) (resources: string list) (names: string list) (verbs: string list) =
    Json.objOpt
        [ "apiGroups", Some(Scope.strings groups)
          "resources", Some(Scope.strings resources)
          "resourceNames", (if names.IsEmpty then None else Some(Scope.strings names))
          "verbs", Some(Scope.strings verbs) ]

let private serviceAccount (name: string) (ns: string) =
    Json.obj
        [ "kind", Json.String "ServiceAccount"
          "name", Json.String name
          "namespace", Json.String ns ]

let private binding (roleKind: string) (name: string) (subject: Json) =
    [ "subjects", Json.Array [ subject ]
      "roleRef",
      Json.obj
          [ "apiGroup", Json.String rbacGroup
            "kind", Json.String roleKind
            "name", Json.String name ] ]

let private clusterPair (s: Scope) (name: string) labels (rules: Json list) =
    [ Scope.clusterScoped s rbacVersion "ClusterRole" name labels [ "rules", Json.Array rules ]
      Scope.clusterScoped
          s
          rbacVersion
          "ClusterRoleBinding"
          name
          labels
          (binding "ClusterRole" name (serviceAccount Scope.serverName s.Mode.Namespace)) ]

let private pair (s: Scope) (name: string) labels (subject: Json) (rules: Json list) =
    [ Scope.namespaced s rbacVersion "Role" name labels Map.empty [ "rules", Json.Array rules ]
      Scope.namespaced s rbacVersion "RoleBinding" name labels Map.empty (binding "Role" name subject) ]

let private spireResources =
    [ "clusterfederatedtrustdomains"; "clusterspiffeids"; "clusterstaticentries" ]

let private sub (suffix: string) =
    spireResources |> List.map (fun r -> r + "/" + suffix)

/// ClusterRole/ClusterRoleBinding spire-server: token reviews for PSAT attestation, nodes and pods.
let server (s: Scope) =
    clusterPair
        s
        Scope.serverName
        (Scope.serverLabels s)
        [ rule [ "authentication.k8s.io" ] [ "tokenreviews" ] [] [ "get"; "watch"; "list"; "create" ]
          rule [ "" ] [ "nodes"; "pods" ] [] [ "get"; "list" ] ]

/// Role/RoleBinding spire-bundle: the k8sbundle notifier writes the bundle ConfigMap. Upstream names
/// spire-bundle whatever bundleConfigMap says; ztwim names the ConfigMap the notifier really writes.
let bundle (s: Scope) =
    pair
        s
        "spire-bundle"
        (Scope.serverLabels s)
        (serviceAccount Scope.serverName s.Mode.Namespace)
        [ rule [ "" ] [ "configmaps" ] [ s.Ztwim.BundleConfigMap ] [ "get"; "patch" ] ]

/// ClusterRole/ClusterRoleBinding spire-controller-manager: what the controller manager watches and writes.
let controllerManager (s: Scope) =
    clusterPair
        s
        Scope.controllerManagerName
        (Scope.controllerManagerLabels s)
        [ rule [ "" ] [ "endpoints"; "namespaces"; "nodes"; "pods" ] [] [ "get"; "list"; "watch" ]
          rule
              [ "admissionregistration.k8s.io" ]
              [ "validatingwebhookconfigurations" ]
              []
              [ "get"; "list"; "patch"; "watch" ]
          rule [ "spire.spiffe.io" ] spireResources [] [ "create"; "delete"; "get"; "list"; "patch"; "update"; "watch" ]
          rule [ "spire.spiffe.io" ] (sub "finalizers") [] [ "update" ]
          rule [ "spire.spiffe.io" ] (sub "status") [] [ "get"; "patch"; "update" ] ]

/// Role/RoleBinding spire-controller-manager-leader-election.
let leaderElection (s: Scope) =
    let all = [ "get"; "list"; "watch"; "create"; "update"; "patch"; "delete" ]

    pair
        s
        "spire-controller-manager-leader-election"
        (Scope.controllerManagerLabels s)
        (serviceAccount Scope.serverName s.Mode.Namespace)
        [ rule [ "" ] [ "configmaps" ] [] all
          rule [ "coordination.k8s.io" ] [ "leases" ] [] all
          rule [ "" ] [ "events" ] [] [ "create"; "patch" ] ]

/// Role/RoleBinding spire-server-external-cert-reader: the OpenShift router may read the Secret named by
/// servingCert.externalSecretRef. Only on OpenShift (it serves the Route), and only when a Secret is named.
let externalCert (s: Scope) =
    match Scope.externalSecretRef s, s.Mode.Platform with
    | Some secret, OpenShift ->
        pair
            s
            externalCertReader
            (Scope.serverLabels s)
            (serviceAccount "router" "openshift-ingress")
            [ rule [ "" ] [ "secrets" ] [ secret ] [ "get" ]
              rule [ "" ] [ "secrets" ] [] [ "list"; "watch" ] ]
    | _ -> []
