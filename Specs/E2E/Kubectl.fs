/// kubectl as an administrator types it, for the end-to-end flows (the simulated cluster's and the real
/// server's): the exit code and what it printed, and the manual's five CRs as kubectl names them.
module Ztwim.Specs.E2E.Kubectl

open System
open System.Diagnostics
open System.IO
open Expecto

let onPath (program: string) =
    (Environment.GetEnvironmentVariable "PATH"
     |> Option.ofObj
     |> Option.defaultValue "")
        .Split
        ':'
    |> Array.exists (fun dir -> dir <> "" && File.Exists(Path.Combine(dir, program)))

/// `kubectl ARGS` against the kubeconfig: exit code and the output (stdout then stderr).
let kubectl (kubeconfig: string) (args: string list) =
    let start = ProcessStartInfo "kubectl"

    for a in "--kubeconfig" :: kubeconfig :: args do
        start.ArgumentList.Add a

    start.RedirectStandardOutput <- true
    start.RedirectStandardError <- true
    use p = Process.Start start
    let out = p.StandardOutput.ReadToEndAsync()
    let err = p.StandardError.ReadToEndAsync()

    if not (p.WaitForExit 120_000) then
        p.Kill true
        failtestf "kubectl %s did not finish in 2 minutes" (String.concat " " args)

    p.ExitCode, out.Result + err.Result

let succeeds (kubeconfig: string) (args: string list) =
    match kubectl kubeconfig args with
    | 0, output -> output
    | code, output -> failtestf "kubectl %s exited %d:\n%s" (String.concat " " args) code output

/// The manual's five CRs, in `manifests/samples/`, in the documented order of creation.
let samples =
    [ "ztwim.yaml"
      "spire-server.yaml"
      "spire-agent.yaml"
      "spiffe-csi-driver.yaml"
      "spire-oidc-discovery-provider.yaml" ]

/// The same five as `kubectl wait` names them.
let crs =
    [ "zerotrustworkloadidentitymanagers/cluster"
      "spireservers/cluster"
      "spireagents/cluster"
      "spiffecsidrivers/cluster"
      "spireoidcdiscoveryproviders/cluster" ]
