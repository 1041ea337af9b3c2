/// A ServiceAccount's identity for a process outside the cluster: a token from the TokenRequest API
/// (`serviceaccounts/token`) in a kubeconfig of its own, so that the process is authorised exactly as its
/// ServiceAccount's RBAC says, as it would be in a pod.
module Ztwim.Specs.Envtest.Tokens

open System
open k8s
open k8s.Models

/// The user name the API server gives a ServiceAccount's tokens (what the audit log records).
let userOf (ns: string) (serviceAccount: string) =
    sprintf "system:serviceaccount:%s:%s" ns serviceAccount

/// A token for the ServiceAccount, valid for the given time (the API server's minimum is ten minutes).
let mint (k: IKubernetes) (ns: string) (serviceAccount: string) (validFor: TimeSpan) : string =
    let request =
        Authenticationv1TokenRequest(
            Spec = V1TokenRequestSpec(ExpirationSeconds = Nullable(int64 validFor.TotalSeconds))
        )

    let answer =
        k.CoreV1.CreateNamespacedServiceAccountToken(request, serviceAccount, ns)

    match answer.Status with
    | null -> failwithf "TokenRequest for %s/%s gave no token" ns serviceAccount
    | status -> status.Token

/// A kubeconfig (at `path`) for the ServiceAccount, with a token valid for an hour.
let kubeconfigFor
    (k: IKubernetes)
    (server: string)
    (caPem: string)
    (ns: string)
    (serviceAccount: string)
    (path: string)
    =
    let token = mint k ns serviceAccount (TimeSpan.FromHours 1.0)
    Kubeconfig.write path server caPem (userOf ns serviceAccount) (Kubeconfig.BearerToken token)
