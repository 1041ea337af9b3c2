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

/// Starts a control plane, installs the operator and runs it until every CR is Ready; then the rest.
let private flowOn (assets: Assets) (name: string) (platform: Platform) (rest: Flow -> Child -> unit) =
    realServerClock.Start()
    let wall = Stopwatch.StartNew()

    use cp =
        ControlPlane.start
            assets
            { Name = name
              ControllerManager = true }

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
                  Env =
                    match platform with
                    | OpenShift -> [ "OPERATOR_CONDITION_NAME", OperatorPlatform.operatorConditionName ]
                    | Kubernetes -> []
                  Since = Audit.mark cp.AuditLogPath
                  Wall = wall }

            if platform = OpenShift then
                OperatorPlatform.createOperatorCondition f

            let operator =
                guarded f "converging" (fun () ->
                    let startedAt = DateTimeOffset.UtcNow
                    let operator = startOperator "ztwim-operator" f.Kubeconfig f.Env children
                    let toReady = applySamplesAndWaitReady f operator

                    let figures =
                        OperatorFigures.of' (operatorRequests f f.Since) startedAt toReady (vmRss operator.Pid)

                    OperatorFigures.print name figures
                    operator)

            rest f operator

            OperatorFigures.expectNoForbidden name (operatorRequests f f.Since)

            match nodes.Errors with
            | [] -> ()
            | errors -> printfn "%s: the node stand-in's last errors: %s" name (String.concat "; " errors)

            printfn "%s: wall time %.1f s" name wall.Elapsed.TotalSeconds)
    finally
        realServerClock.Stop()
        printfn "real-server operator flows so far: %.1f s" realServerClock.Elapsed.TotalSeconds

/// What both platforms go through once their own objects are checked; the operator that runs afterwards.
let private restartAndRepairs (f: Flow) (operator: Child) =
    let step name body = guarded f name body
    let operator = step "restart" (fun () -> restartMakesNoWrite f operator)
    step "hand edit of the agent image" (fun () -> imageEditReverted f operator)
    step "managed-by label removed" (fun () -> labelRepairedWithOneWrite f operator)
    step "SPIRE server config change" (fun () -> serverConfigChangeRollsOut f operator)
    operator

let private openShift (f: Flow) (operator: Child) =
    let step name body = guarded f name body

    step "OpenShift's objects" (fun () -> OperatorPlatform.openShift f)
    let operator = restartAndRepairs f operator

    step "immutable trustDomain" (fun () ->
        rejectedAtAdmission
            f
            "zerotrustworkloadidentitymanager"
            """{"spec":{"trustDomain":"other.example.org"}}"""
            "spec.trustDomain")

    step "TTL relation" (fun () ->
        rejectedAtAdmission f "spireserver" """{"spec":{"defaultX509Validity":"48h"}}""" "spec.caValidity")

    step "managedRoute false" (fun () -> unmanagedRouteStaysReady f operator)

    let createOnly =
        step "create-only mode" (fun () -> createOnlyKeepsHandEdit f operator)

    createOnly.Stop(TimeSpan.FromSeconds 10.0)

let private kubernetes (f: Flow) (operator: Child) =
    let step name body = guarded f name body

    step "plain Kubernetes's objects" (fun () -> OperatorPlatform.kubernetes f)
    let operator = restartAndRepairs f operator

    step "TTL relation" (fun () ->
        rejectedAtAdmission f "spireserver" """{"spec":{"defaultJWTValidity":"48h"}}""" "spec.caValidity")

    operator.Stop(TimeSpan.FromSeconds 10.0)

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
               test
                   "plain Kubernetes: installed with kubectl, the manual's CRs Ready, self-signed serving certificate, 0 writes on restart, edits reverted, admission rejects" {
                   flowOn assets "operator-kubernetes" Kubernetes kubernetes
               }
           else
               ptest "plain Kubernetes (kubectl is not on PATH)" { () }) ])
