/// The HTTP server in front of the simulated cluster: Kestrel on 127.0.0.1, every path routed by ApiPath to
/// discovery or to the resource verbs, every unexpected failure answered as a 500 Status.
module Ztwim.Sim.Serve.ApiHost

open System
open System.Net
open System.Threading.Tasks
open Microsoft.AspNetCore.Builder
open Microsoft.AspNetCore.Hosting
open Microsoft.AspNetCore.Hosting.Server
open Microsoft.AspNetCore.Hosting.Server.Features
open Microsoft.AspNetCore.Http
open Microsoft.Extensions.DependencyInjection
open Microsoft.Extensions.Hosting
open Microsoft.Extensions.Logging
open Ztwim.Adapters.Cluster
open Ztwim.Adapters.Sim
open Ztwim.Sim.Serve.ApiPath
open Ztwim.Sim.Serve.SimLoop

/// Kinds served beyond the simulation's own: CRDs (stored, so `kubectl apply -f manifests/crds/` works; the
/// operator's CRDs are served already), events.k8s.io Events (stored beside, not shared with, v1 Events) and
/// PodDisruptionBudgets (stored, so that `kubectl apply -k manifests/` installs the operator's own).
let extraTypes =
    [ CrdStatus.crdType
      ResourceType("events.k8s.io/v1", "Event", "events", true)
      ResourceType("policy/v1", "PodDisruptionBudget", "poddisruptionbudgets", true) ]

/// A running server: its URL and the loop that owns its cluster.
type Server(app: WebApplication, loop: Loop, url: string) =
    member _.Url = url
    member _.Port = Uri(url).Port
    member _.Loop = loop

    /// Blocks until the host is told to stop (SIGINT, SIGTERM), which its console lifetime handles.
    member _.WaitForShutdown() = app.WaitForShutdownAsync().Wait()

    interface IAsyncDisposable with
        member _.DisposeAsync() =
            ValueTask(
                task {
                    do! app.StopAsync()
                    do! app.DisposeAsync()
                    (loop :> IDisposable).Dispose()
                }
            )

let private discovery (ctx: HttpContext) (document: Ztwim.Kernel.Json option) =
    match document with
    | Some d -> Wire.json ctx 200 d
    | None -> Wire.fail ctx Wire.notFound

let private dispatch (loop: Loop) (served: ResourceType list) (ctx: HttpContext) : Task =
    let hasStatus t = loop.Cluster.HasStatusSubresource t
    let address = string ctx.Request.Host

    task {
        try
            match string ctx.Request.Path with
            | "/healthz"
            | "/livez"
            | "/readyz" ->
                ctx.Response.ContentType <- "text/plain"
                do! ctx.Response.WriteAsync "ok"
            | path when path.StartsWith SimControl.prefix -> do! SimControl.handle loop ctx
            | path ->
                match ApiPath.parse path with
                | Version -> do! Wire.json ctx 200 Discovery.version
                | CoreVersions -> do! Wire.json ctx 200 (Discovery.coreVersions address)
                | Groups -> do! Wire.json ctx 200 (Discovery.groups served)
                | Resources(g, v) -> do! discovery ctx (Discovery.resources hasStatus served g v)
                | OpenApiV3Root -> do! Wire.json ctx 200 (Discovery.openApiRoot served)
                | OpenApiV3(g, v) -> do! discovery ctx (Discovery.openApi served g v)
                | Resource p -> do! Resources.handle loop served ctx p
                | Unknown -> do! Wire.fail ctx Wire.notFound
        with e when not ctx.Response.HasStarted ->
            do! Wire.fail ctx (ApiError(500, "InternalError", sprintf "Internal error occurred: %s" e.Message))
    }

/// Starts serving a new simulated cluster on 127.0.0.1:<paramref name="port"/> (0: any free port). Its clock
/// starts at the wall clock's now (so kubectl's AGE column is right) and follows it.
let start (options: SimClusterOptions) (port: int) : Task<Server> =
    task {
        let now =
            DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds())

        let clock = SimClock now

        let options =
            SimClusterOptions(
                Nodes = options.Nodes,
                Namespaces = options.Namespaces,
                ServedTypes = [| yield! options.ServedTypes; yield! extraTypes |],
                WatchHistoryLimit = options.WatchHistoryLimit,
                BookmarkInterval = options.BookmarkInterval,
                PodReadyDelay = options.PodReadyDelay,
                ControllerDelay = options.ControllerDelay,
                GarbageCollectionDelay = options.GarbageCollectionDelay
            )

        let loop = new Loop(SimCluster(clock, options), clock)
        let served = List.ofSeq options.ServedTypes
        let builder = WebApplication.CreateSlimBuilder([||])
        builder.Logging.ClearProviders() |> ignore

        builder.Services.Configure<HostOptions>(fun (o: HostOptions) -> o.ShutdownTimeout <- TimeSpan.FromSeconds 5.0)
        |> ignore

        builder.WebHost.ConfigureKestrel(fun (k: Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions) ->
            k.Listen(IPAddress.Loopback, port))
        |> ignore

        let app = builder.Build()
        app.Run(RequestDelegate(dispatch loop served))
        do! app.StartAsync()

        let address =
            app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>().Addresses
            |> Seq.head

        return new Server(app, loop, address.Replace("[::1]", "127.0.0.1"))
    }
