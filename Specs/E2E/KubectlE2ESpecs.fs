/// Issue 7's end-to-end flow as an administrator types it, when kubectl is on the machine: `kubectl apply -k
/// manifests/` (CRDs, RBAC, the operator's Deployment and PodDisruptionBudget) against `ztwim-sim serve`, the
/// real operator binary beside it, `kubectl apply -f` of the documented samples, `kubectl wait` for every CR's
/// Ready condition, and `kubectl get` printing the CRDs' printer columns.
module Ztwim.Specs.E2E.KubectlE2ESpecs

open System
open System.Diagnostics
open System.IO
open Expecto
open Ztwim.Specs.E2E.E2EProcesses
open Ztwim.Specs.E2E.Kubectl

/// The flow on the cluster a shipped scenario's setup describes (OpenShift without one); `after` checks more.
let private flowOn (scenario: string option) (after: string -> unit) =
    withChildren "ztwim-kubectl" (fun dir children ->
        let wall = Stopwatch.StartNew()
        let root = repoRoot ()

        let kubeconfig, _ =
            startServeWith
                (scenario
                 |> Option.map (fun s -> Path.Combine(root, "Host", "Ztwim.Sim", "scenarios", s + ".yaml")))
                dir
                children

        waitFor "the simulated cluster to answer kubectl" (TimeSpan.FromSeconds 15.0) 200 (fun () ->
            match kubectl kubeconfig [ "get"; "namespaces" ] with
            | 0, _ -> Some()
            | _ -> None)

        let installed =
            succeeds kubeconfig [ "apply"; "-k"; Path.Combine(root, "manifests") ]

        for line in
            [ "customresourcedefinition.apiextensions.k8s.io/spireservers.operator.openshift.io created"
              "clusterrole.rbac.authorization.k8s.io/zero-trust-workload-identity-manager-manager-role created"
              "deployment.apps/zero-trust-workload-identity-manager-controller-manager created"
              "poddisruptionbudget.policy/zero-trust-workload-identity-manager-controller-manager created" ] do
            Expect.stringContains installed line "kubectl apply -k manifests/ installs it"

        let operator = new Child("ztwim-operator", operatorStart kubeconfig)
        children.Add operator

        let samplesDir = Path.Combine(root, "manifests", "samples")

        let applied =
            succeeds
                kubeconfig
                [ "apply"
                  yield! samples |> List.collect (fun f -> [ "-f"; Path.Combine(samplesDir, f) ]) ]

        Expect.stringContains applied "spireserver.operator.openshift.io/cluster created" "the samples are applied"
        let appliedAt = wall.Elapsed

        let waited =
            succeeds kubeconfig [ "wait"; "--for=condition=Ready"; "--timeout=90s"; yield! crs ]

        for cr in crs do
            Expect.stringContains
                waited
                (sprintf "%s condition met" (cr.Replace("s/", ".operator.openshift.io/")))
                "kubectl wait sees Ready"

        printfn "kubectl e2e: every CR Ready %.1f s after kubectl apply -f" (wall.Elapsed - appliedAt).TotalSeconds

        // The printer columns of the CRDs, as the API server's Table renders them for kubectl.
        let table = succeeds kubeconfig [ "get"; "spireservers" ]
        let rows = table.Split('\n', StringSplitOptions.RemoveEmptyEntries)

        Expect.sequenceEqual
            (rows.[0].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            [| "NAME"; "READY"; "REASON"; "AGE" |]
            "kubectl get spireservers: the printer columns"

        Expect.sequenceEqual
            (rows.[1].Split(' ', StringSplitOptions.RemoveEmptyEntries) |> Array.take 3)
            [| "cluster"; "True"; "Ready" |]
            "kubectl get spireservers: the row"

        let pods =
            succeeds kubeconfig [ "get"; "pods"; "-n"; operandNamespace; "-o"; "name" ]

        Expect.stringContains pods "pod/spire-server-0" "the SPIRE server's pod runs"
        after kubeconfig
        Expect.isFalse operator.HasExited "the operator still runs"
        operator.Stop(TimeSpan.FromSeconds 10.0))

let private flow () = flowOn None ignore

// Plain Kubernetes with cert-manager: the OIDC discovery provider's serving certificate is a cert-manager
// Certificate, Ready, whose Secret cert-manager took over from the operator's first one.
let private certManagerFlow () =
    flowOn (Some "kubernetes-cert-manager") (fun kubeconfig ->
        let waited =
            succeeds
                kubeconfig
                [ "wait"
                  "--for=condition=Ready"
                  "--timeout=30s"
                  "-n"
                  operandNamespace
                  "certificates.cert-manager.io/oidc-serving-cert" ]

        Expect.stringContains waited "condition met" "kubectl wait sees the Certificate Ready"

        let issuedFor =
            succeeds
                kubeconfig
                [ "get"
                  "secret"
                  "oidc-serving-cert"
                  "-n"
                  operandNamespace
                  "-o"
                  "jsonpath={.metadata.annotations.cert-manager\\.io/certificate-name} {.metadata.labels.app\\.kubernetes\\.io/managed-by}" ]

        Expect.equal
            issuedFor
            "oidc-serving-cert zero-trust-workload-identity-manager"
            "cert-manager issued the Secret, which stays labelled as ours"

        let routes = kubectl kubeconfig [ "get"; "routes"; "-A" ]
        Expect.notEqual (fst routes) 0 "plain Kubernetes serves no Routes")

[<Tests>]
let tests =
    testSequenced
    <| testList
        "end-to-end kubectl"
        [ (if onPath "kubectl" then
               test "kubectl apply -k manifests/, the samples, kubectl wait Ready, kubectl get's printer columns" {
                   flow ()
               }
           else
               ptest "kubectl apply -k manifests/, the samples, kubectl wait Ready (kubectl is not on PATH)" { () })
          (if onPath "kubectl" then
               test "on plain Kubernetes with cert-manager: the same, and the serving certificate a Ready Certificate" {
                   certManagerFlow ()
               }
           else
               ptest "on plain Kubernetes with cert-manager (kubectl is not on PATH)" { () }) ]
