/// The simulated cluster's own endpoints, beside the Kubernetes API, for tests and measurements a real API server
/// cannot offer: every client's requests by verb (what an operator cost to converge), and cutting every open
/// watch at once (what a dropped connection or an API server restart does to informers).
module Ztwim.Sim.Serve.SimControl

open System.Threading.Tasks
open Microsoft.AspNetCore.Http
open Ztwim.Kernel
open Ztwim.Adapters.Sim
open Ztwim.Sim.Serve.SimLoop

/// The path prefix; no Kubernetes path starts with it.
let prefix = "/ztwim-sim/"

/// `{"<client>": {"<verb>": n, ...}, ...}`: each client (field manager or User-Agent) and its requests by verb.
let requests (cluster: SimCluster) =
    cluster.Clients
    |> Seq.map (fun c ->
        c.Name,
        c.Requests.ByVerb
        |> Seq.map (fun kv -> kv.Key, Json.Number(decimal kv.Value))
        |> List.ofSeq
        |> Json.obj)
    |> List.ofSeq
    |> Json.obj

/// Answers GET /ztwim-sim/requests and POST /ztwim-sim/disconnect-watches; anything else is a 404.
let handle (loop: Loop) (ctx: HttpContext) : Task =
    task {
        match ctx.Request.Method, string ctx.Request.Path with
        | "GET", "/ztwim-sim/requests" ->
            let! counts = loop.Run requests
            do! Wire.json ctx 200 counts
        | "POST", "/ztwim-sim/disconnect-watches" ->
            do! loop.Run(fun c -> c.DisconnectWatches())
            do! Wire.json ctx 200 (Json.obj [ "disconnected", Json.Bool true ])
        | _ -> do! Wire.fail ctx Wire.notFound
    }
