/// `?watch=true`: one long HTTP response of newline-delimited watch events, `{"type":"ADDED","object":{...}}`.
/// Without a resourceVersion (or with "0") the watch starts with every current object as ADDED, as a real
/// server's watch cache does; from a compacted resourceVersion it is one ERROR event with a 410 Status.
module Ztwim.Sim.Serve.WatchStream

open System
open System.Threading
open System.Threading.Tasks
open Microsoft.AspNetCore.Http
open Microsoft.Extensions.DependencyInjection
open Microsoft.Extensions.Hosting
open Ztwim.Kernel
open Ztwim.Adapters.Cluster
open Ztwim.Sim.Serve.SimLoop

/// How long a watch lasts when the client names no timeoutSeconds (a real server picks 30 to 60 minutes).
let defaultTimeout = TimeSpan.FromMinutes 30.0

/// What a watch request asks for.
type Request =
    {
        Type: ResourceType
        Namespace: string option
        LabelSelector: string option
        Fields: Json -> bool
        ResourceVersion: string option
        Bookmarks: bool
        SendInitialEvents: bool
        Timeout: TimeSpan
        Manager: string
        /// How an object is sent: itself, or as a one-row Table for `kubectl get -w`.
        Present: Json -> Json
    }

let private typeName =
    function
    | WatchEventType.Added -> "ADDED"
    | WatchEventType.Modified -> "MODIFIED"
    | WatchEventType.Deleted -> "DELETED"
    | WatchEventType.Bookmark -> "BOOKMARK"
    | _ -> "ERROR"

let private line (kind: WatchEventType) (obj: Json) =
    JsonText.compact (Json.obj [ "type", Json.String(typeName kind); "object", obj ])
    + "\n"

// The bookmark that ends the initial events of a `sendInitialEvents=true` watch (the watch-list protocol).
let private initialEventsEnd (t: ResourceType) (rv: string) =
    Json.obj
        [ "apiVersion", Json.String t.ApiVersion
          "kind", Json.String t.Kind
          "metadata",
          Json.obj
              [ "resourceVersion", Json.String rv
                "annotations", Json.obj [ "k8s.io/initial-events-end", Json.String "true" ] ] ]

/// The events waiting in the channel, without waiting for more.
let private drain (events: Channels.ChannelReader<WatchEvent>) =
    let taken = ResizeArray()
    let mutable e = Unchecked.defaultof<WatchEvent>

    while events.TryRead(&e) do
        taken.Add e

    List.ofSeq taken

/// Opens the watch on the cluster's thread (listing first when it starts from now), then streams its events
/// until the client goes away, the timeout passes or the server ends the watch.
let serve (loop: Loop) (ctx: HttpContext) (request: Request) : Task =
    task {
        let startsNow =
            match request.ResourceVersion with
            | None
            | Some "0" -> true
            | Some _ -> false

        let! opened =
            loop.Run(fun cluster ->
                let client = cluster.Client request.Manager
                let ns = Option.toObj request.Namespace
                let selector = Option.toObj request.LabelSelector

                if startsNow then
                    let listed =
                        client.ListAsync(request.Type, ns, selector, CancellationToken.None).Result

                    if listed.IsOk then
                        let watch =
                            client
                                .WatchAsync(
                                    request.Type,
                                    ns,
                                    selector,
                                    listed.Value.ResourceVersion,
                                    CancellationToken.None
                                )
                                .Result

                        if watch.IsOk then
                            Ok(List.ofSeq listed.Value.Items, listed.Value.ResourceVersion, watch.Value)
                        else
                            Error watch.Error
                    else
                        Error listed.Error
                else
                    let watch =
                        client
                            .WatchAsync(
                                request.Type,
                                ns,
                                selector,
                                request.ResourceVersion.Value,
                                CancellationToken.None
                            )
                            .Result

                    if watch.IsOk then
                        Ok([], request.ResourceVersion.Value, watch.Value)
                    else
                        Error watch.Error)

        match opened with
        | Error e -> do! Wire.fail ctx e
        | Ok(initial, rv, watch) ->
            // A server shutting down ends its watches, as a real one does, instead of waiting for them.
            let stopping =
                ctx.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping

            use stop =
                CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, stopping)

            stop.CancelAfter request.Timeout
            ctx.Response.StatusCode <- 200
            ctx.Response.ContentType <- "application/json"

            let write (text: string) =
                ctx.Response.WriteAsync(text, stop.Token)

            try
                try
                    do! ctx.Response.StartAsync stop.Token

                    for obj in initial |> List.filter request.Fields do
                        do! write (line WatchEventType.Added (request.Present obj))

                    if request.SendInitialEvents then
                        do! write (line WatchEventType.Bookmark (initialEventsEnd request.Type rv))

                    do! ctx.Response.Body.FlushAsync stop.Token
                    let events = watch.Events
                    let mutable openWatch = true

                    while openWatch do
                        let! more = events.WaitToReadAsync(stop.Token).AsTask()

                        if more then
                            let text =
                                drain events
                                |> List.filter (fun e ->
                                    match e.Type with
                                    | WatchEventType.Bookmark -> request.Bookmarks
                                    | WatchEventType.Error -> true
                                    | _ -> request.Fields e.Object)
                                |> List.map (fun e ->
                                    match e.Type with
                                    | WatchEventType.Added
                                    | WatchEventType.Modified
                                    | WatchEventType.Deleted -> line e.Type (request.Present e.Object)
                                    | _ -> line e.Type e.Object)
                                |> String.concat ""

                            if text <> "" then
                                do! write text
                                do! ctx.Response.Body.FlushAsync stop.Token
                        else
                            openWatch <- false
                with
                | :? OperationCanceledException -> ()
                | :? System.IO.IOException -> ()
            finally
                // The watch belongs to the cluster's thread; closing it there keeps the hub single-threaded.
                loop.Run(fun _ -> watch.DisposeAsync().AsTask().Wait()) |> ignore
    }
    :> Task
