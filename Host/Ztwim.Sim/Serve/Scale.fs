/// The `/scale` subresource of Deployments and StatefulSets, which `kubectl scale` reads and patches: an
/// autoscaling/v1 Scale whose spec.replicas is the workload's, and whose writes become writes of the workload.
module Ztwim.Sim.Serve.Scale

open System.Threading
open System.Threading.Tasks
open Microsoft.AspNetCore.Http
open Ztwim.Kernel
open Ztwim.Kernel.Render
open Ztwim.Adapters.Cluster
open Ztwim.Sim.Serve.SimLoop

/// Whether a kind has a scale subresource here.
let scalable (t: ResourceType) =
    t.Group = "apps" && (t.Kind = "Deployment" || t.Kind = "StatefulSet")

let private at (obj: Json) (path: string[]) =
    match box (JsonAccess.At(obj, path)) with
    | :? Json as j -> Some j
    | _ -> None

/// The Scale of a workload: its replicas wanted and running, and its selector as text.
let private scaleOf (workload: Json) =
    let metadata =
        [ "name"; "namespace"; "uid"; "resourceVersion"; "creationTimestamp" ]
        |> List.choose (fun f -> at workload [| "metadata"; f |] |> Option.map (fun v -> f, v))

    let selector =
        workload.Members([| "spec"; "selector"; "matchLabels" |])
        |> Seq.map (fun kv ->
            match kv.Value with
            | Json.String v -> kv.Key + "=" + v
            | _ -> kv.Key)
        |> String.concat ","

    Json.obj
        [ "kind", Json.String "Scale"
          "apiVersion", Json.String "autoscaling/v1"
          "metadata", Json.obj metadata
          "spec", Json.obj [ "replicas", defaultArg (at workload [| "spec"; "replicas" |]) (Json.Number 1m) ]
          "status",
          Json.obj
              [ "replicas", defaultArg (at workload [| "status"; "replicas" |]) (Json.Number 0m)
                "selector", Json.String selector ] ]

/// GET, PUT or merge PATCH of the Scale of the workload <paramref name="r"/>.
let serve (loop: Loop) (ctx: HttpContext) (manager: string) (r: ObjectRef) : Task =
    task {
        let none = CancellationToken.None

        let! body =
            if ctx.Request.Method = "GET" then
                Task.FromResult(Ok(Json.obj []))
            else
                Wire.body ctx

        match body with
        | Error e -> do! Wire.fail ctx e
        | Ok scale ->
            let! answer =
                loop.Run(fun c ->
                    let client = c.Client manager
                    let current = client.GetAsync(r, none).Result

                    if not current.IsOk || ctx.Request.Method = "GET" then
                        current
                    else
                        // A PUT carries the whole Scale, a merge patch part of one: either way only the
                        // replica count (and a resourceVersion precondition) reaches the workload.
                        match at scale [| "spec"; "replicas" |], ctx.Request.Method with
                        | Some(Json.Number _ as n), _ ->
                            let patch =
                                Json.obj
                                    [ yield "spec", Json.obj [ "replicas", n ]
                                      match at scale [| "metadata"; "resourceVersion" |] with
                                      | Some rv -> yield "metadata", Json.obj [ "resourceVersion", rv ]
                                      | None -> () ]

                            client.MergePatchAsync(r, patch, none).Result
                        | None, "PATCH" -> current
                        | _ ->
                            ApiResult<Json>
                                .Fail(
                                    ApiError.Invalid "Scale.autoscaling \"\" is invalid: spec.replicas: Required value"
                                ))

            if answer.IsOk then
                do! Wire.json ctx 200 (scaleOf answer.Value)
            else
                do! Wire.fail ctx answer.Error
    }
    :> Task
