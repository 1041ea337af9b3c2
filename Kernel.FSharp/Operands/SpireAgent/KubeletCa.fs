namespace Ztwim.Kernel.Operands.Agent

open Ztwim.Kernel.Api

/// How the k8s workload attestor checks the kubelet's serving certificate, and which host directory the
/// DaemonSet mounts for it.
type KubeletCa =
    {
        /// skip_kubelet_verification in agent.conf.
        SkipVerification: bool
        /// kubelet_ca_path in agent.conf; Some "" is a present but empty key, as upstream writes it.
        CaPath: string option
        /// The host directory mounted read-only at the same path as volume `kubelet-ca`.
        HostDirectory: string option
    }

/// Upstream's kubelet-verification matrix (OPERANDS.md §2.2).
[<RequireQualifiedAccess>]
module KubeletCa =

    /// The directory and file `auto` falls back to when either is missing.
    let defaultDirectory = "/etc/kubernetes"

    let defaultFile = "kubelet-ca.crt"

    /// Go's path.Clean: one slash between elements, no `.`, `..` resolved, no trailing slash; "" gives ".".
    let clean (p: string) =
        if p = "" then
            "."
        else
            let rooted = p.StartsWith "/"

            let parts =
                p.Split('/')
                |> Array.fold
                    (fun (acc: string list) part ->
                        match part, acc with
                        | "", _
                        | ".", _ -> acc
                        | "..", prev :: rest when prev <> ".." -> rest
                        | "..", _ when rooted -> acc
                        | _ -> part :: acc)
                    []
                |> List.rev

            match rooted, parts with
            | true, _ -> "/" + String.concat "/" parts
            | false, [] -> "."
            | false, _ -> String.concat "/" parts

    /// Go's path.Join: the non-empty elements joined with `/` and cleaned; all empty gives "".
    let join (elements: string list) =
        match elements |> List.filter (fun e -> e <> "") with
        | [] -> ""
        | xs -> clean (String.concat "/" xs)

    let private skip =
        { SkipVerification = true
          CaPath = None
          HostDirectory = None }

    /// The matrix for the CR's workloadAttestorsVerification (None reads as upstream's empty type: skip).
    let ofVerification (v: WorkloadAttestorsVerification option) : KubeletCa =
        match v with
        | None -> skip
        | Some v ->
            let basePath = v.HostCertBasePath |> Option.defaultValue ""
            let file = v.HostCertFileName |> Option.defaultValue ""
            let bothSet = basePath <> "" && file <> ""

            match v.Type with
            | Skip -> skip
            | HostCert ->
                // A missing base or file (the schema requires both) gives an empty path, as upstream.
                { SkipVerification = false
                  CaPath = Some(if bothSet then join [ basePath; file ] else "")
                  HostDirectory = if basePath = "" then None else Some basePath }
            | Auto when bothSet ->
                { SkipVerification = false
                  CaPath = Some(join [ basePath; file ])
                  HostDirectory = Some basePath }
            | Auto ->
                { SkipVerification = false
                  CaPath = Some(join [ defaultDirectory; defaultFile ])
                  HostDirectory = Some defaultDirectory }
