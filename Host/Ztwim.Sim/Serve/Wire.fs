/// Reading request bodies and writing answers the way the API server does: JSON objects, and every failure
/// as a `kind: Status` object whose code is the HTTP status.
module Ztwim.Sim.Serve.Wire

open System
open System.IO
open System.Threading.Tasks
open Microsoft.AspNetCore.Http
open Ztwim.Kernel
open Ztwim.Adapters.Cluster
open Ztwim.Adapters.Files

/// The Status object of a failed request.
let statusOf (error: ApiError) =
    Json.obj
        [ "kind", Json.String "Status"
          "apiVersion", Json.String "v1"
          "metadata", Json.obj []
          "status", Json.String "Failure"
          "message", Json.String error.Message
          "reason", Json.String error.Reason
          "code", Json.Number(decimal error.Code) ]

/// Writes a JSON answer with its HTTP status.
let json (ctx: HttpContext) (code: int) (body: Json) : Task =
    ctx.Response.StatusCode <- code
    ctx.Response.ContentType <- "application/json"
    ctx.Response.WriteAsync(JsonText.compact body)

/// Writes a failure as a Status object (with Retry-After when the server asks for a pause).
let fail (ctx: HttpContext) (error: ApiError) : Task =
    error.RetryAfter
    |> Option.ofNullable
    |> Option.iter (fun pause -> ctx.Response.Headers.RetryAfter <- string (int (ceil pause.TotalSeconds)))

    json ctx error.Code (statusOf error)

/// Writes an API answer: the value with <paramref name="code"/>, or its error.
let answer (ctx: HttpContext) (code: int) (result: ApiResult<Json>) : Task =
    if result.IsOk then
        json ctx code result.Value
    else
        fail ctx result.Error

/// The error for a path or verb this server does not serve.
let notFound =
    ApiError(404, "NotFound", "the server could not find the requested resource")

let methodNotAllowed (verb: string) =
    ApiError(
        405,
        "MethodNotAllowed",
        sprintf "the server does not allow this method on the requested resource (%s)" verb
    )

let unsupportedMediaType (contentType: string) =
    ApiError(
        415,
        "UnsupportedMediaType",
        sprintf
            "the body of the request was in an unknown format - accepted media types include: application/json, application/merge-patch+json, application/strategic-merge-patch+json, application/json-patch+json, application/apply-patch+yaml (got %s)"
            contentType
    )

/// The request body as one JSON value of any type (a JSON patch is an array): JSON, or YAML as well.
let value (ctx: HttpContext) : Task<Result<Json, ApiError>> =
    task {
        if (string ctx.Request.ContentType).StartsWith "application/vnd.kubernetes.protobuf" then
            // kubectl's typed generators (`kubectl create configmap`, `create deployment`) send protobuf.
            return
                Error(
                    ApiError(
                        415,
                        "UnsupportedMediaType",
                        "the simulated API server reads JSON and YAML only, not protobuf: write the object to a file and use kubectl apply -f or kubectl create -f"
                    )
                )
        else
            use reader = new StreamReader(ctx.Request.Body)
            let! text = reader.ReadToEndAsync()

            let parsed =
                if String.IsNullOrWhiteSpace text then
                    Error "the request body is empty"
                elif text.TrimStart().StartsWith "{" || text.TrimStart().StartsWith "[" then
                    JsonText.parse text
                else
                    match ManifestReader.Read text with
                    | Ok [ doc ] -> Ok doc
                    | Ok _ -> Error "the request body must hold exactly one object"
                    | Error e -> Error e

            return
                parsed
                |> Result.mapError (fun e ->
                    ApiError.BadRequest(sprintf "the body of the request could not be decoded: %s" e))
    }

/// The request body as one object: JSON, or for apply patches YAML as well.
let body (ctx: HttpContext) : Task<Result<Json, ApiError>> =
    task {
        match! value ctx with
        | Ok(Json.Object _ as o) -> return Ok o
        | Ok _ -> return Error(ApiError.BadRequest "the request body must be an object")
        | Error e -> return Error e
    }

/// A query parameter, if present and not empty.
let query (ctx: HttpContext) (name: string) =
    match ctx.Request.Query.TryGetValue name with
    | true, v when not (String.IsNullOrEmpty(string v)) -> Some(string v)
    | _ -> None

/// A boolean query parameter as Go's strconv.ParseBool reads it (`true`, `1`, ...).
let flag (ctx: HttpContext) (name: string) =
    match query ctx name with
    | Some("1" | "t" | "T" | "true" | "TRUE" | "True") -> true
    | _ -> false
