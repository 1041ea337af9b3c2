/// Where the control-plane binaries are: controller-runtime's envtest convention, a folder named by
/// KUBEBUILDER_ASSETS holding kube-apiserver and etcd, and optionally kube-controller-manager.
module Ztwim.Specs.Envtest.Assets

open System
open System.IO

/// The binaries a real control plane is started from.
type Assets =
    {
        Dir: string
        ApiServer: string
        Etcd: string
        /// Absent in a plain setup-envtest folder; without it there is no garbage collection or workload status.
        ControllerManager: string option
    }

let variable = "KUBEBUILDER_ASSETS"

/// Printed once where the variable is unset: what was skipped and how to run it.
let skipLine =
    sprintf
        "real API server tests skipped: %s is not set; set it to a folder holding kube-apiserver and etcd (optionally kube-controller-manager), e.g. from setup-envtest, to run them"
        variable

let private executable (dir: string) (name: string) =
    let path = Path.Combine(dir, name)

    if File.Exists path then Some path else None

/// The binaries named by KUBEBUILDER_ASSETS, or why there are none: unset, or set to a folder without them.
let find () : Result<Assets, string> =
    match Environment.GetEnvironmentVariable variable with
    | null
    | "" -> Error skipLine
    | dir ->
        match executable dir "kube-apiserver", executable dir "etcd" with
        | Some api, Some etcd ->
            Ok
                { Dir = dir
                  ApiServer = api
                  Etcd = etcd
                  ControllerManager = executable dir "kube-controller-manager" }
        | api, _ ->
            let missing = if api.IsNone then "kube-apiserver" else "etcd"
            Error(sprintf "%s=%s holds no %s" variable dir missing)

/// True when the variable is set at all: then a folder without the binaries is an error, not a skip.
let requested () =
    not (String.IsNullOrEmpty(Environment.GetEnvironmentVariable variable))
