/// `ztwim-sim serve [--port P] [--kubeconfig FILE] [SCENARIO]`: the simulated cluster as a Kubernetes API
/// server for kubectl and the real operator, until Ctrl-C. A scenario's setup shapes the cluster (its nodes,
/// the platform: OpenShift serves Routes and SCCs, Kubernetes does not; and whether cert-manager.io is served); its steps are not run.
module Ztwim.Sim.Serve.ServeCommand

open System
open Ztwim.Kernel.Render
open Ztwim.Adapters.Sim
open Ztwim.Sim

/// The kubeconfig written when none is named.
let defaultKubeconfig = "ztwim-sim.kubeconfig"

/// The cluster a scenario's setup describes; three workers on OpenShift without one.
let options (setup: Scenario.Setup option) =
    let nodes, openShift, certManager =
        match setup with
        | Some s -> s.Nodes, s.Platform.IsOpenShift, s.CertManager
        | None -> 3, true, false

    SimClusterOptions(
        Nodes = SimNode.Workers nodes,
        Namespaces = [| "default"; "kube-system"; "kube-public"; Mode.defaultNamespace |],
        ServedTypes = SimClusterOptions.TypesFor(openShift, certManager)
    )

/// Serves until Ctrl-C or SIGTERM; 0 then, 2 for a bad scenario or a port that cannot be had.
let run (port: int) (kubeconfig: string) (scenario: string option) (out: string -> unit) =
    let setup =
        match scenario with
        | None -> Ok None
        | Some s -> Run.resolve s |> Result.map (fun sc -> Some sc.Setup)

    match setup with
    | Error e ->
        eprintfn "ztwim-sim serve: %s" e
        2
    | Ok setup ->
        try
            let server = (ApiHost.start (options setup) port).Result
            let path = Kubeconfig.write kubeconfig server.Url
            out (sprintf "serving the simulated cluster at %s" server.Url)
            out (sprintf "kubeconfig: %s (export KUBECONFIG=%s)" path path)
            out "Ctrl-C stops it; the cluster is in memory and goes with it"
            server.WaitForShutdown()
            (server :> IAsyncDisposable).DisposeAsync().AsTask().Wait()
            0
        with :? AggregateException as e when (e.InnerException :? System.IO.IOException) ->
            eprintfn "ztwim-sim serve: cannot listen on 127.0.0.1:%d: %s" port e.InnerException.Message
            2
