/// Issue 13's end-to-end flows: the built operator on a real kube-apiserver with kube-controller-manager and
/// the node stand-in, installed with kubectl, under its own ServiceAccount's token; one control plane per flow.
/// On an OpenShift-shaped cluster every step; on plain Kubernetes Ready and a quiet restart.
module Ztwim.Specs.RealServer.OperatorSpecs

open System
open System.Diagnostics
open Expecto
open Ztwim.Specs.E2E.E2EProcesses
open Ztwim.Specs.E2E.Kubectl
open Ztwim.Specs.Envtest
open Ztwim.Specs.Envtest.Assets
open Ztwim.Specs.RealServer.OperatorInstall
open Ztwim.Specs.RealServer.OperatorFlow

let private realServerClock = Stopwatch()

// Pki.fs dates each certificate from its own "now", so a leaf made after a second boundary outlives the CA and
// .NET refuses to sign it (on a busy machine, often); until the harness dates them alike, a start that fails so
// is tried again, up to five times.
let private startControlPlane (assets: Assets) (name: string) =
    let options: ControlPlane.Options = { Name = name; ControllerManager = true }

    let rec attempt n =
        try
            ControlPlane.start assets options
        with e when n < 5 && e.Message.Contains "issuerCertificate.NotAfter" ->
            attempt (n + 1)

    attempt 1

/// Starts a control plane, installs the operator and runs it until every CR is Ready; then the rest.
let private flowOn (assets: Assets) (name: string) (platform: Platform) (rest: Flow -> Child -> unit) =
    realServerClock.Start()
    let wall = Stopwatch.StartNew()

    use cp = startControlPlane assets name

    if not cp.HasControllerManager then
        failtest "the flow needs kube-controller-manager (KUBEBUILDER_ASSETS has none)"

    try
        withChildren ("ztwim-" + name) (fun dir children ->
            use k = cp.Kubernetes()
            use nodes = Nodes.start k Nodes.defaults
            install cp platform |> ignore

            let f =
                { Name = name
                  Cp = cp
                  Platform = platform
                  Dir = dir
                  Children = children
                  Kubeconfig = operatorKubeconfig cp dir
                  Wall = wall }

            let since = Audit.mark cp.AuditLogPath

            guarded f since "converging" (fun () ->
                let startedAt = DateTimeOffset.UtcNow
                let operator = startOperator "ztwim-operator" f.Kubeconfig [] children
                let toReady = applySamplesAndWaitReady f operator since

                let figures =
                    OperatorFigures.of' (operatorRequests f since) startedAt toReady (vmRss operator.Pid)

                OperatorFigures.print name figures
                rest f operator)

            OperatorFigures.expectNoForbidden name (operatorRequests f since)

            match nodes.Errors with
            | [] -> ()
            | errors -> printfn "%s: the node stand-in's last errors: %s" name (String.concat "; " errors)

            printfn "%s: wall time %.1f s" name wall.Elapsed.TotalSeconds)
    finally
        realServerClock.Stop()
        printfn "real-server operator flows so far: %.1f s" realServerClock.Elapsed.TotalSeconds

let private openShift (f: Flow) (operator: Child) =
    let since = Audit.mark f.Cp.AuditLogPath

    let step name body =
        guarded f since name (fun () -> body ())

    let operator = step "restart" (fun () -> restartMakesNoWrite f operator)
    step "hand edit of the agent image" (fun () -> imageEditReverted f operator)
    step "managed-by label removed" (fun () -> labelRepairedWithOneWrite f operator)

    step "immutable trustDomain" (fun () ->
        rejectedAtAdmission
            f
            "zerotrustworkloadidentitymanager"
            """{"spec":{"trustDomain":"other.example.org"}}"""
            "spec.trustDomain")

    step "TTL relation" (fun () ->
        rejectedAtAdmission f "spireserver" """{"spec":{"defaultX509Validity":"48h"}}""" "spec.caValidity")

    step "managedRoute false" (fun () -> unmanagedRouteStaysReady f operator)
    let createOnly = step "create-only mode" (fun () -> createOnlyKeepsHandEdit f operator)
    createOnly.Stop(TimeSpan.FromSeconds 10.0)

let private kubernetes (f: Flow) (operator: Child) =
    let since = Audit.mark f.Cp.AuditLogPath
    let again = guarded f since "restart" (fun () -> restartMakesNoWrite f operator)
    again.Stop(TimeSpan.FromSeconds 10.0)

[<Tests>]
let tests =
    RealServer.tests "operator on a real API server" (fun assets ->
        [ (if onPath "kubectl" then
               test
                   "OpenShift-shaped: installed with kubectl, the manual's CRs Ready, 0 writes on restart, edits reverted, admission rejects, managedRoute false, create-only" {
                   flowOn assets "operator-openshift" OpenShift openShift
               }
           else
               ptest "OpenShift-shaped (kubectl is not on PATH)" { () })
          (if onPath "kubectl" then
               test "plain Kubernetes: installed with kubectl, the manual's CRs Ready, 0 writes on restart" {
                   flowOn assets "operator-kubernetes" Kubernetes kubernetes
               }
           else
               ptest "plain Kubernetes (kubectl is not on PATH)" { () }) ])
