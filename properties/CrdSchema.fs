/// The CRDs in manifests/crds as the API server uses them: defaulting, then OpenAPI schema validation
/// (through NJsonSchema; CEL rules are not evaluated here).
module Ztwim.Properties.CrdSchema

open System.IO
open NJsonSchema
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Adapters.Files

/// The repository root (Ztwim.Specs.Repository, linked into this project).
let repositoryRoot = Ztwim.Specs.Repository.root

let private crdFile (kind: Kind) =
    Path.Combine(
        repositoryRoot,
        "manifests",
        "crds",
        sprintf "operator.openshift.io_%ss.yaml" ((Kind.name kind).ToLowerInvariant())
    )

/// The openAPIV3Schema of a kind's CRD.
let openApiSchema (kind: Kind) : Json =
    match ManifestReader.Read(File.ReadAllText(crdFile kind)) with
    | Ok [ crd ] ->
        match JsonEdit.get [ "spec"; "versions" ] crd with
        | Some(Json.Array(version :: _)) ->
            JsonEdit.get [ "schema"; "openAPIV3Schema" ] version
            |> Option.defaultWith (fun () -> failwith "no openAPIV3Schema")
        | _ -> failwith "no versions"
    | Ok docs -> failwithf "expected one CRD, found %d documents" docs.Length
    | Error e -> failwith e

/// The schema with Go's regular-expression semantics where .NET differs: a closing `$` matches only at the very
/// end (the API server uses Go's RE2; .NET's `$` also matches before a final newline).
let rec private goPatterns (schema: Json) : Json =
    match schema with
    | Json.Object m ->
        m
        |> Map.map (fun k v ->
            match k, v with
            | "pattern", Json.String p when p.EndsWith "$" && not (p.EndsWith "\\$") ->
                Json.String(p.Substring(0, p.Length - 1) + "\\z")
            | _ -> goPatterns v)
        |> Json.Object
    | Json.Array items -> Json.Array(items |> List.map goPatterns)
    | other -> other

/// Prunes null members and fills in schema defaults for absent ones, as the API server does before validating.
let rec applyDefaults (schema: Json) (value: Json) : Json =
    match value with
    | Json.Object raw ->
        // A null member of a non-nullable field is pruned before defaulting, as the API server does.
        let members = raw |> Map.filter (fun _ v -> v <> Json.Null)

        let withDefaults =
            match Json.tryField "properties" schema with
            | Some(Json.Object props) ->
                props
                |> Map.fold
                    (fun (acc: Map<string, Json>) name propSchema ->
                        match Map.tryFind name acc, Json.tryField "default" propSchema with
                        | None, Some d -> Map.add name d acc
                        | Some v, _ -> Map.add name (applyDefaults propSchema v) acc
                        | None, None -> acc)
                    members
            | _ -> members

        match Json.tryField "additionalProperties" schema with
        | Some(Json.Object _ as valueSchema) -> withDefaults |> Map.map (fun _ v -> applyDefaults valueSchema v)
        | _ -> withDefaults
        |> Json.Object
    | Json.Array items ->
        match Json.tryField "items" schema with
        | Some itemSchema -> Json.Array(items |> List.map (applyDefaults itemSchema))
        | None -> value
    | _ -> value

let private validators =
    Kind.all
    |> List.map (fun k ->
        let schema = openApiSchema k
        k, (schema, JsonSchema.FromJsonAsync(JsonText.compact (goPatterns schema)).Result))
    |> Map.ofList

/// The schema errors the API server would report for this object of `kind` (after defaulting).
let schemaErrors (kind: Kind) (json: Json) : string list =
    let openApi, schema = validators.[kind]
    let defaulted = applyDefaults openApi json

    schema.Validate(JsonText.compact defaulted)
    |> Seq.map (fun e -> sprintf "%s: %O" e.Path e.Kind)
    |> List.ofSeq
