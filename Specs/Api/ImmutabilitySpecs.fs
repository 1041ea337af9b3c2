module Ztwim.Specs.Api.ImmutabilitySpecs

open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Specs.Api.Examples

let private changed path message value = FieldError.admission path message value

/// One transition of a CR: from minimal plus `Before` to minimal plus `After`, and the violations it makes.
type Transition =
    { Name: string
      Kind: Kind
      Before: Json -> Json
      After: Json -> Json
      Violations: FieldError list }

let private transition (name: string) (kind: Kind) (before: Json -> Json) (after: Json -> Json) expected =
    { Name = name
      Kind = kind
      Before = before
      After = after
      Violations = expected }

let private transitionTest (t: Transition) =
    test t.Name {
        let doc = minimal t.Kind

        Expect.equal
            (Immutability.violations (parsed t.Kind (t.Before doc)) (parsed t.Kind (t.After doc)))
            t.Violations
            "violations"
    }

let private unchanged = id

let private federation (profile: string) (web: string) =
    set "spec.federation" (json (sprintf """{"bundleEndpoint": {"profile": "%s"%s}}""" profile web))

let private spiffe = federation "https_spiffe" ""

let private acme =
    federation
        "https_web"
        """, "httpsWeb": {"acme": {"directoryUrl": "https://acme.example.org", "domainName": "fed.example.org", "email": "admin@example.org", "tosAccepted": "true"}}"""

let private servingCert =
    federation "https_web" """, "httpsWeb": {"servingCert": {}}"""

let private ztwimTransitions =
    let kind = Kind.ZeroTrustWorkloadIdentityManager

    [ transition "nothing changed" kind unchanged unchanged []
      transition
          "trustDomain"
          kind
          unchanged
          (set "spec.trustDomain" (str "other.org"))
          [ changed "spec.trustDomain" "trustDomain is immutable and cannot be changed" (Some(str "other.org")) ]
      transition
          "clusterName"
          kind
          unchanged
          (set "spec.clusterName" (str "other"))
          [ changed "spec.clusterName" "clusterName is immutable and cannot be changed" (Some(str "other")) ]
      transition
          "bundleConfigMap"
          kind
          unchanged
          (set "spec.bundleConfigMap" (str "other-bundle"))
          [ changed
                "spec.bundleConfigMap"
                "bundleConfigMap is immutable and cannot be changed"
                (Some(str "other-bundle")) ]
      transition
          "bundleConfigMap: \"\" is the default"
          kind
          (set "spec.bundleConfigMap" (str ""))
          (set "spec.bundleConfigMap" (str "spire-bundle"))
          []
      transition "labels may change" kind unchanged (set "spec.labels" (json """{"a": "b"}""")) []
      transition
          "all three at once"
          kind
          unchanged
          (edits
              [ set "spec.trustDomain" (str "b.org")
                set "spec.clusterName" (str "b")
                set "spec.bundleConfigMap" (str "b") ])
          [ changed "spec.trustDomain" "trustDomain is immutable and cannot be changed" (Some(str "b.org"))
            changed "spec.clusterName" "clusterName is immutable and cannot be changed" (Some(str "b"))
            changed "spec.bundleConfigMap" "bundleConfigMap is immutable and cannot be changed" (Some(str "b")) ] ]

let private spireServerTransitions =
    let kind = Kind.SpireServer

    [ transition "nothing changed" kind unchanged unchanged []
      transition
          "mutable fields may change"
          kind
          unchanged
          (edits [ set "spec.logLevel" (str "debug"); set "spec.caValidity" (str "48h") ])
          []
      transition
          "persistence.size"
          kind
          unchanged
          (set "spec.persistence.size" (str "2Gi"))
          [ changed "spec.persistence.size" "spec.persistence.size is immutable" (Some(str "2Gi")) ]
      transition "persistence.size: the default written out" kind unchanged (set "spec.persistence.size" (str "1Gi")) []
      transition
          "persistence.accessMode"
          kind
          unchanged
          (set "spec.persistence.accessMode" (str "ReadWriteMany"))
          [ changed "spec.persistence.accessMode" "spec.persistence.accessMode is immutable" (Some(str "ReadWriteMany")) ]
      transition
          "persistence.storageClass"
          kind
          unchanged
          (set "spec.persistence.storageClass" (str "gp3-csi"))
          [ changed "spec.persistence.storageClass" "spec.persistence.storageClass is immutable" (Some(str "gp3-csi")) ]
      transition "federation may be added" kind unchanged spiffe []
      transition
          "federation cannot be removed"
          kind
          spiffe
          unchanged
          [ changed "spec.federation" "Federation configuration cannot be removed once set." None ]
      transition
          "the profile cannot change"
          kind
          spiffe
          servingCert
          [ changed
                "spec.federation.bundleEndpoint.profile"
                "profile is immutable and cannot be changed once set"
                (Some(str "https_web")) ]
      transition
          "acme cannot become servingCert"
          kind
          acme
          servingCert
          [ changed
                "spec.federation.bundleEndpoint.httpsWeb.acme"
                "cannot switch from acme to servingCert configuration"
                None ]
      transition
          "servingCert cannot become acme"
          kind
          servingCert
          acme
          [ changed
                "spec.federation.bundleEndpoint.httpsWeb.servingCert"
                "cannot switch from servingCert to acme configuration"
                None ]
      transition
          "peers and refreshHint may change"
          kind
          spiffe
          (spiffe
           >> set "spec.federation.bundleEndpoint.refreshHint" (num 600)
           >> set "spec.federation.managedRoute" (str "false"))
          [] ]

let private others =
    testList
        "other kinds have no immutable fields"
        [ yield!
              [ Kind.SpireAgent, set "spec.socketPath" (str "/var/run/spire")
                Kind.SpiffeCSIDriver, set "spec.pluginName" (str "csi.example.org")
                Kind.SpireOIDCDiscoveryProvider, set "spec.jwtIssuer" (str "https://other.example.org") ]
              |> List.map (fun (kind, edit) -> transitionTest (transition (Kind.name kind) kind unchanged edit []))
          test "two different kinds" {
              Expect.equal
                  (Immutability.violations
                      (parsed Kind.SpireAgent (minimal Kind.SpireAgent))
                      (parsed Kind.SpiffeCSIDriver (minimal Kind.SpiffeCSIDriver)))
                  []
                  "violations"
          } ]

/// Every transition of the kinds with immutable fields, with its expected violations.
let transitions = ztwimTransitions @ spireServerTransitions

[<Tests>]
let tests =
    testList
        "Immutability"
        [ testList "ZeroTrustWorkloadIdentityManager" (ztwimTransitions |> List.map transitionTest)
          testList "SpireServer" (spireServerTransitions |> List.map transitionTest)
          others ]
