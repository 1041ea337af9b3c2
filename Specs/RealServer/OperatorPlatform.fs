/// What sets the two platforms apart once the operator has converged: on OpenShift its SCCs and Route, the
/// serving certificates left to the service CA (nobody issues them here, and nothing of the operator's waits for
/// them), and OLM's OperatorCondition kept; on plain Kubernetes no OpenShift API and self-signed serving
/// certificates of the operator's own.
module Ztwim.Specs.RealServer.OperatorPlatform

open Expecto
open Ztwim.Specs.E2E.E2EProcesses
open Ztwim.Specs.E2E.Kubectl
open Ztwim.Specs.RealServer.OperatorFlow

/// The OperatorCondition OLM creates for an installed operator and names in OPERATOR_CONDITION_NAME.
let operatorConditionName = "zero-trust-workload-identity-manager.v1.0.0"

let private oidcSecret = "oidc-serving-cert"

let private serviceCaAnnotation =
    "service.beta.openshift.io/serving-cert-secret-name"

/// `kubectl apply` of the OperatorCondition as OLM makes it (at v2, its storage version), before the operator
/// starts.
let createOperatorCondition (f: Flow) =
    let manifest = System.IO.Path.Combine(f.Dir, "operator-condition.yaml")

    System.IO.File.WriteAllText(
        manifest,
        sprintf
            "apiVersion: operators.coreos.com/v2\nkind: OperatorCondition\nmetadata:\n  name: %s\n  namespace: %s\nspec: {}\n"
            operatorConditionName
            operandNamespace
    )

    succeeds f.Admin [ "apply"; "-f"; manifest ] |> ignore

let private names (f: Flow) (args: string list) =
    succeeds f.Admin [ "get"; yield! args; "-o"; "name" ]

let openShift (f: Flow) =
    let sccs = names f [ "securitycontextconstraints.security.openshift.io" ]
    Expect.stringContains sccs "spire-agent" "the agent's SCC"
    Expect.stringContains sccs "spire-spiffe-csi-driver" "the CSI driver's SCC"

    let annotation =
        jsonpath
            f
            [ "service"; "spire-spiffe-oidc-discovery-provider"; "-n"; operandNamespace ]
            (sprintf "{.metadata.annotations.%s}" (serviceCaAnnotation.Replace(".", "\\.")))

    Expect.equal annotation oidcSecret "the OIDC provider's Service asks the service CA for its certificate"

    // The service CA's Secret: nobody makes it on this cluster, and the operator must not stand in for it.
    let secret =
        kubectl f.Admin [ "get"; "secret"; oidcSecret; "-n"; operandNamespace; "-o"; "name" ]

    Expect.notEqual (fst secret) 0 "on OpenShift the operator issues no serving certificate of its own"

    let upgradeable =
        jsonpath
            f
            [ "operatorconditions.v2.operators.coreos.com"
              operatorConditionName
              "-n"
              operandNamespace ]
            "{.spec.conditions[?(@.type==\"Upgradeable\")].status}"

    Expect.equal upgradeable "True" "the ZTWIM's Upgradeable condition is mirrored onto OLM's OperatorCondition"

    printfn
        "%s: SCCs and the Route made; %s left to the service CA (absent, Ready regardless); OperatorCondition Upgradeable=%s"
        f.Name
        oidcSecret
        upgradeable

let kubernetes (f: Flow) =
    let routes = kubectl f.Admin [ "get"; "routes.route.openshift.io"; "-A" ]
    Expect.notEqual (fst routes) 0 "plain Kubernetes serves no Routes"

    let secret =
        jsonpath
            f
            [ "secret"; oidcSecret; "-n"; operandNamespace ]
            "{.type} {.metadata.labels.app\\.kubernetes\\.io/managed-by} {.metadata.annotations.ztwim\\.openshift\\.io/certificate-not-after}"

    match secret.Split ' ' with
    | [| kind; managedBy; notAfter |] ->
        Expect.equal kind "kubernetes.io/tls" "the serving certificate is a TLS Secret"
        Expect.equal managedBy "zero-trust-workload-identity-manager" "labelled as ours"
        Expect.isNotEmpty notAfter "its expiry is annotated"
        printfn "%s: self-signed %s issued by the operator, valid until %s" f.Name oidcSecret notAfter
    | _ -> failtestf "the self-signed serving certificate %s: %s" oidcSecret secret
