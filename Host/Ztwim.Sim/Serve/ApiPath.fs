/// What a Kubernetes REST path names: a group and version, then a collection or one object, maybe a subresource.
module Ztwim.Sim.Serve.ApiPath

/// One resource request path, e.g. `/apis/apps/v1/namespaces/ns/deployments/name/status`.
type ResourcePath =
    { Group: string
      Version: string
      Namespace: string option
      Plural: string
      Name: string option
      Subresource: string option }

/// Where a request goes.
type Route =
    | Version
    | CoreVersions
    | Groups
    | Resources of group: string * version: string
    | Resource of ResourcePath
    | OpenApiV3Root
    | OpenApiV3 of group: string * version: string
    | Unknown

let private resource group version (rest: string list) =
    let at ns plural name sub =
        Resource
            { Group = group
              Version = version
              Namespace = ns
              Plural = plural
              Name = name
              Subresource = sub }

    match rest with
    // `namespaces/NAME` and `namespaces/NAME/status` are the Namespace objects themselves.
    | [ "namespaces" ] -> at None "namespaces" None None
    | [ "namespaces"; name ] -> at None "namespaces" (Some name) None
    | [ "namespaces"; name; ("status" | "finalize" as sub) ] -> at None "namespaces" (Some name) (Some sub)
    | "namespaces" :: ns :: plural :: more ->
        match more with
        | [] -> at (Some ns) plural None None
        | [ name ] -> at (Some ns) plural (Some name) None
        | [ name; sub ] -> at (Some ns) plural (Some name) (Some sub)
        | _ -> Unknown
    | [ plural ] -> at None plural None None
    | [ plural; name ] -> at None plural (Some name) None
    | [ plural; name; sub ] -> at None plural (Some name) (Some sub)
    | _ -> Unknown

/// The route of a request path (no query string).
let parse (path: string) =
    match path.Trim('/').Split('/') |> List.ofArray |> List.filter ((<>) "") with
    | [ "version" ] -> Version
    | [ "api" ] -> CoreVersions
    | [ "apis" ] -> Groups
    | [ "api"; v ] -> Resources("", v)
    | [ "apis"; g; v ] -> Resources(g, v)
    | "api" :: v :: rest -> resource "" v rest
    | "apis" :: g :: v :: rest -> resource g v rest
    | [ "openapi"; "v3" ] -> OpenApiV3Root
    | [ "openapi"; "v3"; "api"; v ] -> OpenApiV3("", v)
    | [ "openapi"; "v3"; "apis"; g; v ] -> OpenApiV3(g, v)
    | _ -> Unknown
