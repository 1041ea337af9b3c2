/// The harness itself: a control plane starts from KUBEBUILDER_ASSETS, serves an admin over TLS with the
/// client certificate, enforces RBAC for everyone else, logs each request in its audit log, and leaves no
/// process or folder behind when it stops.
module Ztwim.Specs.Envtest.ControlPlaneSpecs

open System
open System.Diagnostics
open System.IO
open System.Net
open System.Net.Http
open Expecto
open k8s
open Ztwim.Specs.Envtest

let private processesUsing (dir: string) =
    Directory.GetDirectories "/proc"
    |> Array.choose (fun p ->
        try
            let cmdline = File.ReadAllText(Path.Combine(p, "cmdline")).Replace('\000', ' ')

            if cmdline.Contains dir && not (cmdline.StartsWith "/bin/sh") then
                Some cmdline
            else
                None
        with _ ->
            None)

[<Tests>]
let tests =
    RealServer.tests "envtest control plane" (fun assets ->
        [ test "starts, serves the admin, enforces RBAC, audits, and stops without a trace" {
              let clock = Stopwatch.StartNew()

              let plane =
                  ControlPlane.start
                      assets
                      { Name = "harness"
                        ControllerManager = false }

              let dir = plane.Dir

              try
                  use namespaces = plane.Http.GetAsync("/api/v1/namespaces").Result
                  Expect.equal namespaces.StatusCode HttpStatusCode.OK "the admin lists namespaces"

                  // No client certificate: anonymous, which RBAC lets see /version but not the namespaces.
                  use anonymousHandler =
                      new HttpClientHandler(ServerCertificateCustomValidationCallback = (fun _ _ _ _ -> true))

                  use anonymous = new HttpClient(anonymousHandler, BaseAddress = Uri plane.Url)
                  use denied = anonymous.GetAsync("/api/v1/namespaces").Result
                  Expect.equal denied.StatusCode HttpStatusCode.Forbidden "anonymous is forbidden"

                  let audit = File.ReadAllLines plane.AuditLogPath

                  Expect.exists
                      audit
                      (fun l ->
                          l.Contains "\"requestURI\":\"/api/v1/namespaces\""
                          && l.Contains "\"username\":\"ztwim-envtest-admin\""
                          && l.Contains "\"code\":200")
                      "the admin's list is in the audit log"

                  use k = plane.Kubernetes()
                  Expect.isNonEmpty (k.CoreV1.ListNamespace().Items) "KubernetesClient reads the admin kubeconfig"
                  Expect.isNonEmpty (processesUsing dir) "etcd and kube-apiserver run from the folder"
              finally
                  let stopping = Stopwatch.StartNew()
                  plane.Stop()
                  printfn "envtest: stopped in %.2f s" stopping.Elapsed.TotalSeconds

              Expect.isFalse (Directory.Exists dir) "the folder is removed"
              Expect.isEmpty (processesUsing dir) "no process of the control plane is left"

              printfn
                  "envtest: a control plane without kube-controller-manager started and stopped in %.1f s"
                  clock.Elapsed.TotalSeconds
          } ])
