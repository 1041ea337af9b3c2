/// The operator's start-up configuration: upstream's environment variables and flags, each malformed value an
/// error that names its variable, and the namespaces it refuses.
module Ztwim.Specs.Operator.SettingsSpecs

open Expecto
open Ztwim.Kernel.Render
open Ztwim.Operator.Configuration

let private flags (args: string list) =
    match CommandLine.Parse(Array.ofList args) with
    | struct (flags, errors) when isNull (box flags) -> failtestf "flags rejected: %A" (List.ofSeq errors)
    | struct (flags, _) -> flags

let private settings (args: string list) (env: (string * string) list) =
    OperatorSettings.From(flags args, readOnlyDict env)

let private good = [ "OPERATOR_NAMESPACE", "zero-trust-workload-identity-manager" ]

let private errorsOf args env =
    match settings args env with
    | struct (s, errors) when isNull (box s) -> List.ofSeq errors
    | _ -> failtest "expected the configuration to be rejected"

let private accepted args env =
    match settings args env with
    | struct (s, errors) when isNull (box s) -> failtestf "rejected: %A" (List.ofSeq errors)
    | struct (s, _) -> s

/// The configuration is rejected with exactly one error, which names `variable`.
let private rejects (variable: string) (env: (string * string) list) =
    test $"{variable} in {env}" {
        let errors = errorsOf [] (Map.ofList (good @ env) |> Map.toList)
        Expect.hasLength errors 1 $"one error: %A{errors}"
        Expect.stringContains errors.Head variable "the error names the variable"
    }

[<Tests>]
let tests =
    testList
        "Operator settings"
        [ test "the minimal environment: a namespace; leader election, secure metrics on :8443, probes on :8081" {
              let s = accepted [] good
              Expect.equal s.Namespace "zero-trust-workload-identity-manager" "namespace"
              Expect.isTrue s.LeaderElect "leader election on by default"
              Expect.equal (string s.MetricsAddress) ":8443" "metrics address"
              Expect.isTrue s.MetricsSecure "metrics secure by default"
              Expect.equal (string s.HealthAddress) ":8081" "probe address"
              Expect.equal s.LeaseNamespace s.Namespace "the Lease lives in the operator namespace"
          }

          test "OPERATOR_NAMESPACE is required and named" {
              let errors = errorsOf [] []
              Expect.hasLength errors 1 "one error"
              Expect.stringContains errors.Head "OPERATOR_NAMESPACE" "named"
          }

          testList
              "refused namespaces"
              [ for ns in [ "default"; "openshift-operators"; "openshift-config"; "openshift" ] ->
                    test ns {
                        let errors = errorsOf [] [ "OPERATOR_NAMESPACE", ns ]
                        Expect.hasLength errors 1 "one error"
                        Expect.stringContains errors.Head "OPERATOR_NAMESPACE" "named"
                        Expect.stringContains errors.Head ns "the namespace is quoted"
                    } ]

          testList
              "accepted namespaces"
              [ for ns in
                    [ "zero-trust-workload-identity-manager"
                      "workload-identity-manager"
                      "my-openshift-tools" ] ->
                    test ns { Expect.equal (accepted [] [ "OPERATOR_NAMESPACE", ns ]).Namespace ns "accepted" } ]

          testList
              "malformed values name their variable"
              [ rejects "OPERATOR_NAMESPACE" [ "OPERATOR_NAMESPACE", "Not_A_Namespace" ]
                rejects "CREATE_ONLY_MODE" [ "CREATE_ONLY_MODE", "yes" ]
                rejects "HTTP_PROXY" [ "HTTP_PROXY", "http://proxy example:3128" ]
                rejects "HTTPS_PROXY" [ "HTTPS_PROXY", "ftp://proxy.example.com" ]
                rejects "NO_PROXY" [ "NO_PROXY", ".svc, cluster local" ]
                rejects "TRUSTED_CA_BUNDLE_CONFIGMAP" [ "TRUSTED_CA_BUNDLE_CONFIGMAP", "Trusted_CA" ]
                rejects "OPERATOR_CONDITION_NAME" [ "OPERATOR_CONDITION_NAME", "bad name" ]
                rejects "RELATED_IMAGE_SPIRE_SERVER" [ "RELATED_IMAGE_SPIRE_SERVER", "spire server:1.13" ]
                rejects "METRICS_BIND_ADDRESS" [ "METRICS_BIND_ADDRESS", "8080" ]
                rejects "METRICS_BIND_ADDRESS" [ "METRICS_BIND_ADDRESS", ":99999" ]
                rejects "METRICS_SECURE" [ "METRICS_SECURE", "maybe" ]
                rejects "LOG_LEVEL" [ "LOG_LEVEL", "chatty" ] ]

          test "a proxy URL with credentials is never echoed in the error" {
              let errors = errorsOf [] (good @ [ "HTTPS_PROXY", "gopher://user:s3cret@proxy" ])
              Expect.isFalse (errors.Head.Contains "s3cret") "no credential in the message"
          }

          test "every error is reported at once" {
              let errors =
                  errorsOf
                      []
                      [ "OPERATOR_NAMESPACE", "default"
                        "CREATE_ONLY_MODE", "on"
                        "METRICS_SECURE", "x" ]

              Expect.hasLength errors 3 "three errors"
          }

          test "flags: --leader-elect=false, --v, metrics from the flag over the environment" {
              let s =
                  accepted
                      [ "--leader-elect=false"; "--v=4"; "--metrics-bind-address"; "127.0.0.1:9090" ]
                      (good @ [ "METRICS_BIND_ADDRESS", ":8080"; "METRICS_SECURE", "false" ])

              Expect.isFalse s.LeaderElect "leader election off"
              Expect.equal s.LogLevel Serilog.Events.LogEventLevel.Debug "--v=4 is debug"
              Expect.equal (string s.MetricsAddress) "127.0.0.1:9090" "the flag wins"
              Expect.isFalse s.MetricsSecure "METRICS_SECURE=false"
          }

          test "METRICS_BIND_ADDRESS=0 turns metrics off" {
              Expect.isNull (box (accepted [] (good @ [ "METRICS_BIND_ADDRESS", "0" ])).MetricsAddress) "off"
          }

          test "unknown flags and bad flag values are errors" {
              let struct (_, errors) = CommandLine.Parse [| "--leader-elcet=false" |]
              Expect.stringContains (Seq.head errors) "--leader-elcet" "the unknown flag is named"
              let errors = errorsOf [ "--leader-elect=sometimes" ] good
              Expect.stringContains errors.Head "--leader-elect" "the flag is named"
          }

          test "the Mode is the kernel's, from upstream's variables" {
              let s =
                  accepted
                      []
                      (good
                       @ [ "CREATE_ONLY_MODE", " TRUE "
                           "RELATED_IMAGE_SPIRE_AGENT", "example.org/spire-agent:1.13.3"
                           "HTTPS_PROXY", "http://proxy.example.org:3128"
                           "TRUSTED_CA_BUNDLE_CONFIGMAP", "trusted-ca" ])

              let mode = s.ModeFor Platform.Kubernetes
              Expect.isTrue mode.CreateOnly "create-only, trimmed and case-insensitive"
              Expect.equal mode.Images.SpireAgent "example.org/spire-agent:1.13.3" "image"
              Expect.equal mode.Proxy.HttpsProxy (Some "http://proxy.example.org:3128") "proxy"
              Expect.equal mode.TrustedCaBundleConfigMap (Some "trusted-ca") "trusted CA"
              Expect.equal mode.Platform Platform.Kubernetes "platform from discovery"
              Expect.equal mode.Namespace "zero-trust-workload-identity-manager" "namespace"
          }

          test "an empty RELATED_IMAGE_* is a warning, as upstream gives an empty image" {
              let s = accepted [] (good @ [ "RELATED_IMAGE_SPIRE_SERVER", "" ])
              Expect.hasLength s.Warnings 1 "one warning"
              Expect.equal (s.ModeFor Platform.OpenShift).Images.SpireServer "" "empty image"
          }

          test "discovery: OpenShift when Routes and SCCs are served" {
              let platform (groups: string list) =
                  Ztwim.Operator.OperatorProcess.PlatformOf(System.Collections.Generic.HashSet<string>(groups))

              Expect.equal
                  (platform [ "apps"; "route.openshift.io"; "security.openshift.io" ])
                  Platform.OpenShift
                  "OpenShift"

              Expect.equal (platform [ "apps"; "rbac.authorization.k8s.io" ]) Platform.Kubernetes "Kubernetes"
          }

          test "discovery: cert-manager when cert-manager.io is served, and the Mode says so" {
              let serves (groups: string list) =
                  Ztwim.Operator.OperatorProcess.ServesCertManager(System.Collections.Generic.HashSet<string>(groups))

              Expect.isTrue (serves [ "apps"; "cert-manager.io" ]) "served"
              Expect.isFalse (serves [ "apps"; "acme.cert-manager.io" ]) "another group"
              let s = accepted [] good
              Expect.isTrue (s.ModeFor(Platform.Kubernetes, true)).CertManager "with"
              Expect.isFalse (s.ModeFor(Platform.Kubernetes, false)).CertManager "without"
          }

          test "CERT_MANAGER_ISSUER names an Issuer or a ClusterIssuer" {
              let issuer value =
                  (accepted [] (good @ [ "CERT_MANAGER_ISSUER", value ]))
                      .ModeFor(Platform.Kubernetes, true)
                      .CertManagerIssuer

              Expect.equal
                  (issuer "ClusterIssuer/corp-ca")
                  (Some
                      { Kind = "ClusterIssuer"
                        Name = "corp-ca" })
                  "cluster"

              Expect.equal (issuer " Issuer/ca.example ") (Some { Kind = "Issuer"; Name = "ca.example" }) "trimmed"
              Expect.isNone (issuer "") "empty is unset"
          }

          rejects "CERT_MANAGER_ISSUER" [ "CERT_MANAGER_ISSUER", "corp-ca" ]
          rejects "CERT_MANAGER_ISSUER" [ "CERT_MANAGER_ISSUER", "ClusterIssuer/Corp_CA" ]
          rejects "CERT_MANAGER_ISSUER" [ "CERT_MANAGER_ISSUER", "Secret/corp-ca" ] ]
