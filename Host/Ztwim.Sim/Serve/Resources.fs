/// The REST verbs on one served kind: get, list (label and field selectors), watch, create, update, merge
/// patch, server-side apply, delete, each on the object or its status subresource. Every request runs on the
/// cluster's thread through one SimClusterClient per field manager.
module Ztwim.Sim.Serve.Resources

open System
open System.Threading
open System.Threading.Tasks
open Microsoft.AspNetCore.Http
open Ztwim.Kernel
open Ztwim.Adapters.Cluster
open Ztwim.Adapters.Sim
open Ztwim.Sim.Serve.ApiPath
open Ztwim.Sim.Serve.SimLoop

/// Who writes: the fieldManager the client names, else the product in its User-Agent, as the API server does.
let private manager (ctx: HttpContext) =
    match Wire.query ctx "fieldManager" with
    | Some m -> m
    | None ->
        match string ctx.Request.Headers.UserAgent with
        | "" -> "unknown"
        | agent -> agent.Split('/').[0]

let private refOf (t: ResourceType) (path: ResourcePath) =
    JsonAccess.Ref(t.ApiVersion, t.Kind, Option.toObj path.Namespace, defaultArg path.Name "")

/// The body as the server stores it: apiVersion and kind from the path when absent, the namespace and name
/// of the path; a body that names another kind, namespace or object is a bad request.
let private place (t: ResourceType) (path: ResourcePath) (body: Json) =
    let mismatch what (given: string) (expected: string) =
        Error(
            ApiError.BadRequest(
                sprintf
                    "the %s of the provided object (%s) does not match the %s sent on the request (%s)"
                    what
                    given
                    what
                    expected
            )
        )

    let given (field: string) = body.Str([| field |]) |> Option.ofObj

    match given "apiVersion", given "kind", body.Meta "namespace" |> Option.ofObj, body.Meta "name" |> Option.ofObj with
    | Some v, _, _, _ when v <> t.ApiVersion -> mismatch "apiVersion" v t.ApiVersion
    | _, Some k, _, _ when k <> t.Kind -> mismatch "kind" k t.Kind
    | _, _, Some ns, _ when t.Namespaced && ns <> "" && Some ns <> path.Namespace ->
        mismatch "namespace" ns (defaultArg path.Namespace "")
    | _, _, _, Some n when path.Name.IsSome && n <> "" && Some n <> path.Name -> mismatch "name" n path.Name.Value
    | _ ->
        let placed =
            body.With([| "apiVersion" |], JsonAccess.Of t.ApiVersion).With([| "kind" |], JsonAccess.Of t.Kind)

        let placed =
            match path.Namespace with
            | Some ns when t.Namespaced -> placed.With([| "metadata"; "namespace" |], JsonAccess.Of ns)
            | _ -> placed

        Ok(
            match path.Name with
            | Some n -> placed.With([| "metadata"; "name" |], JsonAccess.Of n)
            | None -> placed
        )

/// The list answer: the kind's List with the collection's resourceVersion, where a watch resumes.
let private listOf (t: ResourceType) (items: Json seq) (rv: string) =
    Json.obj
        [ "apiVersion", Json.String t.ApiVersion
          "kind", Json.String(t.Kind + "List")
          "metadata", Json.obj [ "resourceVersion", Json.String rv ]
          "items", Json.Array(List.ofSeq items) ]

let private none = CancellationToken.None

/// The columns to print the kind with, when the client asks for a Table.
let private columns (ctx: HttpContext) (c: SimCluster) (t: ResourceType) =
    if Tables.wanted ctx then
        Some(Tables.columns t (CrdStatus.definitionOf c t))
    else
        None

let private get (loop: Loop) ctx t path =
    task {
        let! found, printed =
            loop.Run(fun c -> (c.Client(manager ctx)).GetAsync(refOf t path, none).Result, columns ctx c t)

        match printed with
        | Some cs when found.IsOk ->
            let rv = defaultArg (found.Value.Meta "resourceVersion" |> Option.ofObj) ""
            do! Wire.json ctx 200 (Tables.table ctx DateTimeOffset.UtcNow cs [ found.Value ] rv)
        | _ -> do! Wire.answer ctx 200 found
    }

let private list (loop: Loop) ctx (t: ResourceType) (path: ResourcePath) =
    task {
        match FieldSelector.parse (Wire.query ctx "fieldSelector") with
        | Error e -> do! Wire.fail ctx e
        | Ok fields ->
            let labels = Wire.query ctx "labelSelector"

            if Wire.flag ctx "watch" then
                let! printed = loop.Run(fun c -> columns ctx c t)

                let present =
                    match printed with
                    | Some cs ->
                        fun (o: Json) ->
                            let rv = defaultArg (o.Meta "resourceVersion" |> Option.ofObj) ""
                            Tables.table ctx DateTimeOffset.UtcNow cs [ o ] rv
                    | None -> id

                do!
                    WatchStream.serve
                        loop
                        ctx
                        { Type = t
                          Namespace = path.Namespace
                          LabelSelector = labels
                          Fields = fields
                          ResourceVersion = Wire.query ctx "resourceVersion"
                          Bookmarks = Wire.flag ctx "allowWatchBookmarks"
                          SendInitialEvents = Wire.flag ctx "sendInitialEvents"
                          Timeout =
                            match Wire.query ctx "timeoutSeconds" |> Option.map Int32.TryParse with
                            | Some(true, seconds) when seconds > 0 -> TimeSpan.FromSeconds(float seconds)
                            | _ -> WatchStream.defaultTimeout
                          Manager = manager ctx
                          Present = present }
            else
                let! listed, printed =
                    loop.Run(fun c ->
                        (c.Client(manager ctx))
                            .ListAsync(t, Option.toObj path.Namespace, Option.toObj labels, none)
                            .Result,
                        columns ctx c t)

                match printed with
                | _ when not listed.IsOk -> do! Wire.fail ctx listed.Error
                | Some cs ->
                    let items = Seq.filter fields listed.Value.Items
                    do! Wire.json ctx 200 (Tables.table ctx DateTimeOffset.UtcNow cs items listed.Value.ResourceVersion)
                | None ->
                    do! Wire.json ctx 200 (listOf t (Seq.filter fields listed.Value.Items) listed.Value.ResourceVersion)
    }

let private write (loop: Loop) ctx t path (send: SimClusterClient -> Json -> ApiResult<Json>) code =
    task {
        match! Wire.body ctx with
        | Error e -> do! Wire.fail ctx e
        | Ok body ->
            match place t path body with
            | Error e -> do! Wire.fail ctx e
            | Ok placed ->
                let! written = loop.Run(fun c -> send (c.Client(manager ctx)) placed |> CrdStatus.settle c t)
                do! Wire.answer ctx code written
    }

let private patch (loop: Loop) (ctx: HttpContext) (t: ResourceType) path status =
    let contentType = (string ctx.Request.ContentType).Split(';').[0].Trim()

    match contentType with
    | "application/merge-patch+json"
    | "application/strategic-merge-patch+json" as kind ->
        task {
            match! Wire.body ctx with
            | Error e -> do! Wire.fail ctx e
            | Ok patch ->
                let r = refOf t path

                let! patched =
                    loop.Run(fun c ->
                        let client = c.Client(manager ctx)

                        let written =
                            if kind = "application/merge-patch+json" then
                                if status then
                                    client.MergePatchStatusAsync(r, patch, none).Result
                                else
                                    client.MergePatchAsync(r, patch, none).Result
                            else
                                // Resolved here, where the current object is, then written whole: the same
                                // outcome as the patch, with the patch's resourceVersion precondition kept.
                                let current = client.GetAsync(r, none).Result

                                if not current.IsOk then
                                    current
                                else
                                    let next = StrategicMerge.resolve current.Value patch

                                    if status then
                                        client.UpdateStatusAsync(next, none).Result
                                    else
                                        client.UpdateAsync(next, none).Result

                        CrdStatus.settle c t written)

                do! Wire.answer ctx 200 patched
        }
        :> Task
    | "application/apply-patch+yaml" ->
        match Wire.query ctx "fieldManager" with
        | None ->
            Wire.fail
                ctx
                (ApiError.Invalid
                    "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch")
        | Some fieldManager ->
            let force = Wire.flag ctx "force"

            task {
                match! Wire.body ctx with
                | Error e -> do! Wire.fail ctx e
                | Ok body when isNull (body.Str "apiVersion") || isNull (body.Str "kind") ->
                    do! Wire.fail ctx (ApiError.BadRequest "apiVersion and kind must be set in an apply patch")
                | Ok body ->
                    match place t path body with
                    | Error e -> do! Wire.fail ctx e
                    | Ok placed ->
                        let! created, applied =
                            loop.Run(fun c ->
                                let existed = c.Find(refOf t path) |> box |> isNull |> not
                                let client = c.Client fieldManager

                                (not existed),
                                (if status then
                                     client.ApplyStatusAsync(placed, fieldManager, force, none).Result
                                 else
                                     client.ApplyAsync(placed, fieldManager, force, none).Result)
                                |> CrdStatus.settle c t)

                        do! Wire.answer ctx (if created then 201 else 200) applied
            }
            :> Task
    | "application/json-patch+json" ->
        task {
            match! Wire.value ctx with
            | Error e -> do! Wire.fail ctx e
            | Ok operations ->
                let r = refOf t path

                let! patched =
                    loop.Run(fun c ->
                        let client = c.Client(manager ctx)
                        let current = client.GetAsync(r, none).Result

                        if not current.IsOk then
                            current
                        else
                            match JsonPatch.apply current.Value operations with
                            | Error e ->
                                ApiResult<Json>
                                    .Fail(ApiError.Invalid(sprintf "the JSON patch cannot be applied: %s" e))
                            | Ok next when status -> client.UpdateStatusAsync(next, none).Result
                            | Ok next -> client.UpdateAsync(next, none).Result |> CrdStatus.settle c t)

                do! Wire.answer ctx 200 patched
        }
        :> Task
    | other -> Wire.fail ctx (Wire.unsupportedMediaType other)

let private delete (loop: Loop) ctx t path =
    task {
        let r = refOf t path
        // DeleteOptions.preconditions, when the body carries them (an empty body has none).
        let! options = Wire.body ctx

        let preconditions =
            match options with
            | Ok o when Json.tryField "preconditions" o |> Option.isSome ->
                Some(DeletePreconditions(o.Str("preconditions", "uid"), o.Str("preconditions", "resourceVersion")))
            | _ -> None

        let! outcome =
            loop.Run(fun c ->
                let client = c.Client(manager ctx)

                let deleted =
                    match preconditions with
                    | Some p -> client.DeleteAsync(r, p, none).Result
                    | None -> client.DeleteAsync(r, none).Result

                if deleted.IsOk then
                    // An object its finalizers hold comes back marked; one that is gone, as a Success Status.
                    match c.Find r |> box with
                    | :? Json as marked -> ApiResult<Json>.Ok marked
                    | _ ->
                        ApiResult<Json>
                            .Ok(
                                Json.obj
                                    [ "kind", Json.String "Status"
                                      "apiVersion", Json.String "v1"
                                      "metadata", Json.obj []
                                      "status", Json.String "Success"
                                      "details",
                                      Json.obj
                                          [ "name", Json.String r.Name
                                            "group", Json.String t.Group
                                            "kind", Json.String t.Plural ] ]
                            )
                else
                    ApiResult<Json>.Fail deleted.Error)

        do! Wire.answer ctx 200 outcome
    }

/// Serves one request for a resource path on the kinds in <paramref name="served"/>.
let handle (loop: Loop) (served: ResourceType list) (ctx: HttpContext) (path: ResourcePath) : Task =
    let found =
        served
        |> List.tryFind (fun t -> t.Group = path.Group && t.Version = path.Version && t.Plural = path.Plural)

    match found with
    | None -> Wire.fail ctx Wire.notFound
    | Some t when t.Namespaced && path.Namespace.IsNone && path.Name.IsSome -> Wire.fail ctx Wire.notFound
    | Some t when not t.Namespaced && path.Namespace.IsSome -> Wire.fail ctx Wire.notFound
    | Some t ->
        let status =
            match path.Subresource with
            | None -> Some false
            | Some "status" when loop.Cluster.HasStatusSubresource t -> Some true
            | Some _ -> None

        match ctx.Request.Method, path.Name, status with
        | ("GET" | "PUT" | "PATCH"), Some _, None when path.Subresource = Some "scale" && Scale.scalable t ->
            Scale.serve loop ctx (manager ctx) (refOf t path)
        | _, _, None -> Wire.fail ctx Wire.notFound
        | "GET", None, Some false -> list loop ctx t path
        | "GET", Some _, Some _ -> get loop ctx t path
        | "POST", None, Some false -> write loop ctx t path (fun client obj -> client.CreateAsync(obj, none).Result) 201
        | "PUT", Some _, Some isStatus ->
            write
                loop
                ctx
                t
                path
                (fun client obj ->
                    if isStatus then
                        client.UpdateStatusAsync(obj, none).Result
                    else
                        client.UpdateAsync(obj, none).Result)
                200
        | "PATCH", Some _, Some isStatus -> patch loop ctx t path isStatus
        | "DELETE", Some _, Some false -> delete loop ctx t path
        | verb, _, _ -> Wire.fail ctx (Wire.methodNotAllowed verb)
