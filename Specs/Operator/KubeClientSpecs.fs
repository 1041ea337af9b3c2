/// KubeClusterClient against a stub HTTP handler: the REST paths and content types it sends, and every failure
/// as an ApiError value (code, reason, message, Retry-After), watches included.
module Ztwim.Specs.Operator.KubeClientSpecs

open System
open System.Net
open System.Net.Http
open System.Threading
open System.Threading.Tasks
open Expecto
open Ztwim.Kernel
open Ztwim.Adapters.Cluster
open Ztwim.Adapters.Kube

/// A request as the stub saw it.
type Seen =
    { Method: string
      Path: string
      ContentType: string
      Body: string }

/// Answers every request with `answer`, recording it.
type private Stub(answer: HttpRequestMessage -> HttpResponseMessage) =
    inherit HttpMessageHandler()
    member val Seen = ResizeArray<Seen>()

    override this.SendAsync(request, _ct) =
        let body =
            if isNull request.Content then
                ""
            else
                request.Content.ReadAsStringAsync().Result

        let contentType =
            if isNull request.Content || isNull request.Content.Headers.ContentType then
                ""
            else
                request.Content.Headers.ContentType.MediaType

        this.Seen.Add
            { Method = string request.Method
              Path = request.RequestUri.PathAndQuery
              ContentType = contentType
              Body = body }

        Task.FromResult(answer request)

let private respond (code: int) (body: string) =
    let r = new HttpResponseMessage(enum<HttpStatusCode> code)
    r.Content <- new StringContent(body)
    r

let private client (answer: HttpRequestMessage -> HttpResponseMessage) =
    let stub = new Stub(answer)
    let c = KubeClusterClient(new HttpClient(stub), Uri "http://api.test:8080/", null)
    c, stub

let private json text =
    match JsonText.parse text with
    | Ok j -> j
    | Error e -> failwith e

let private status code reason message =
    $"""{{"kind":"Status","apiVersion":"v1","status":"Failure","code":{code},"reason":"{reason}","message":"{message}"}}"""

let private configMap =
    json
        """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"spire-server","namespace":"ztwim"},"data":{"a":"b"}}"""

let private spireServer =
    json
        """{"apiVersion":"operator.openshift.io/v1alpha1","kind":"SpireServer","metadata":{"name":"cluster"},"status":{"conditions":[]}}"""

let private run (t: Task<ApiResult<'T>>) = t.Result

let private errorOf (t: Task<ApiResult<'T>>) =
    let r = run t
    Expect.isFalse r.IsOk "the request fails"
    r.Error

let private get (c: KubeClusterClient) =
    c.GetAsync(configMap.RefOf(), CancellationToken.None)

[<Tests>]
let tests =
    testList
        "KubeClusterClient"
        [ testList
              "errors as values"
              [ test "404 with a Status: NotFound and the server's message" {
                    let c, _ =
                        client (fun _ -> respond 404 (status 404 "NotFound" "configmaps \\\"x\\\" not found"))

                    let e = errorOf (get c)
                    Expect.equal (e.Code, e.Reason) (404, "NotFound") "code and reason"
                    Expect.equal e.Message "configmaps \"x\" not found" "message"
                    Expect.isTrue e.IsRace "a race, not a failure"
                }

                test "409 AlreadyExists and 409 Conflict keep their reasons" {
                    for reason in [ "AlreadyExists"; "Conflict" ] do
                        let c, _ = client (fun _ -> respond 409 (status 409 reason "taken"))
                        let e = errorOf (c.CreateAsync(configMap, CancellationToken.None))
                        Expect.equal (e.Code, e.Reason) (409, reason) reason
                }

                test "422 Invalid" {
                    let c, _ =
                        client (fun _ -> respond 422 (status 422 "Invalid" "spec.x: Invalid value"))

                    let e = errorOf (c.UpdateAsync(configMap, CancellationToken.None))
                    Expect.equal (e.Code, e.Reason) (422, "Invalid") "invalid"
                    Expect.isFalse e.IsTransient "not worth retrying unchanged"
                }

                test "429 with Retry-After: the delay is kept, the error is transient" {
                    let c, _ =
                        client (fun _ ->
                            let r = respond 429 (status 429 "TooManyRequests" "slow down")
                            r.Headers.Add("Retry-After", "7")
                            r)

                    let e = errorOf (get c)
                    Expect.equal (e.Code, e.Reason) (429, "TooManyRequests") "throttled"
                    Expect.equal e.RetryAfter (Nullable(TimeSpan.FromSeconds 7.0)) "Retry-After"
                    Expect.isTrue e.IsTransient "transient"
                }

                test "Retry-After from the Status details when there is no header" {
                    let body =
                        """{"kind":"Status","code":500,"reason":"InternalError","message":"etcd","details":{"retryAfterSeconds":3}}"""

                    let c, _ = client (fun _ -> respond 500 body)
                    let e = errorOf (get c)
                    Expect.equal e.RetryAfter (Nullable(TimeSpan.FromSeconds 3.0)) "details.retryAfterSeconds"
                }

                test "5xx without a Status: the code, its reason and the body's first line" {
                    for code, reason in [ 500, "InternalError"; 503, "ServiceUnavailable"; 504, "Timeout" ] do
                        let c, _ = client (fun _ -> respond code "upstream connect error\nmore")
                        let e = errorOf (get c)
                        Expect.equal (e.Code, e.Reason) (code, reason) $"{code}"
                        Expect.equal e.Message "upstream connect error" "first line of the body"
                        Expect.isTrue e.IsTransient "transient"
                }

                test "401 and 403" {
                    for code, reason in [ 401, "Unauthorized"; 403, "Forbidden" ] do
                        let c, _ = client (fun _ -> respond code "")
                        Expect.equal (errorOf (get c)).Reason reason $"{code}"
                }

                test "a connection failure is a transient 503" {
                    let c, _ = client (fun _ -> raise (HttpRequestException "connection refused"))
                    let e = errorOf (get c)
                    Expect.equal e.Code 503 "unavailable"
                    Expect.stringContains e.Message "connection refused" "the cause"
                }

                test "a kind the operator does not know is a 400, sent nowhere" {
                    let c, stub = client (fun _ -> respond 200 "{}")

                    let odd =
                        json """{"apiVersion":"example.org/v1","kind":"Widget","metadata":{"name":"w"}}"""

                    Expect.equal (errorOf (c.CreateAsync(odd, CancellationToken.None))).Code 400 "bad request"
                    Expect.isEmpty stub.Seen "no request"
                } ]

          testList
              "requests"
              [ test "core group at /api, others at /apis; namespaced and cluster-scoped" {
                    let c, stub = client (fun _ -> respond 200 "{}")
                    run (get c) |> ignore
                    run (c.GetAsync(spireServer.RefOf(), CancellationToken.None)) |> ignore
                    Expect.equal stub.Seen.[0].Path "/api/v1/namespaces/ztwim/configmaps/spire-server" "core"

                    Expect.equal
                        stub.Seen.[1].Path
                        "/apis/operator.openshift.io/v1alpha1/spireservers/cluster"
                        "group, cluster-scoped"
                }

                test "server-side apply: PATCH, apply-patch+yaml, fieldManager ztwim, force; /status for the CR" {
                    let c, stub = client (fun _ -> respond 200 "{}")
                    run (c.ApplyAsync(configMap, "ztwim", true, CancellationToken.None)) |> ignore

                    run (c.ApplyStatusAsync(spireServer, "ztwim", true, CancellationToken.None))
                    |> ignore

                    let apply, status = stub.Seen.[0], stub.Seen.[1]
                    Expect.equal apply.Method "PATCH" "PATCH"
                    Expect.equal apply.ContentType "application/apply-patch+yaml" "apply content type"

                    Expect.equal
                        apply.Path
                        "/api/v1/namespaces/ztwim/configmaps/spire-server?fieldManager=ztwim&force=true"
                        "query"

                    Expect.equal (json apply.Body) configMap "the JSON body, apiVersion and kind included"

                    Expect.equal
                        status.Path
                        "/apis/operator.openshift.io/v1alpha1/spireservers/cluster/status?fieldManager=ztwim&force=true"
                        "status subresource"
                }

                test "merge patch, delete with background propagation, create" {
                    let c, stub = client (fun _ -> respond 200 "{}")
                    let patch = json """{"metadata":{"labels":{"a":"b"}}}"""

                    run (c.MergePatchAsync(configMap.RefOf(), patch, CancellationToken.None))
                    |> ignore

                    run (c.DeleteAsync(configMap.RefOf(), CancellationToken.None)) |> ignore
                    run (c.CreateAsync(configMap, CancellationToken.None)) |> ignore
                    Expect.equal stub.Seen.[0].ContentType "application/merge-patch+json" "merge patch"
                    Expect.equal stub.Seen.[1].Method "DELETE" "delete"
                    Expect.stringContains stub.Seen.[1].Body "\"propagationPolicy\":\"Background\"" "background"

                    Expect.equal
                        (stub.Seen.[2].Method, stub.Seen.[2].Path)
                        ("POST", "/api/v1/namespaces/ztwim/configmaps")
                        "create"
                }

                test "delete with preconditions sends the uid and resourceVersion read in DeleteOptions" {
                    let c, stub = client (fun _ -> respond 200 "{}")

                    run (c.DeleteAsync(configMap.RefOf(), DeletePreconditions("u-1", "42"), CancellationToken.None))
                    |> ignore

                    Expect.stringContains
                        stub.Seen.[0].Body
                        "\"preconditions\":{\"resourceVersion\":\"42\",\"uid\":\"u-1\"}"
                        "preconditions"
                }

                test "delete: true when gone at once (a Status), false while finalizers hold the object" {
                    let gone, _ =
                        client (fun _ -> respond 200 """{"kind":"Status","apiVersion":"v1","status":"Success"}""")

                    Expect.isTrue (run (gone.DeleteAsync(configMap.RefOf(), CancellationToken.None))).Value "gone"

                    let held, _ =
                        client (fun _ ->
                            respond
                                200
                                """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"spire-server","deletionTimestamp":"2026-01-01T00:00:00Z","finalizers":["x"]}}""")

                    Expect.isFalse (run (held.DeleteAsync(configMap.RefOf(), CancellationToken.None))).Value "held"
                }

                test "list: the label selector is sent; items get apiVersion and kind; the resourceVersion is kept" {
                    let c, stub =
                        client (fun _ ->
                            respond
                                200
                                """{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"42"},"items":[{"metadata":{"name":"a","namespace":"ztwim"}}]}""")

                    let list =
                        run (c.ListAsync(ResourceTypes.Find("v1", "ConfigMap"), "ztwim", "a=b", CancellationToken.None))

                    Expect.equal stub.Seen.[0].Path "/api/v1/namespaces/ztwim/configmaps?labelSelector=a%3Db" "selector"
                    Expect.equal list.Value.ResourceVersion "42" "resourceVersion"
                    Expect.equal (list.Value.Items.[0].Str "kind") "ConfigMap" "kind"
                    Expect.equal (list.Value.Items.[0].Str "apiVersion") "v1" "apiVersion"
                }

                test "events about a cluster-scoped CR go to default, with the CR's uid" {
                    let c, stub =
                        client (fun r ->
                            if r.Method = HttpMethod.Get then
                                respond 200 """{"metadata":{"name":"cluster","uid":"u-1"}}"""
                            else
                                respond 201 "{}")

                    let e = EventRecord(spireServer.RefOf(), "Warning", "Invalid", "bad TTL")
                    Expect.isTrue (run (c.RecordEventAsync(e, CancellationToken.None))).IsOk "recorded"
                    let post = stub.Seen.[1]
                    Expect.equal post.Path "/api/v1/namespaces/default/events" "default namespace"
                    let ev = json post.Body
                    Expect.equal (ev.Str("involvedObject", "uid")) "u-1" "uid"
                    Expect.equal (ev.Str("reason")) "Invalid" "reason"
                    Expect.equal (ev.Str("source", "component")) "ztwim" "component"
                } ]

          testList
              "watches"
              [ test "events, bookmarks, then a 410 ERROR delivered as Error with Gone" {
                    let lines =
                        [ """{"type":"ADDED","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","resourceVersion":"5"}}}"""
                          """{"type":"BOOKMARK","object":{"kind":"ConfigMap","metadata":{"resourceVersion":"6"}}}"""
                          """{"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","message":"too old resource version: 1 (6)"}}"""
                          """{"type":"ADDED","object":{"metadata":{"name":"never"}}}""" ]

                    let c, stub = client (fun _ -> respond 200 (String.Join("\n", lines) + "\n"))

                    let watch =
                        (run (
                            c.WatchAsync(
                                ResourceTypes.Find("v1", "ConfigMap"),
                                "ztwim",
                                null,
                                "4",
                                CancellationToken.None
                            )
                        ))
                            .Value

                    let events =
                        [ let mutable go = true

                          while go do
                              let more = watch.Events.WaitToReadAsync().AsTask().Result

                              if not more then
                                  go <- false
                              else
                                  let ok, e = watch.Events.TryRead()

                                  if ok then
                                      yield e ]

                    watch.DisposeAsync().AsTask().Wait()

                    Expect.equal
                        (events |> List.map (fun e -> e.Type))
                        [ WatchEventType.Added; WatchEventType.Bookmark; WatchEventType.Error ]
                        "nothing after the error"

                    let gone = (List.last events).Error
                    Expect.equal (gone.Code, gone.Reason) (410, "Expired") "410 Gone"

                    Expect.equal
                        stub.Seen.[0].Path
                        "/api/v1/namespaces/ztwim/configmaps?watch=true&allowWatchBookmarks=true&timeoutSeconds=300&resourceVersion=4"
                        "watch query"
                }

                test "a watch refused with 410 is an error result" {
                    let c, _ = client (fun _ -> respond 410 (status 410 "Expired" "too old"))

                    let e =
                        errorOf (
                            c.WatchAsync(
                                ResourceTypes.Find("v1", "ConfigMap"),
                                "ztwim",
                                null,
                                "1",
                                CancellationToken.None
                            )
                        )

                    Expect.equal e.Code 410 "gone"
                } ] ]

/// The same client over real sockets, against a tiny in-process API stub: a streamed watch, the idle
/// watchdog, and an error with its Retry-After header.
module Wire =
    open Microsoft.AspNetCore.Builder
    open Microsoft.AspNetCore.Hosting
    open Microsoft.AspNetCore.Http

    let private withStub (configure: WebApplication -> unit) (f: KubeClusterClient -> unit) =
        let builder = WebApplication.CreateSlimBuilder()
        builder.WebHost.UseUrls("http://127.0.0.1:0") |> ignore
        let app = builder.Build()
        configure app
        app.StartAsync().Wait()

        try
            let url = Seq.head app.Urls

            let options =
                KubeClientOptions(
                    WatchIdleLimit = TimeSpan.FromMilliseconds 500.0,
                    RequestTimeout = TimeSpan.FromSeconds 5.0
                )

            f (KubeClusterClient(new HttpClient(), Uri url, null, options))
        finally
            app.StopAsync().Wait()

    [<Tests>]
    let tests =
        testSequenced
        <| testList
            "KubeClusterClient over HTTP"
            [ test "a streamed watch delivers events as they come; a silent one is closed by the watchdog" {
                  let handler =
                      RequestDelegate(fun ctx ->
                          task {
                              ctx.Response.ContentType <- "application/json"

                              do!
                                  ctx.Response.WriteAsync(
                                      """{"type":"ADDED","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","resourceVersion":"7"}}}"""
                                      + "\n"
                                  )

                              do! ctx.Response.Body.FlushAsync()
                              // Then silence, far beyond the idle limit, as a half-dead connection would be.
                              do! Task.Delay(TimeSpan.FromSeconds 30.0, ctx.RequestAborted).ContinueWith(fun _ -> ())
                          }
                          :> Task)

                  withStub (fun app -> app.MapGet("/api/v1/configmaps", handler) |> ignore) (fun c ->
                      let started = Diagnostics.Stopwatch.StartNew()

                      let watch =
                          (run (
                              c.WatchAsync(
                                  ResourceTypes.Find("v1", "ConfigMap"),
                                  null,
                                  null,
                                  "",
                                  CancellationToken.None
                              )
                          ))
                              .Value

                      let first = watch.Events.ReadAsync().AsTask().Result
                      Expect.equal first.Type WatchEventType.Added "the event, streamed"
                      let completed = watch.Events.Completion.Wait(TimeSpan.FromSeconds 10.0)
                      Expect.isTrue completed "the idle watchdog closed the silent watch"
                      Expect.isLessThan started.Elapsed.TotalSeconds 10.0 "well before the server would"
                      watch.DisposeAsync().AsTask().Wait())
              }

              test "a 429 over the wire: code, reason, message and Retry-After" {
                  let handler =
                      RequestDelegate(fun ctx ->
                          ctx.Response.StatusCode <- 429
                          ctx.Response.Headers.RetryAfter <- "2"
                          ctx.Response.ContentType <- "application/json"
                          ctx.Response.WriteAsync(status 429 "TooManyRequests" "the server is busy"))

                  withStub
                      (fun app ->
                          app.MapGet("/api/v1/namespaces/ztwim/configmaps/spire-server", handler)
                          |> ignore)
                      (fun c ->
                          let e = errorOf (get c)

                          Expect.equal
                              (e.Code, e.Reason, e.Message)
                              (429, "TooManyRequests", "the server is busy")
                              "error"

                          Expect.equal e.RetryAfter (Nullable(TimeSpan.FromSeconds 2.0)) "Retry-After")
              }

              test "nothing listening: a transient 503" {
                  let port =
                      let l = new Sockets.TcpListener(IPAddress.Loopback, 0)
                      l.Start()
                      let p = (l.LocalEndpoint :?> IPEndPoint).Port
                      l.Stop()
                      p

                  let c = KubeClusterClient(new HttpClient(), Uri $"http://127.0.0.1:{port}", null)
                  let e = errorOf (get c)
                  Expect.equal e.Code 503 "unavailable"
                  Expect.isTrue e.IsTransient "retried"
              } ]

/// The client-side throttle, on simulated time.
module RateLimit =
    open Ztwim.Adapters.Sim

    [<Tests>]
    let tests =
        test "KubeClusterClient throttle: a burst at once, then qps a second" {
            let clock = SimClock()
            let limit = RequestRateLimit(1.0, 2, clock)
            Expect.isTrue (limit.WaitAsync(CancellationToken.None).IsCompleted) "first of the burst"
            Expect.isTrue (limit.WaitAsync(CancellationToken.None).IsCompleted) "second of the burst"
            let third = limit.WaitAsync(CancellationToken.None)
            Expect.isFalse third.IsCompleted "the third waits"
            clock.MoveTo(clock.GetUtcNow() + TimeSpan.FromSeconds 0.5)
            Expect.isFalse third.IsCompleted "half a token is not enough"

            while clock.NextDue.HasValue do
                clock.FireNext() |> ignore

            third.Wait(TimeSpan.FromSeconds 5.0) |> ignore
            Expect.isTrue third.IsCompleted "one second later it goes"
        }
