/// The operator installed on a real control plane as an administrator installs it: the CRDs and the operator's
/// RBAC from `manifests/` with kubectl (everything but the Deployment, whose place the operator process takes),
/// the OpenShift APIs where the cluster is to look like OpenShift, and the operator run under its own
/// ServiceAccount's token, so that a permission the ClusterRole lacks is a 403 the test sees.
module Ztwim.Specs.RealServer.OperatorInstall

open System
open System.IO
open Expecto
open Ztwim.Specs.E2E.E2EProcesses
open Ztwim.Specs.E2E.Kubectl
open Ztwim.Specs.Envtest
open Ztwim.Specs.Envtest.ControlPlane

type Platform =
    | OpenShift
    | Kubernetes

let serviceAccount = "zero-trust-workload-identity-manager-controller-manager"

/// The user the API server (and its audit log) knows the operator as.
let operatorUser = Tokens.userOf operandNamespace serviceAccount

/// The RBAC files of `manifests/operator/`: the Deployment, its PodDisruptionBudget and the metrics Service are
/// what the operator process replaces.
let private rbacFiles =
    [ "namespace.yaml"
      "service_account.yaml"
      "cluster_role.yaml"
      "cluster_role_binding.yaml"
      "metrics_reader_role.yaml" ]

let private files (paths: string list) =
    paths |> List.collect (fun p -> [ "-f"; p ])

/// `kubectl apply` of the CRDs (the OpenShift APIs first, on OpenShift) and the RBAC; waits until the CRDs are
/// Established, so that the operator's discovery sees every group.
let install (cp: ControlPlane) (platform: Platform) =
    let root = repoRoot ()
    let admin = cp.AdminKubeconfig
    let crds = Path.Combine(root, "manifests", "crds")

    let openShift =
        match platform with
        | OpenShift -> [ Path.Combine(root, "Specs", "RealServer", "openshift-apis.yaml") ]
        | Kubernetes -> []

    succeeds admin [ "apply"; yield! files (openShift @ [ crds ]) ] |> ignore

    succeeds admin [ "wait"; "--for=condition=Established"; "--timeout=30s"; "crd"; "--all" ]
    |> ignore

    let operatorDir = Path.Combine(root, "manifests", "operator")

    succeeds
        admin
        [ "apply"
          yield! files (rbacFiles |> List.map (fun f -> Path.Combine(operatorDir, f))) ]

/// A kubeconfig in `dir` with a token of the operator's ServiceAccount.
let operatorKubeconfig (cp: ControlPlane) (dir: string) =
    use k = cp.Kubernetes()
    Tokens.kubeconfigFor k cp.Url cp.CaPem operandNamespace serviceAccount (Path.Combine(dir, "operator.kubeconfig"))

/// Starts the operator process with the environment added (CREATE_ONLY_MODE, ...).
let startOperator (name: string) (kubeconfig: string) (env: (string * string) list) (children: ResizeArray<Child>) =
    let start = operatorStart kubeconfig

    for k, v in env do
        start.Environment.[k] <- v

    let child = new Child(name, start)
    children.Add child
    child

/// Fails the test when the operator has exited.
let running (operator: Child) =
    if operator.HasExited then
        failtestf "%s exited (%d)" operator.Name operator.Process.ExitCode

/// How many reconciles the operator has logged ("Reconciled <controller> ..." lines).
let reconciles (operator: Child) =
    operator.Lines
    |> Array.filter (fun (_, l) -> l.Contains "Reconciled")
    |> Array.length

/// Waits until the operator's informers synced and every one of its five controllers reconciled once.
let waitSettled (operator: Child) (timeout: TimeSpan) =
    waitFor (operator.Name + "'s informers to sync and its five controllers to reconcile") timeout 100 (fun () ->
        running operator

        match operator.FirstLine "Informers synced" with
        | Some _ when reconciles operator >= crPlurals.Length -> Some()
        | _ -> None)
