/// A real control plane for a test group, as controller-runtime's envtest starts one: etcd, kube-apiserver
/// (RBAC, service-account tokens, a Metadata audit log) and, where the binary exists, kube-controller-manager
/// (garbage collector, namespaces, workload controllers), on free loopback ports in a temporary folder that is
/// removed when it stops. There is no scheduler and no kubelet (see Nodes for a stand-in).
module Ztwim.Specs.Envtest.ControlPlane

open System
open System.Collections.Concurrent
open System.Diagnostics
open System.IO
open System.Net
open System.Net.Http
open System.Net.Sockets
open System.Security.Cryptography.X509Certificates
open System.Threading
open k8s
open Ztwim.Adapters.Cluster
open Ztwim.Adapters.Kube
open Ztwim.Specs.Envtest.Assets
open Ztwim.Specs.Envtest.Component

type Options =
    {
        /// Names the shared instance and the temporary folder.
        Name: string
        /// Start kube-controller-manager too, when the binary is there.
        ControllerManager: bool
    }

let private freePort () =
    use listener = new TcpListener(IPAddress.Loopback, 0)
    listener.Start()
    (listener.LocalEndpoint :?> IPEndPoint).Port

// One line per request, once it is answered (watches: once they end), with the user, verb, resource and code.
let private auditPolicy =
    "apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived, ResponseStarted]\nrules:\n- level: Metadata\n"

/// An HttpClient that presents the admin certificate and trusts only the control plane's CA.
let private adminHttp (pki: Pki.Pki) (url: string) =
    let ca = X509Certificate2.CreateFromPem pki.Ca.CertificatePem

    // Re-imported through PKCS#12 so that the key is usable by TLS on every platform.
    let client =
        use pem = X509Certificate2.CreateFromPem(pki.Admin.CertificatePem, pki.Admin.KeyPem)
        X509CertificateLoader.LoadPkcs12(pem.Export X509ContentType.Pkcs12, null)

    let handler = new HttpClientHandler()
    handler.ClientCertificates.Add client |> ignore

    handler.ServerCertificateCustomValidationCallback <-
        fun _ cert _ _ ->
            use chain = new X509Chain()
            chain.ChainPolicy.TrustMode <- X509ChainTrustMode.CustomRootTrust
            chain.ChainPolicy.CustomTrustStore.Add ca |> ignore
            chain.ChainPolicy.RevocationMode <- X509RevocationMode.NoCheck
            not (isNull cert) && chain.Build cert

    new HttpClient(handler, BaseAddress = Uri url, Timeout = TimeSpan.FromSeconds 30.0)

/// A started control plane; Dispose stops every process and removes the folder.
type ControlPlane
    internal
    (
        assets: Assets,
        dir: string,
        url: string,
        pki: Pki.Pki,
        kubeconfig: string,
        audit: string,
        components: Component list,
        http: HttpClient
    ) =
    let mutable stopped = false

    member _.Assets = assets
    member _.Dir = dir
    member _.Url = url
    member _.CaPem = pki.Ca.CertificatePem

    /// A kubeconfig whose user is in system:masters.
    member _.AdminKubeconfig = kubeconfig

    /// The audit log: one JSON line per answered request (stage ResponseComplete), at Metadata level.
    member _.AuditLogPath = audit

    member _.HasControllerManager =
        components |> List.exists (fun c -> c.Name = "kube-controller-manager")

    /// An admin client over raw REST, BaseAddress the API server.
    member _.Http = http

    /// A new admin KubernetesClient.
    member _.Kubernetes() =
        new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile kubeconfig)

    /// A new admin client of the operator's port, the same KubeClusterClient the operator runs.
    member _.Client() : IClusterClient =
        KubeConnection.Connect(KubernetesClientConfiguration.BuildConfigFromConfigFile kubeconfig)

    /// The last lines of every component's log, for a failure message.
    member _.Logs(lines: int) =
        components
        |> List.map (fun c -> sprintf "---- %s ----\n%s" c.Name (c.Tail lines))
        |> String.concat "\n"

    member _.Stop() =
        if not stopped then
            stopped <- true
            http.Dispose()

            // The controller manager first, etcd last: each one's clients are gone before it stops.
            for c in components do
                (c :> IDisposable).Dispose()

            try
                Directory.Delete(dir, true)
            with _ ->
                ()

    interface IDisposable with
        member this.Dispose() = this.Stop()

let private waitReady (what: string) (timeout: TimeSpan) (failed: unit -> string option) (ready: unit -> bool) =
    let clock = Stopwatch.StartNew()

    let rec loop () =
        match failed () with
        | Some why -> failwithf "%s: %s" what why
        | None ->
            let ok =
                try
                    ready ()
                with _ ->
                    false

            if ok then
                clock.Elapsed
            elif clock.Elapsed > timeout then
                failwithf "%s: not ready after %.0f s" what timeout.TotalSeconds
            else
                Thread.Sleep 100
                loop ()

    loop ()

let private exited (c: Component) () =
    if c.HasExited then
        Some(sprintf "%s exited:\n%s" c.Name (c.Tail 30))
    else
        None

/// Starts a control plane and waits until kube-apiserver's /readyz answers ok.
let start (assets: Assets) (options: Options) : ControlPlane =
    let clock = Stopwatch.StartNew()

    let dir =
        (Directory.CreateTempSubdirectory(sprintf "ztwim-envtest-%s-" options.Name)).FullName

    let file name = Path.Combine(dir, name)

    let write name (text: string) =
        File.WriteAllText(file name, text)
        file name

    let started = ResizeArray<Component>()

    let run name exe args =
        let c = new Component(name, exe, args, file (name + ".log"))
        started.Insert(0, c)
        c

    try
        let pki = Pki.create ()
        let ca = write "ca.crt" pki.Ca.CertificatePem
        let servingCert = write "apiserver.crt" pki.Serving.CertificatePem
        let servingKey = write "apiserver.key" pki.Serving.KeyPem
        let saKey = write "sa.key" pki.ServiceAccountKeyPem
        let saPub = write "sa.pub" pki.ServiceAccountPublicPem
        let policy = write "audit-policy.yaml" auditPolicy
        let audit = file "audit.log"
        let etcdPort, peerPort, apiPort = freePort (), freePort (), freePort ()
        let etcdUrl = sprintf "http://127.0.0.1:%d" etcdPort
        let peerUrl = sprintf "http://127.0.0.1:%d" peerPort
        let url = sprintf "https://127.0.0.1:%d" apiPort

        let etcd =
            run
                "etcd"
                assets.Etcd
                [ "--data-dir"
                  file "etcd"
                  "--listen-client-urls"
                  etcdUrl
                  "--advertise-client-urls"
                  etcdUrl
                  "--listen-peer-urls"
                  peerUrl
                  "--initial-advertise-peer-urls"
                  peerUrl
                  "--initial-cluster"
                  "default=" + peerUrl
                  // A test cluster's data may be lost on a crash; fsync would only slow every write.
                  "--unsafe-no-fsync" ]

        let apiServer =
            run
                "kube-apiserver"
                assets.ApiServer
                [ "--etcd-servers=" + etcdUrl
                  "--bind-address=127.0.0.1"
                  sprintf "--secure-port=%d" apiPort
                  "--cert-dir=" + file "apiserver-certs"
                  "--client-ca-file=" + ca
                  "--tls-cert-file=" + servingCert
                  "--tls-private-key-file=" + servingKey
                  "--authorization-mode=RBAC"
                  "--service-account-issuer=https://kubernetes.default.svc.cluster.local"
                  "--service-account-key-file=" + saPub
                  "--service-account-signing-key-file=" + saKey
                  "--service-cluster-ip-range=10.96.0.0/16"
                  // A loopback address is not a valid endpoint for the kubernetes Service.
                  "--endpoint-reconciler-type=none"
                  // The SPIRE agent and the CSI driver run privileged containers.
                  "--allow-privileged=true"
                  "--audit-policy-file=" + policy
                  "--audit-log-path=" + audit ]

        let admin = file "admin.kubeconfig"

        Kubeconfig.write
            admin
            url
            pki.Ca.CertificatePem
            "envtest-admin"
            (Kubeconfig.ClientCertificate(pki.Admin.CertificatePem, pki.Admin.KeyPem))
        |> ignore

        let http = adminHttp pki url

        let failed () =
            [ exited etcd; exited apiServer ] |> List.tryPick (fun f -> f ())

        let readyAfter =
            waitReady "kube-apiserver" (TimeSpan.FromSeconds 90.0) failed (fun () ->
                use response = http.GetAsync("/readyz").Result
                response.IsSuccessStatusCode)

        match options.ControllerManager, assets.ControllerManager with
        | true, Some kcm ->
            run
                "kube-controller-manager"
                kcm
                [ "--kubeconfig=" + admin
                  "--authentication-kubeconfig=" + admin
                  "--authorization-kubeconfig=" + admin
                  "--service-account-private-key-file=" + saKey
                  "--root-ca-file=" + ca
                  "--use-service-account-credentials=false"
                  "--controllers=*,-nodeipam"
                  "--leader-elect=false"
                  // No serving port: tests never scrape it, and a fixed default port would clash between planes.
                  "--secure-port=0" ]
            |> ignore
        | _ -> ()

        printfn
            "envtest: control plane %s at %s, kube-apiserver ready after %.1f s (%s)"
            options.Name
            url
            readyAfter.TotalSeconds
            (if started.Exists(fun c -> c.Name = "kube-controller-manager") then
                 "with kube-controller-manager"
             else
                 "no kube-controller-manager")

        new ControlPlane(assets, dir, url, pki, admin, audit, List.ofSeq started, http)
    with e ->
        let logs =
            started
            |> Seq.map (fun c -> sprintf "---- %s ----\n%s" c.Name (c.Tail 30))
            |> String.concat "\n"

        for c in started do
            (c :> IDisposable).Dispose()

        try
            Directory.Delete(dir, true)
        with _ ->
            ()

        failwithf
            "the control plane %s did not start after %.1f s: %s\n%s"
            options.Name
            clock.Elapsed.TotalSeconds
            e.Message
            logs

let private shared' = ConcurrentDictionary<string, Lazy<ControlPlane>>()

// Registered once: every shared control plane is stopped, and its folder removed, when the test process ends.
let private stopAtExit =
    lazy
        (AppDomain.CurrentDomain.ProcessExit.Add(fun _ ->
            for p in shared'.Values do
                if p.IsValueCreated then
                    p.Value.Stop()))

/// The control plane of a test group, one per name: started on first use, stopped when the process ends.
let shared (assets: Assets) (options: Options) : ControlPlane =
    stopAtExit.Force()

    shared'.GetOrAdd(options.Name, fun _ -> lazy (start assets options)).Value
