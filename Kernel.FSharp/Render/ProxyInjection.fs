namespace Ztwim.Kernel.Render

open Ztwim.Kernel

/// The operator's egress proxy and trusted CA bundle, carried into the pods of the server StatefulSet, the
/// agent DaemonSet and the OIDC Deployment (never the CSI driver), as upstream does.
[<RequireQualifiedAccess>]
module ProxyInjection =

    let caBundleVolume = "trusted-ca-bundle"
    let caBundleMountPath = "/etc/pki/ca-trust/extracted/pem"

    /// The NO_PROXY additions the agent needs to reach the server and the API server directly.
    let agentNoProxy (ns: string) =
        [ sprintf "spire-server.%s" ns
          sprintf "spire-server.%s.svc" ns
          sprintf "spire-server.%s.svc.cluster.local" ns
          "kubernetes.default"
          "kubernetes.default.svc"
          "kubernetes.default.svc.cluster.local" ]

    let private items (json: Json) (name: string) =
        match Json.tryField name json with
        | Some(Json.Array xs) -> xs
        | _ -> []

    let private named (json: Json) =
        match Json.tryField "name" json with
        | Some(Json.String n) -> n
        | _ -> ""

    let private setMember (name: string) (value: Json) (json: Json) =
        match json with
        | Json.Object m -> Json.Object(Map.add name value m)
        | other -> other

    let private appendAbsent (listName: string) (additions: Json list) (container: Json) =
        let existing = items container listName
        let present = existing |> List.map named |> Set.ofList
        let added = additions |> List.filter (fun a -> not (present.Contains(named a)))

        if added.IsEmpty then
            container
        else
            setMember listName (Json.Array(existing @ added)) container

    /// The proxy variables for a container: HTTP_PROXY, HTTPS_PROXY, NO_PROXY (each when non-empty), only
    /// when an HTTP(S) proxy is set; `extraNoProxy` is appended to NO_PROXY.
    let proxyEnv (mode: Mode) (extraNoProxy: string list) =
        let p = mode.Proxy

        if p.HttpProxy.IsNone && p.HttpsProxy.IsNone then
            []
        else
            let noProxy =
                match (p.NoProxy |> Option.toList) @ extraNoProxy with
                | [] -> None
                | parts -> Some(String.concat "," parts)

            [ "HTTP_PROXY", p.HttpProxy; "HTTPS_PROXY", p.HttpsProxy; "NO_PROXY", noProxy ]
            |> List.choose (fun (k, v) ->
                v
                |> Option.map (fun v -> Json.obj [ "name", Json.String k; "value", Json.String v ]))

    /// A pod spec with the proxy variables in every container and init container (never overriding a
    /// variable already set), and the trusted CA bundle volume and mounts when configured.
    let apply (mode: Mode) (extraNoProxy: string list) (podSpec: Json) =
        let env = proxyEnv mode extraNoProxy

        let mount =
            Json.obj
                [ "name", Json.String caBundleVolume
                  "mountPath", Json.String caBundleMountPath
                  "readOnly", Json.Bool true ]

        let container (c: Json) =
            let withEnv = appendAbsent "env" env c

            match mode.TrustedCaBundleConfigMap with
            | Some _ -> appendAbsent "volumeMounts" [ mount ] withEnv
            | None -> withEnv

        let containers (listName: string) (spec: Json) =
            match Json.tryField listName spec with
            | Some(Json.Array cs) -> setMember listName (Json.Array(cs |> List.map container)) spec
            | _ -> spec

        let withContainers =
            podSpec |> containers "containers" |> containers "initContainers"

        match mode.TrustedCaBundleConfigMap with
        | Some configMap ->
            let volume =
                Json.obj
                    [ "name", Json.String caBundleVolume
                      "configMap",
                      Json.obj
                          [ "name", Json.String configMap
                            "items",
                            Json.Array
                                [ Json.obj
                                      [ "key", Json.String "ca-bundle.crt"; "path", Json.String "tls-ca-bundle.pem" ] ] ] ]

            appendAbsent "volumes" [ volume ] withContainers
        | None -> withContainers
