/// SpireOIDCDiscoveryProvider's objects against what the upstream operator sent, with every deliberate difference listed.
module Ztwim.Specs.Render.UpstreamSpireOIDCDiscoveryProviderSpecs

open Expecto
open Ztwim.Kernel.Api
open Ztwim.Specs.Render.Upstream

/// The differences ARCHITECTURE.md makes on purpose for this operand, each with its path and reason.
let allowances: Allowance list =
    [ { Kind = "Route"
        Name = "spire-oidc-discovery-provider"
        Path = "metadata.ownerReferences"
        Reason =
          "ARCHITECTURE.md: Routes are owned by their CR, so that they go with it and orphans can be pruned; upstream's have no owner" }
      { Kind = "ConfigMap"
        Name = "spire-spiffe-oidc-discovery-provider"
        Path = "metadata.annotations.ztwim.openshift.io/applied-*"
        Reason =
          "issue 3: the OIDC ConfigMap records the trust domain it embodies in ztwim.openshift.io/applied-trustDomain (immutability); upstream has no such annotation" }
      { Kind = "Deployment"
        Name = "spire-spiffe-oidc-discovery-provider"
        Path = "metadata.annotations.ztwim.openshift.io/applied-*"
        Reason =
          "issue 4: the Deployment records the trust domain of the config it runs too, so that a lost ConfigMap "
          + "cannot hide a trust domain change; upstream has no such annotation" } ]

[<Tests>]
let tests =
    testList "upstream differential" (differential Kind.SpireOIDCDiscoveryProvider allowances)
