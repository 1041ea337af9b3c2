/// Everything the SpireOIDCDiscoveryProvider controller renders for its CR.
[<RequireQualifiedAccess>]
module Ztwim.Kernel.Operands.SpireOIDCDiscoveryProvider

open Ztwim.Kernel.Api
open Ztwim.Kernel.Render
open Ztwim.Kernel.Operands.Oidc

/// The desired objects for the SpireOIDCDiscoveryProvider CR, the ZeroTrustWorkloadIdentityManager spec and the Mode.
let desired (cr: Resource<SpireOIDCDiscoveryProviderSpec>) (ztwim: ZtwimSpec) (mode: Mode) : DesiredObject list =
    let spec = cr.Spec

    let placement =
        { Namespace = mode.Namespace
          CustomLabels = spec.Common.Labels
          Owner =
            { Kind = Kind.SpireOIDCDiscoveryProvider
              Uid = cr.Metadata.Uid } }

    let config =
        { Namespace = mode.Namespace
          TrustDomain = ztwim.TrustDomain
          JwtIssuer = spec.JwtIssuer
          LogLevel = spec.LogLevel
          LogFormat = spec.LogFormat }

    let deployment =
        { Replicas = spec.ReplicaCount
          Image = mode.Images.SpireOidcDiscoveryProvider
          CsiDriverName = spec.CsiDriverName
          ConfigHash = DiscoveryConfig.hash config
          Applied = DiscoveryConfig.applied config
          Common = spec.Common }

    // Plain Kubernetes has no Route API; managedRoute "false" leaves the exposure to the user.
    let route =
        match mode.Platform with
        | OpenShift when spec.ManagedRoute ->
            [ Route.render
                  { JwtIssuer = spec.JwtIssuer
                    ExternalSecretRef = spec.ExternalSecretRef }
                  placement ]
        | _ -> []

    // Upstream's order: SA, Service, ClusterSPIFFEIDs, ConfigMap, Deployment, external-cert RBAC, Route.
    [ ServiceAccount.render placement ]
    @ Service.render mode placement
    @ [ ClusterSpiffeIds.oidc placement
        ClusterSpiffeIds.fallback placement
        DiscoveryConfig.render config placement
        Deployment.render mode deployment placement ]
    @ ExternalCertReader.render spec.ExternalSecretRef placement
    @ route
