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
