module Ztwim.Specs.Api.SpireAgentSpecs

open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Specs.Api.Examples

let private workload = "spec.workloadAttestors"
let private verification = workload + ".workloadAttestorsVerification"

let private socketPath = "must match the pattern ^/[a-zA-Z0-9._/\\-]*$"

/// Rows for an absolute socket directory (SpireAgent socketPath, SpiffeCSIDriver agentSocketPath).
let socketPathRows (path: string) =
    [ defaults path (str "/run/spire/agent-sockets")
      accepts path (str "/var/run/spire_agent-1.d")
      accepts path (str ("/" + repeat 255 "s"))
      rejects path (str "run/spire") socketPath
      rejects path (str "/run/spire agent") socketPath
      rejects path (str ("/" + repeat 256 "s")) "must be at most 256 characters" ]

let private attestors =
    [ example
          "nodeAttestor omitted: attestation stays on"
          (remove "spec.nodeAttestor")
          (Reads("spec.nodeAttestor", Some(json """{"k8sPSATEnabled": "true"}""")))
      rejects "spec.nodeAttestor" (str "k8s_psat") "must be an object, not string"
      example
          "workloadAttestors omitted: the documented defaults"
          (remove workload)
          (Reads(
              workload,
              Some(
                  json
                      """{"k8sEnabled": "true", "disableContainerSelectors": "false", "useNewContainerLocator": "true"}"""
              )
          ))
      rejects workload (json "[]") "must be an object, not array"
      unsetByDefault verification
      rejects verification (str "auto") "must be an object, not string" ]
    @ stringBoolRows "spec.nodeAttestor.k8sPSATEnabled" true
    @ stringBoolRows (workload + ".k8sEnabled") true
    @ stringBoolRows (workload + ".disableContainerSelectors") false
    @ stringBoolRows (workload + ".useNewContainerLocator") true

let private hostCert =
    json """{"type": "hostCert", "hostCertBasePath": "/etc/kubernetes", "hostCertFileName": "kubelet-ca.crt"}"""

let private requiredFor (field: string) (value: Json option) =
    FieldError.admission (verification + "." + field) (sprintf "%s is required when type is 'hostCert'" field) value

let private verificationRows =
    [ defaults (verification + ".type") (str "auto")
      accepts (verification + ".type") (str "skip")
      accepts (verification + ".type") (str "auto")
      rejects (verification + ".type") (str "none") "must be one of: auto, hostCert, skip"
      rejects (verification + ".type") (str "HostCert") "must be one of: auto, hostCert, skip"
      accepts verification hostCert
      unsetByDefault (verification + ".hostCertBasePath")
      accepts (verification + ".hostCertBasePath") (str "/etc/kubernetes")
      unsetByDefault (verification + ".hostCertFileName")
      accepts (verification + ".hostCertFileName") (str "kubelet-ca_1.crt")
      accepts (verification + ".hostCertFileName") (str (repeat 256 "f"))
      reads (verification + ".hostCertFileName") (str "") None
      rejects (verification + ".hostCertFileName") (str "ca/kubelet.crt") "must match the pattern ^[a-zA-Z0-9._-]+$"
      rejects (verification + ".hostCertFileName") (str (repeat 257 "f")) "must be at most 256 characters"
      example
          "hostCert requires both paths"
          (set (verification + ".type") (str "hostCert"))
          (Refused [ requiredFor "hostCertBasePath" None; requiredFor "hostCertFileName" None ])
      example
          "hostCert requires hostCertBasePath"
          (set verification (remove "hostCertBasePath" hostCert))
          (Refused [ requiredFor "hostCertBasePath" None ])
      example
          "hostCert refuses an empty hostCertBasePath"
          (set verification (set "hostCertBasePath" (str "") hostCert))
          (Refused [ requiredFor "hostCertBasePath" (Some(str "")) ])
      example
          "hostCert requires hostCertFileName"
          (set verification (remove "hostCertFileName" hostCert))
          (Refused [ requiredFor "hostCertFileName" None ])
      example
          "hostCert refuses an empty hostCertFileName"
          (set verification (set "hostCertFileName" (str "") hostCert))
          (Refused [ requiredFor "hostCertFileName" (Some(str "")) ]) ]

let tables =
    [ table "spec" Kind.SpireAgent (minimal Kind.SpireAgent) (socketPathRows "spec.socketPath" @ logRows @ attestors)
      table
          "workloadAttestorsVerification"
          Kind.SpireAgent
          (set verification (json "{}") (minimal Kind.SpireAgent))
          verificationRows ]

[<Tests>]
let tests = testList "SpireAgent" (tables |> List.map tableTests)
