/// SpireAgent's objects against what the upstream operator sent, with every deliberate difference listed.
module Ztwim.Specs.Render.UpstreamSpireAgentSpecs

open Expecto
open Ztwim.Kernel.Api
open Ztwim.Specs.Render.Upstream

/// The differences ARCHITECTURE.md makes on purpose for this operand, each with its path and reason.
let allowances: Allowance list =
    let applied field =
        { Kind = "ConfigMap"
          Name = "spire-agent"
          Path = "metadata.annotations.ztwim.openshift.io/applied-" + field
          Reason =
            "ztwim records the immutable values the agent embodies (agent.conf, the mounted bundle ConfigMap) on the "
            + "ConfigMap itself (issue 3), so that the kernel can read back what the agent runs with; upstream keeps "
            + "no such record" }

    [ applied "trustDomain"
      applied "clusterName"
      applied "bundleConfigMap"
      { Kind = "DaemonSet"
        Name = "spire-agent"
        Path = "metadata.annotations.ztwim.openshift.io/applied-*"
        Reason =
          "issue 4: the DaemonSet records the same immutable values, so that a lost ConfigMap cannot hide a "
          + "change to them; upstream has no annotations on it" }
      { Kind = "Service"
        Name = "spire-agent"
        Path = "spec.ports[*].protocol"
        Reason =
          "set by the API server (default TCP); upstream leaves the protocol unset (OPERANDS.md §2) and copied "
          + "the live value back before its update" } ]

[<Tests>]
let tests =
    testList "upstream differential" (differential Kind.SpireAgent allowances)
