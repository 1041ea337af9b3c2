/// The operator's HTTP endpoints over real sockets: /healthz, /readyz through the process's states, /metrics in
/// the Prometheus text format on its own port (HTTP, or HTTPS with a self-signed certificate).
module Ztwim.Specs.Operator.ProbeServerSpecs

open System.Net
open System.Net.Http
open System.Net.Sockets
open Expecto
open Ztwim.Adapters.Runtime
open Ztwim.Operator.Configuration
open Ztwim.Operator.Observability
open Ztwim.Operator.Serving

let private freePort () =
    let l = new TcpListener(IPAddress.Loopback, 0)
    l.Start()
    let port = (l.LocalEndpoint :?> IPEndPoint).Port
    l.Stop()
    port

let private settings (secure: bool) =
    let health, metrics = freePort (), freePort ()

    let flags =
        match
            CommandLine.Parse
                [| $"--health-probe-bind-address=127.0.0.1:{health}"
                   $"--metrics-bind-address=127.0.0.1:{metrics}"
                   $"--metrics-secure={secure}" |]
        with
        | struct (f, _) -> f

    match OperatorSettings.From(flags, readOnlyDict [ "OPERATOR_NAMESPACE", "ztwim" ]) with
    | struct (s, _) -> s, health, metrics

let private http =
    let handler = new HttpClientHandler()
    // The metrics certificate is self-signed here: the spec checks the transport, not the trust chain.
    handler.ServerCertificateCustomValidationCallback <- fun _ _ _ _ -> true
    new HttpClient(handler)

let private get (url: string) =
    let r = http.GetAsync(url).Result
    int r.StatusCode, r.Content.ReadAsStringAsync().Result, r.Content.Headers.ContentType

let private withServer secure (f: OperatorState -> int -> int -> unit) =
    let s, health, metrics = settings secure
    let state = OperatorState()
    let app = ProbeServer.Build(s, state, OperatorMetrics(ControllerKeys.All))
    app.StartAsync().Wait()

    try
        f state health metrics
    finally
        app.StopAsync().Wait()
        app.DisposeAsync().AsTask().Wait()

[<Tests>]
let tests =
    testSequenced
    <| testList
        "Operator probes and metrics over HTTP"
        [ test "/readyz follows the process: starting, standing by, leading and syncing, synced, stopping" {
              withServer false (fun state health _ ->
                  let ready () =
                      let code, _, _ = get $"http://127.0.0.1:{health}/readyz"
                      code

                  Expect.equal (ready ()) 503 "starting"
                  state.StandBy()
                  Expect.equal (ready ()) 200 "a standby is ready"
                  state.Lead()
                  Expect.equal (ready ()) 503 "leading, informers syncing"
                  state.Synced()
                  Expect.equal (ready ()) 200 "leading, synced"
                  state.Stopping()
                  Expect.equal (ready ()) 503 "stopping"
                  let code, body, _ = get $"http://127.0.0.1:{health}/healthz"
                  Expect.equal (code, body) (200, "ok\n") "alive throughout")
          }

          test "/metrics on the metrics port only, in the text format" {
              withServer false (fun _ health metrics ->
                  let code, body, contentType = get $"http://127.0.0.1:{metrics}/metrics"
                  Expect.equal code 200 "served"
                  Expect.equal contentType.MediaType "text/plain" "text"
                  Expect.stringContains (string contentType) "version=0.0.4" "exposition format version"

                  Expect.stringContains
                      body
                      "# TYPE controller_runtime_reconcile_total counter"
                      "controller-runtime names"

                  let code, _, _ = get $"http://127.0.0.1:{health}/metrics"
                  Expect.equal code 404 "not on the probe port"
                  let code, _, _ = get $"http://127.0.0.1:{metrics}/healthz"
                  Expect.equal code 404 "probes not on the metrics port")
          }

          test "METRICS_SECURE: /metrics over HTTPS" {
              withServer true (fun _ _ metrics ->
                  let code, body, _ = get $"https://127.0.0.1:{metrics}/metrics"
                  Expect.equal code 200 "served over TLS"
                  Expect.stringContains body "controller_runtime_active_workers" "metrics")
          } ]

/// Secure metrics: the scraper's token goes to a TokenReview, its user to a SubjectAccessReview for get /metrics.
module MetricsAuth =
    open System
    open System.Threading.Tasks
    open Ztwim.Adapters.Kube

    // The API server's side: token "reader" is a user allowed /metrics, "stranger" a user who is not; any other
    // token is not authenticated. The tokens seen are recorded, to show each is reviewed once.
    type private ReviewStub() =
        inherit HttpMessageHandler()
        member val Reviews = ResizeArray<string>()

        override this.SendAsync(request, _ct) =
            let body = request.Content.ReadAsStringAsync().Result
            let path = request.RequestUri.AbsolutePath
            this.Reviews.Add path

            let answer =
                if path.EndsWith "tokenreviews" then
                    if body.Contains "\"reader\"" then
                        """{"status":{"authenticated":true,"user":{"username":"system:serviceaccount:monitoring:prometheus","groups":["system:serviceaccounts"]}}}"""
                    elif body.Contains "\"stranger\"" then
                        """{"status":{"authenticated":true,"user":{"username":"stranger"}}}"""
                    else
                        """{"status":{"authenticated":false}}"""
                elif
                    body.Contains "system:serviceaccount:monitoring:prometheus"
                    && body.Contains "/metrics"
                then
                    """{"status":{"allowed":true}}"""
                else
                    """{"status":{"allowed":false}}"""

            let r = new HttpResponseMessage(HttpStatusCode.Created)
            r.Content <- new StringContent(answer)
            Task.FromResult r

    [<Tests>]
    let tests =
        testSequenced
        <| testList
            "Operator secure metrics"
            [ test
                  "401 without a valid token, 403 for a user not allowed get /metrics, 200 for a reader; answers cached" {
                  let s, _, metrics = settings true
                  let stub = new ReviewStub()
                  let client = KubeClusterClient(new HttpClient(stub), Uri "http://api.test", null)
                  let authorizer = MetricsAuthorizer(client, TimeProvider.System)

                  let app =
                      ProbeServer.Build(s, OperatorState(), OperatorMetrics(ControllerKeys.All), authorizer)

                  app.StartAsync().Wait()

                  try
                      let scrape (token: string option) =
                          use request =
                              new HttpRequestMessage(HttpMethod.Get, $"https://127.0.0.1:{metrics}/metrics")

                          token
                          |> Option.iter (fun t ->
                              request.Headers.Authorization <- Headers.AuthenticationHeaderValue("Bearer", t))

                          int (http.SendAsync(request).Result.StatusCode)

                      Expect.equal (scrape None) 401 "no token"
                      Expect.equal (scrape (Some "forged")) 401 "not authenticated"
                      Expect.equal (scrape (Some "stranger")) 403 "authenticated, not allowed"
                      Expect.equal (scrape (Some "reader")) 200 "allowed"
                      let reviews = stub.Reviews.Count
                      Expect.equal (scrape (Some "reader")) 200 "allowed again"
                      Expect.equal stub.Reviews.Count reviews "from the cache"
                  finally
                      app.StopAsync().Wait()
              } ]
