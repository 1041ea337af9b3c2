/// Kubeconfig files for a control plane: one cluster, one user (a client certificate or a bearer token).
module Ztwim.Specs.Envtest.Kubeconfig

open System
open System.IO
open System.Text

/// How the kubeconfig's user authenticates.
type Credentials =
    | ClientCertificate of certificatePem: string * keyPem: string
    | BearerToken of string

let private b64 (text: string) =
    Convert.ToBase64String(Encoding.UTF8.GetBytes text)

/// The kubeconfig text for `server`, trusting only `caPem`.
let render (server: string) (caPem: string) (user: string) (credentials: Credentials) =
    let userFields =
        match credentials with
        | ClientCertificate(cert, key) ->
            sprintf "    client-certificate-data: %s\n    client-key-data: %s\n" (b64 cert) (b64 key)
        | BearerToken token -> sprintf "    token: %s\n" token

    String.concat
        ""
        [ "apiVersion: v1\nkind: Config\n"
          sprintf
              "clusters:\n- name: envtest\n  cluster:\n    server: %s\n    certificate-authority-data: %s\n"
              server
              (b64 caPem)
          sprintf "users:\n- name: %s\n  user:\n%s" user userFields
          sprintf "contexts:\n- name: envtest\n  context:\n    cluster: envtest\n    user: %s\n" user
          "current-context: envtest\n" ]

/// Writes the kubeconfig to `path` (readable by its owner only: it holds a credential) and gives the path.
let write (path: string) (server: string) (caPem: string) (user: string) (credentials: Credentials) =
    File.WriteAllText(path, render server caPem user credentials)
    File.SetUnixFileMode(path, UnixFileMode.UserRead ||| UnixFileMode.UserWrite)
    path
