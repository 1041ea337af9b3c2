/// SpireServer's objects against what the upstream operator sent, with every deliberate difference listed.
module Ztwim.Specs.Render.UpstreamSpireServerSpecs

open Expecto
open Ztwim.Kernel.Api
open Ztwim.Specs.Render.Upstream

/// The differences ARCHITECTURE.md makes on purpose for this operand, each with its path and reason.
let allowances: Allowance list =
    [ { Kind = "Service"
        Name = "spire-controller-manager-webhook"
        Path = "spec.selector.app.kubernetes.io/name"
        Reason =
          "ARCHITECTURE.md: upstream selects name=spire-controller-manager, which matches no pod; ztwim selects the "
          + "spire-server StatefulSet pod, which runs the controller manager" }
      { Kind = "ConfigMap"
        Name = "spire-server"
        Path = "metadata.annotations.ztwim.openshift.io/applied-*"
        Reason =
          "issue 3: the server ConfigMap records the immutable trustDomain, clusterName and bundleConfigMap "
          + "(and federation profile) it embodies in ztwim.openshift.io/applied-* annotations; upstream has none" }
      { Kind = "StatefulSet"
        Name = "spire-server"
        Path = "metadata.annotations.ztwim.openshift.io/applied-*"
        Reason =
          "issue 3: the StatefulSet records the immutable persistence settings it embodies in "
          + "ztwim.openshift.io/applied-persistence, and (issue 4) server.conf's applied values, so that a lost "
          + "ConfigMap cannot hide a change to them; upstream has no annotations on it" } ]

[<Tests>]
let tests =
    testList "upstream differential" (differential Kind.SpireServer allowances)
