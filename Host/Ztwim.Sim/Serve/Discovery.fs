/// The discovery documents of the served cluster, as kubectl and client libraries read them: `/version`,
/// `/api`, `/apis`, one resource list per group version, and the smallest OpenAPI v3 that tells kubectl the
/// server validates fields itself (without it `kubectl apply` refuses to send anything: "failed to download
/// openapi"). The aggregated discovery format is not offered; clients fall back to these documents.
module Ztwim.Sim.Serve.Discovery

open System
open System.Security.Cryptography
open System.Text
open Ztwim.Kernel
open Ztwim.Adapters.Cluster

/// The Kubernetes version the served API speaks (what KubernetesClient 21 and kubectl 1.32 expect).
let kubernetesVersion = "v1.32.0"

let private s (text: string) = Json.String text
let private b (value: bool) = Json.Bool value
let private strings (items: string list) = Json.Array(List.map s items)

/// Short names kubectl users type, for the kinds that have one on a real cluster.
let private shortNames =
    Map.ofList
        [ "pods", [ "po" ]
          "services", [ "svc" ]
          "configmaps", [ "cm" ]
          "serviceaccounts", [ "sa" ]
          "namespaces", [ "ns" ]
          "nodes", [ "no" ]
          "events", [ "ev" ]
          "persistentvolumeclaims", [ "pvc" ]
          "deployments", [ "deploy" ]
          "daemonsets", [ "ds" ]
          "statefulsets", [ "sts" ]
          "customresourcedefinitions", [ "crd"; "crds" ]
          "securitycontextconstraints", [ "scc" ]
          "zerotrustworkloadidentitymanagers", [ "ztwim" ]
          "spireservers", [ "spiresrv" ]
          "spireagents", [ "spireagt" ]
          "spiffecsidrivers", [ "spiffecsi" ]
          "spireoidcdiscoveryproviders", [ "spireoidc" ] ]

/// The kinds `kubectl get all` lists.
let private inAll =
    set [ "pods"; "services"; "deployments"; "daemonsets"; "statefulsets" ]

let private verbs =
    strings [ "create"; "delete"; "get"; "list"; "patch"; "update"; "watch" ]

/// The served group versions, core first, then by group name.
let groupVersions (served: ResourceType seq) =
    served
    |> Seq.map (fun t -> t.Group, t.Version)
    |> Seq.distinct
    |> Seq.sortBy (fun (g, v) -> (g <> ""), g, v)
    |> List.ofSeq

let private apiVersionOf (group: string) (version: string) =
    if group = "" then version else group + "/" + version

/// `/version`.
let version =
    Json.obj
        [ "major", s "1"
          "minor", s "32"
          "gitVersion", s kubernetesVersion
          "gitCommit", s "ztwim-sim"
          "gitTreeState", s "clean"
          "buildDate", s "2026-01-01T00:00:00Z"
          "goVersion", s "go1.23"
          "compiler", s "gc"
          "platform", s "linux/amd64" ]

/// `/api`: the core group's versions.
let coreVersions (serverAddress: string) =
    Json.obj
        [ "kind", s "APIVersions"
          "versions", strings [ "v1" ]
          "serverAddressByClientCIDRs",
          Json.Array [ Json.obj [ "clientCIDR", s "0.0.0.0/0"; "serverAddress", s serverAddress ] ] ]

/// `/apis`: every served named group, each with its one version.
let groups (served: ResourceType seq) =
    let entry (group: string, version: string) =
        let gv =
            Json.obj [ "groupVersion", s (group + "/" + version); "version", s version ]

        Json.obj [ "name", s group; "versions", Json.Array [ gv ]; "preferredVersion", gv ]

    Json.obj
        [ "kind", s "APIGroupList"
          "apiVersion", s "v1"
          "groups", Json.Array(groupVersions served |> List.filter (fun (g, _) -> g <> "") |> List.map entry) ]

/// `/api/v1` or `/apis/GROUP/VERSION`: the resources of one group version, with their status and scale
/// subresources.
let resources (hasStatus: ResourceType -> bool) (served: ResourceType seq) (group: string) (version: string) =
    let ofType (t: ResourceType) =
        let main =
            Json.obj
                [ yield "name", s t.Plural
                  yield "singularName", s (t.Kind.ToLowerInvariant())
                  yield "namespaced", b t.Namespaced
                  yield "kind", s t.Kind
                  yield "verbs", verbs
                  match shortNames.TryFind t.Plural with
                  | Some names -> yield "shortNames", strings names
                  | None -> ()
                  if inAll.Contains t.Plural then
                      yield "categories", strings [ "all" ] ]

        let status =
            Json.obj
                [ "name", s (t.Plural + "/status")
                  "singularName", s ""
                  "namespaced", b t.Namespaced
                  "kind", s t.Kind
                  "verbs", strings [ "get"; "patch"; "update" ] ]

        let scale =
            Json.obj
                [ "name", s (t.Plural + "/scale")
                  "singularName", s ""
                  "namespaced", b t.Namespaced
                  "group", s "autoscaling"
                  "version", s "v1"
                  "kind", s "Scale"
                  "verbs", strings [ "get"; "patch"; "update" ] ]

        [ yield main
          if hasStatus t then
              yield status
          if t.Group = "apps" && (t.Kind = "Deployment" || t.Kind = "StatefulSet") then
              yield scale ]

    let types =
        served
        |> Seq.filter (fun t -> t.Group = group && t.Version = version)
        |> Seq.sortBy (fun t -> t.Plural)
        |> List.ofSeq

    if types.IsEmpty then
        None
    else
        Some(
            Json.obj
                [ "kind", s "APIResourceList"
                  "apiVersion", s "v1"
                  "groupVersion", s (apiVersionOf group version)
                  "resources", Json.Array(types |> List.collect ofType) ]
        )

/// The OpenAPI v3 document of one group version: only each kind's PATCH operation and the query parameters
/// it takes, which is what kubectl reads to learn that the server does field validation and dry runs.
let openApi (served: ResourceType seq) (group: string) (version: string) =
    let query name =
        Json.obj [ "name", s name; "in", s "query"; "schema", Json.obj [ "type", s "string" ] ]

    let patchOf (t: ResourceType) =
        let prefix =
            if group = "" then
                "/api/" + version
            else
                "/apis/" + group + "/" + version

        let path =
            if t.Namespaced then
                sprintf "%s/namespaces/{namespace}/%s/{name}" prefix t.Plural
            else
                sprintf "%s/%s/{name}" prefix t.Plural

        path,
        Json.obj
            [ "patch",
              Json.obj
                  [ "operationId", s ("patch" + t.Kind)
                    "x-kubernetes-group-version-kind",
                    Json.obj [ "group", s group; "version", s version; "kind", s t.Kind ]
                    "parameters", Json.Array(List.map query [ "dryRun"; "fieldManager"; "fieldValidation"; "force" ])
                    "responses", Json.obj [ "200", Json.obj [ "description", s "OK" ] ] ] ]

    let types =
        served
        |> Seq.filter (fun t -> t.Group = group && t.Version = version)
        |> List.ofSeq

    if types.IsEmpty then
        None
    else
        Some(
            Json.obj
                [ "openapi", s "3.0.0"
                  "info", Json.obj [ "title", s "Kubernetes"; "version", s kubernetesVersion ]
                  "paths", Json.obj (types |> List.map patchOf)
                  "components", Json.obj [ "schemas", Json.obj [] ] ]
        )

/// A content hash for the OpenAPI URLs, which clients cache by.
let private hash (json: Json) =
    let bytes = SHA256.HashData(Encoding.UTF8.GetBytes(JsonText.compact json))
    Convert.ToHexString(bytes).Substring(0, 16)

/// `/openapi/v3`: where each group version's document is.
let openApiRoot (served: ResourceType seq) =
    Json.obj
        [ "paths",
          Json.obj
              [ for (g, v) in groupVersions served do
                    let key = if g = "" then "api/" + v else "apis/" + g + "/" + v

                    match openApi served g v with
                    | Some doc ->
                        yield key, Json.obj [ "serverRelativeURL", s ("/openapi/v3/" + key + "?hash=" + hash doc) ]
                    | None -> () ] ]
