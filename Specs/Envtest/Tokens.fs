/// A ServiceAccount's identity for a process outside the cluster: a token from the TokenRequest API
/// (`serviceaccounts/token`) in a kubeconfig of its own, so that the process is authorised exactly as its
/// ServiceAccount's RBAC says, as it would be in a pod.
module Ztwim.Specs.Envtest.Tokens

open System
open System.IO
open System.Text
open k8s
open k8s.Models

/// The user name the API server gives a ServiceAccount's tokens (what the audit log records).
let userOf (ns: string) (serviceAccount: string) =
    sprintf "system:serviceaccount:%s:%s" ns serviceAccount

/// A token for the ServiceAccount, valid for the given time (the API server's minimum is ten minutes).
let mint (k: IKubernetes) (ns: string) (serviceAccount: string) (validFor: TimeSpan) : string =
    let request =
        Authenticationv1TokenRequest(Spec = V1TokenRequestSpec(ExpirationSeconds = Nullable(int64 validFor.TotalSeconds)))

    let answer =
        k.CoreV1.CreateNamespacedServiceAccountToken(request, serviceAccount, ns)

    match answer.Status with
    | null -> failwithf "TokenRequest for %s/%s gave no token" ns serviceAccount
    | status -> status.Token

/// Writes a kubeconfig that reaches `server` (trusting the CA, PEM) with the bearer token; returns its path.
let writeKubeconfig (path: string) (server: string) (caPem: string) (user: string) (token: string) =
    let ca = Convert.ToBase64String(Encoding.ASCII.GetBytes caPem)

    // JSON is YAML: no quoting rules to get wrong for the token or the URL.
    let text =
        sprintf
            """{"apiVersion":"v1","kind":"Config","clusters":[{"name":"envtest","cluster":{"server":"%s","certificate-authority-data":"%s"}}],"users":[{"name":"%s","user":{"token":"%s"}}],"contexts":[{"name":"%s","context":{"cluster":"envtest","user":"%s"}}],"current-context":"%s"}"""
            server
            ca
            user
            token
            user
            user
            user

    File.WriteAllText(path, text)
    path

/// A kubeconfig (at `path`) for the ServiceAccount, with a token valid for an hour.
let kubeconfigFor (k: IKubernetes) (server: string) (caPem: string) (ns: string) (serviceAccount: string) (path: string) =
    let token = mint k ns serviceAccount (TimeSpan.FromHours 1.0)
    writeKubeconfig path server caPem (userOf ns serviceAccount) token
