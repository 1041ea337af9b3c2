/// controller-manager-config.yaml (ConfigMap spire-controller-manager): the controller manager's
/// configuration, printed as sigs.k8s.io/yaml prints upstream's struct, so that its hash matches upstream's.
[<RequireQualifiedAccess>]
module Ztwim.Kernel.Operands.Server.ControllerManagerConf

open Ztwim.Kernel
open Ztwim.Kernel.Render

let configKey = "controller-manager-config.yaml"

/// The ClusterSPIFFEID class the controller manager serves (the OIDC operand's IDs use it too).
let className = "zero-trust-workload-identity-manager-spire"

let private str = Json.String

/// The config value: the fields upstream's struct marshals (empty strings and zeros included, omitempty
/// ones left out). Its metadata labels include the CR's labels, unlike the ConfigMap's own.
let json (s: Scope) =
    Json.obj
        [ "apiVersion", str "spire.spiffe.io/v1alpha1"
          "kind", str "ControllerManagerConfig"
          "metadata",
          Json.obj
              [ "name", str Scope.controllerManagerName
                "namespace", str s.Mode.Namespace
                "labels", Scope.stringMap (Scope.controllerManagerLabels s) ]
          "className", str className
          "clusterDomain", str ""
          "clusterName", str s.Ztwim.ClusterName
          "entryIDPrefix", str s.Ztwim.ClusterName
          "expandEnvStaticManifests", Json.Bool false
          "gcInterval", Json.num 0
          "health", Json.obj [ "healthProbeBindAddress", str "0.0.0.0:8083" ]
          "ignoreNamespaces", Scope.strings [ "kube-system"; "kube-public"; "local-path-storage"; "openshift-*" ]
          "logEncoding", str ""
          "logLevel", str ""
          "metrics", Json.obj [ "bindAddress", str "0.0.0.0:8082" ]
          "parentIDTemplate",
          str "spiffe://{{ .TrustDomain }}/spire/agent/k8s_psat/{{ .ClusterName }}/{{ .NodeMeta.UID }}"
          "reconcile",
          Json.obj
              [ "clusterFederatedTrustDomains", Json.Bool true
                "clusterSPIFFEIDs", Json.Bool true
                "clusterStaticEntries", Json.Bool true ]
          "spireServerSocketPath", str "/tmp/spire-server/private/api.sock"
          "trustDomain", str s.Ztwim.TrustDomain
          "validatingWebhookConfigurationName", str Scope.webhookName
          "webhook", Json.obj [] ]

/// The YAML text upstream writes.
let text (s: Scope) = Yaml.print (json s)

/// ConfigMap spire-controller-manager: labelled without the CR's labels, as upstream.
let configMap (s: Scope) (conf: string) =
    Scope.namespaced
        s
        "v1"
        "ConfigMap"
        Scope.controllerManagerName
        (Labels.standard Map.empty Labels.controllerManager)
        Map.empty
        [ "data", Json.obj [ configKey, Json.String conf ] ]
