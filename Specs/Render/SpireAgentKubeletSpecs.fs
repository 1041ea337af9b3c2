/// The kubelet CA verification matrix: agent.conf's k8s plugin data and the DaemonSet's kubelet-ca mount.
module Ztwim.Specs.Render.SpireAgentKubeletSpecs

open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Operands.Agent
open Ztwim.Specs.Api.Examples
open Ztwim.Specs.Render.RenderedObjects
open Ztwim.Specs.Render.SpireAgentSpecs

/// agent.conf's k8s plugin data and the DaemonSet's kubelet-ca volume and mount for a verification.
let private kubeletCase (name: string) (edit: Json -> Json) (skip: bool) (caPath: string option) (dir: string option) =
    test name {
        let objects = render edit
        let data = tryGet k8s (conf objects) |> Option.get
        Expect.equal (Json.tryField "skip_kubelet_verification" data) (Some(Json.Bool skip)) "skip_kubelet_verification"
        Expect.equal (Json.tryField "kubelet_ca_path" data) (caPath |> Option.map str) "kubelet_ca_path"

        let volume = named "kubelet-ca" "volumes" (pod objects)
        let mount = named "kubelet-ca" "volumeMounts" (agentContainer objects)

        Expect.equal
            volume
            (dir
             |> Option.map (fun d ->
                 Json.obj
                     [ "name", str "kubelet-ca"
                       "hostPath", Json.obj [ "path", str d; "type", str "Directory" ] ]))
            "kubelet-ca volume"

        Expect.equal
            mount
            (dir
             |> Option.map (fun d ->
                 Json.obj [ "name", str "kubelet-ca"; "mountPath", str d; "readOnly", Json.Bool true ]))
            "kubelet-ca mount"
    }

let private kubeletVerification =
    testList
        "kubelet CA verification"
        [ kubeletCase "omitted: skip" id true None None
          kubeletCase "skip" (verify [ "type", "skip" ]) true None None
          kubeletCase
              "skip ignores the paths"
              (verify [ "type", "skip"; "hostCertBasePath", "/etc/k"; "hostCertFileName", "ca.crt" ])
              true
              None
              None
          kubeletCase
              "hostCert: base/file, base mounted"
              (verify
                  [ "type", "hostCert"
                    "hostCertBasePath", "/etc/kubelet-pki"
                    "hostCertFileName", "ca.crt" ])
              false
              (Some "/etc/kubelet-pki/ca.crt")
              (Some "/etc/kubelet-pki")
          kubeletCase
              "hostCert: the path is joined as Go's path.Join, the mount keeps the base as written"
              (verify
                  [ "type", "hostCert"
                    "hostCertBasePath", "/etc//kubelet/"
                    "hostCertFileName", "ca.crt" ])
              false
              (Some "/etc/kubelet/ca.crt")
              (Some "/etc//kubelet/")
          kubeletCase
              "auto with base and file: those"
              (verify
                  [ "type", "auto"
                    "hostCertBasePath", "/var/lib/kubelet/pki"
                    "hostCertFileName", "kubelet.crt" ])
              false
              (Some "/var/lib/kubelet/pki/kubelet.crt")
              (Some "/var/lib/kubelet/pki")
          kubeletCase
              "auto alone: the default file"
              (verify [ "type", "auto" ])
              false
              (Some "/etc/kubernetes/kubelet-ca.crt")
              (Some "/etc/kubernetes")
          kubeletCase
              "auto without the file: the default file and directory"
              (verify [ "type", "auto"; "hostCertBasePath", "/etc/k" ])
              false
              (Some "/etc/kubernetes/kubelet-ca.crt")
              (Some "/etc/kubernetes")
          kubeletCase
              "auto without the base: the default file and directory"
              (verify [ "type", "auto"; "hostCertFileName", "ca.crt" ])
              false
              (Some "/etc/kubernetes/kubelet-ca.crt")
              (Some "/etc/kubernetes")
          kubeletCase
              "an empty type reads as auto (the schema default)"
              (set verification (Json.obj []))
              false
              (Some "/etc/kubernetes/kubelet-ca.crt")
              (Some "/etc/kubernetes")
          test "k8sEnabled false: no WorkloadAttestor, the kubelet-ca directory is still mounted" {
              let objects =
                  render (
                      verify [ "type", "auto" ]
                      >> set "spec.workloadAttestors.k8sEnabled" (str "false")
                  )

              Expect.isNone (tryGet "plugins.WorkloadAttestor" (conf objects)) "no WorkloadAttestor"
              Expect.isSome (named "kubelet-ca" "volumes" (pod objects)) "kubelet-ca volume"
          }
          // The schema requires both paths for hostCert; the matrix still answers for them (upstream's code
          // does, and the kernel is total).
          test "hostCert without the file: an empty path, the base mounted" {
              Expect.equal
                  (KubeletCa.ofVerification (
                      Some
                          { Type = HostCert
                            HostCertBasePath = Some "/etc/k"
                            HostCertFileName = None }
                  ))
                  { SkipVerification = false
                    CaPath = Some ""
                    HostDirectory = Some "/etc/k" }
                  "matrix"
          }
          test "hostCert without the base: an empty path, nothing mounted" {
              Expect.equal
                  (KubeletCa.ofVerification (
                      Some
                          { Type = HostCert
                            HostCertBasePath = None
                            HostCertFileName = Some "ca.crt" }
                  ))
                  { SkipVerification = false
                    CaPath = Some ""
                    HostDirectory = None }
                  "matrix"
          }
          test "path.Join and path.Clean as Go's" {
              let cases =
                  [ [ "/etc/kubernetes"; "kubelet-ca.crt" ], "/etc/kubernetes/kubelet-ca.crt"
                    [ "/etc/kubernetes/"; "ca.crt" ], "/etc/kubernetes/ca.crt"
                    [ "/a/./b"; ".." ], "/a"
                    [ "/"; ".." ], "/"
                    [ "a"; "../.."; "b" ], "../b"
                    [ ""; "ca.crt" ], "ca.crt"
                    [ ""; "" ], ""
                    [ "."; "." ], "." ]

              for elements, expected in cases do
                  Expect.equal (KubeletCa.join elements) expected (sprintf "join %A" elements)
          } ]

[<Tests>]
let tests = testList "render SpireAgent" [ kubeletVerification ]
