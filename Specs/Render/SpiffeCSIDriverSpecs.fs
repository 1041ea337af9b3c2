/// Where each SpiffeCSIDriver spec field and each Mode input lands in the rendered objects.
module Ztwim.Specs.Render.SpiffeCSIDriverSpecs

open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Render
open Ztwim.Kernel.Operands
open Ztwim.Specs.Api.Examples
open Ztwim.Specs.Render.RenderedObjects

let private csiCr (edit: Json -> Json) =
    match Crs.parseSpiffeCSIDriver (minimal Kind.SpiffeCSIDriver |> set "metadata.uid" (str uid) |> edit) with
    | Ok r -> r
    | Error e -> failtestf "SpiffeCSIDriver rejected: %A" e

let private renderWith (edit: Json -> Json) (mode: Mode) =
    SpiffeCSIDriver.desired (csiCr edit) (ztwimSpec id) mode

let private render (edit: Json -> Json) = renderWith edit openShift

let private daemonSet objects =
    find "DaemonSet" "spire-spiffe-csi-driver" objects

let private pod objects =
    tryGet "spec.template.spec" (daemonSet objects) |> Option.get

let private container (name: string) objects =
    match named name "containers" (pod objects) with
    | Some c -> c
    | None -> named name "initContainers" (pod objects) |> Option.get

let private hostPath (name: string) objects =
    named name "volumes" (pod objects) |> Option.bind (tryGet "hostPath")

let private specFields =
    testList
        "spec fields"
        [ test "agentSocketPath: the host directory of the agent socket volume" {
              Expect.equal
                  (hostPath "spire-agent-socket-dir" (render (set "spec.agentSocketPath" (str "/var/run/spire/s"))))
                  (Some(json """{"path": "/var/run/spire/s", "type": "DirectoryOrCreate"}"""))
                  "volume"
          }
          test "agentSocketPath defaults to /run/spire/agent-sockets" {
              Expect.equal
                  (hostPath "spire-agent-socket-dir" (render id) |> Option.bind (tryGet "path"))
                  (Some(str "/run/spire/agent-sockets"))
                  "default"
          }
          test "pluginName: the CSIDriver's name, the driver's -plugin-name, the registration path, the socket dir" {
              let objects = render (set "spec.pluginName" (str "csi.example.org"))
              let driver = find "CSIDriver" "csi.example.org" objects

              Expect.equal (tryGet "metadata.name" driver) (Some(str "csi.example.org")) "CSIDriver"

              Expect.equal
                  (Json.tryField "args" (container "spiffe-csi-driver" objects))
                  (Some(
                      strings
                          [ "-workload-api-socket-dir"
                            "/spire-agent-socket"
                            "-plugin-name"
                            "csi.example.org"
                            "-csi-socket-path"
                            "/spiffe-csi/csi.sock" ]
                  ))
                  "driver args"

              Expect.equal
                  (Json.tryField "args" (container "node-driver-registrar" objects))
                  (Some(
                      strings
                          [ "-csi-address"
                            "/spiffe-csi/csi.sock"
                            "-kubelet-registration-path"
                            "/var/lib/kubelet/plugins/csi.example.org/csi.sock"
                            "-health-port"
                            "9809" ]
                  ))
                  "registrar args"

              Expect.equal
                  (hostPath "spiffe-csi-socket-dir" objects)
                  (Some(json """{"path": "/var/lib/kubelet/plugins/csi.example.org", "type": "DirectoryOrCreate"}"""))
                  "socket dir"
          }
          test "pluginName defaults to csi.spiffe.io" {
              Expect.equal
                  (render id
                   |> List.map DesiredObject.ref
                   |> List.filter (fun r -> r.Kind = "CSIDriver")
                   |> List.map (fun r -> r.Name, r.Namespace))
                  [ "csi.spiffe.io", None ]
                  "CSIDriver"
          }
          test "the CSIDriver spec" {
              Expect.equal
                  (tryGet "spec" (find "CSIDriver" "csi.spiffe.io" (render id)))
                  (Some(
                      json
                          """{"attachRequired": false, "podInfoOnMount": true, "fsGroupPolicy": "None",
                             "volumeLifecycleModes": ["Ephemeral"]}"""
                  ))
                  "spec"
          }
          test "no annotations on the pod template (no config, no hash)" {
              Expect.isNone (tryGet "spec.template.metadata.annotations" (daemonSet (render id))) "annotations"
          } ]

let private commonConfig =
    testList
        "CommonConfig"
        [ test "labels: on every object and the pod template, never in the selector" {
              let objects = render (set "spec.labels" customLabels)
              labelsAndOwners Kind.SpiffeCSIDriver objects Labels.spiffeCsiDriver
              let ds = daemonSet objects

              Expect.equal
                  (at [ "spec"; "template"; "metadata"; "labels"; "team" ] ds)
                  (Some(str "identity"))
                  "template"

              Expect.equal
                  (tryGet "spec.selector.matchLabels" ds)
                  (Some(
                      json
                          """{"app.kubernetes.io/component": "csi", "app.kubernetes.io/name": "spiffe-csi-driver",
                             "app.kubernetes.io/instance": "cluster-zero-trust-workload-identity-manager"}"""
                  ))
                  "selector"
          }
          test "the CSIDriver's ephemeral-volume profile label wins over a custom label of that key" {
              let objects =
                  render (
                      set
                          "spec.labels"
                          (json """{"security.openshift.io/csi-ephemeral-volume-profile": "privileged"}""")
                  )

              Expect.equal
                  (at
                      [ "metadata"; "labels"; "security.openshift.io/csi-ephemeral-volume-profile" ]
                      (find "CSIDriver" "csi.spiffe.io" objects))
                  (Some(str "restricted"))
                  "profile"

              Expect.equal
                  (at [ "metadata"; "labels"; "security.openshift.io/csi-ephemeral-volume-profile" ] (daemonSet objects))
                  (Some(str "privileged"))
                  "other objects keep the custom label"
          }
          test "resources: both containers, never the init container; {} when unset" {
              let objects = render (set "spec.resources" resources)

              for name in [ "spiffe-csi-driver"; "node-driver-registrar" ] do
                  Expect.equal (Json.tryField "resources" (container name objects)) (Some resources) name
                  Expect.equal (Json.tryField "resources" (container name (render id))) (Some(Json.obj [])) name

              Expect.equal (Json.tryField "resources" (container "set-context" objects)) (Some(Json.obj [])) "init"
          }
          test "affinity, tolerations, nodeSelector: the pod spec, absent when unset" {
              let p =
                  pod (
                      render (
                          set "spec.affinity" affinity
                          >> set "spec.tolerations" tolerations
                          >> set "spec.nodeSelector" nodeSelector
                      )
                  )

              Expect.equal (Json.tryField "affinity" p) (Some affinity) "affinity"
              Expect.equal (Json.tryField "tolerations" p) (Some tolerations) "tolerations"
              Expect.equal (Json.tryField "nodeSelector" p) (Some nodeSelector) "nodeSelector"
              let bare = pod (render id)

              for k in [ "affinity"; "tolerations"; "nodeSelector" ] do
                  Expect.isNone (Json.tryField k bare) k
          } ]

let private image (name: string) objects =
    Json.tryField "image" (container name objects)

let private modeInputs =
    testList
        "Mode"
        [ test "the three images from their RELATED_IMAGE_* variables" {
              let objects =
                  renderWith
                      id
                      (modeOf
                          OpenShift
                          [ "RELATED_IMAGE_SPIFFE_CSI_DRIVER", "quay.io/x/csi:1"
                            "RELATED_IMAGE_NODE_DRIVER_REGISTRAR", "quay.io/x/registrar:2"
                            "RELATED_IMAGE_SPIFFE_CSI_INIT_CONTAINER", "quay.io/x/ubi:3" ])

              Expect.equal (image "spiffe-csi-driver" objects) (Some(str "quay.io/x/csi:1")) "driver"
              Expect.equal (image "node-driver-registrar" objects) (Some(str "quay.io/x/registrar:2")) "registrar"
              Expect.equal (image "set-context" objects) (Some(str "quay.io/x/ubi:3")) "init"
          }
          test "the default images; an empty init image variable falls back to its default" {
              let objects =
                  renderWith id (modeOf OpenShift [ "RELATED_IMAGE_SPIFFE_CSI_INIT_CONTAINER", "" ])

              Expect.equal
                  (image "spiffe-csi-driver" objects)
                  (Some(str "ghcr.io/spiffe/spiffe-csi-driver:0.2.8"))
                  "driver"

              Expect.equal
                  (image "node-driver-registrar" objects)
                  (Some(str "registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.9.4"))
                  "registrar"

              Expect.equal (image "set-context" objects) (Some(str "registry.access.redhat.com/ubi9:latest")) "init"
          }
          test "an empty driver image variable gives an empty image, as upstream" {
              Expect.equal
                  (image
                      "spiffe-csi-driver"
                      (renderWith id (modeOf OpenShift [ "RELATED_IMAGE_SPIFFE_CSI_DRIVER", "" ])))
                  (Some(str ""))
                  "driver"
          }
          test "namespace: the ServiceAccount and DaemonSet, the SCC user" {
              let objects =
                  renderWith id (modeOf OpenShift [ "OPERATOR_NAMESPACE", "spire-system" ])

              Expect.equal
                  (objects |> List.map DesiredObject.ref |> List.map (fun r -> r.Kind, r.Namespace))
                  [ "ServiceAccount", Some "spire-system"
                    "CSIDriver", None
                    "SecurityContextConstraints", None
                    "DaemonSet", Some "spire-system" ]
                  "kinds in upstream's order, with their namespaces"

              Expect.equal
                  (tryGet "users" (find "SecurityContextConstraints" "spire-spiffe-csi-driver" objects))
                  (Some(strings [ "system:serviceaccount:spire-system:spire-spiffe-csi-driver" ]))
                  "SCC users"
          }
          test "plain Kubernetes: no SCC" {
              let objects = renderWith id (modeOf Kubernetes [])

              Expect.equal
                  (objects |> List.map (fun d -> (DesiredObject.ref d).Kind))
                  [ "ServiceAccount"; "CSIDriver"; "DaemonSet" ]
                  "kinds"
          }
          test "neither the proxy nor the trusted CA bundle reaches the CSI driver" {
              let objects =
                  renderWith
                      id
                      (modeOf
                          OpenShift
                          [ "HTTP_PROXY", "http://p:3128"
                            "HTTPS_PROXY", "http://p:3129"
                            "NO_PROXY", ".corp"
                            "TRUSTED_CA_BUNDLE_CONFIGMAP", "trusted-ca" ])

              Expect.equal (daemonSet objects) (daemonSet (render id)) "DaemonSet"
          } ]

[<Tests>]
let tests =
    testList "render SpiffeCSIDriver" [ specFields; commonConfig; modeInputs ]
