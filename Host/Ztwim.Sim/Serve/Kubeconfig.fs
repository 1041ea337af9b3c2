/// The kubeconfig that points kubectl and client libraries at the served cluster: plain HTTP on the loopback
/// address. The server authenticates nobody and authorizes everything; the token is there only because
/// KubernetesClient refuses a kubeconfig user without any credential, and nothing reads it.
module Ztwim.Sim.Serve.Kubeconfig

open System.IO

/// The kubeconfig text for a server URL; its one context is `ztwim-sim`, namespace `default`.
let text (server: string) =
    String.concat
        "\n"
        [ "apiVersion: v1"
          "kind: Config"
          "clusters:"
          "- name: ztwim-sim"
          "  cluster:"
          sprintf "    server: %s" server
          "contexts:"
          "- name: ztwim-sim"
          "  context:"
          "    cluster: ztwim-sim"
          "    user: ztwim-sim"
          "    namespace: default"
          "current-context: ztwim-sim"
          "users:"
          "- name: ztwim-sim"
          "  user:"
          "    token: unused"
          "preferences: {}"
          "" ]

/// Writes the kubeconfig (creating its directory); its full path.
let write (path: string) (server: string) =
    let full = Path.GetFullPath path

    match Path.GetDirectoryName full with
    | null
    | "" -> ()
    | dir -> Directory.CreateDirectory dir |> ignore

    File.WriteAllText(full, text server)
    full
