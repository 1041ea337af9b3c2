/// Everything the SpireAgent controller renders for its CR.
[<RequireQualifiedAccess>]
module Ztwim.Kernel.Operands.SpireAgent

open Ztwim.Kernel.Api
open Ztwim.Kernel.Render
open Ztwim.Kernel.Operands.Agent

/// The desired objects for the SpireAgent CR, the ZeroTrustWorkloadIdentityManager spec and the Mode, in
/// upstream's order: SA, Service, ClusterRole, ClusterRoleBinding, SCC (OpenShift only), ConfigMap, DaemonSet.
let desired (cr: Resource<SpireAgentSpec>) (ztwim: ZtwimSpec) (mode: Mode) : DesiredObject list =
    let spec = cr.Spec

    let context =
        { Namespace = mode.Namespace
          CustomLabels = spec.Common.Labels
          Owner =
            { Kind = Kind.SpireAgent
              Uid = cr.Metadata.Uid } }

    let conf = AgentConf.ofSpec mode.Namespace ztwim spec
    let text = AgentConf.render conf
    let applied = ConfigMap.applied conf ztwim.BundleConfigMap

    let daemonSet =
        { Image = mode.Images.SpireAgent
          BundleConfigMap = ztwim.BundleConfigMap
          SocketPath = spec.SocketPath
          KubeletCa = KubeletCa.ofVerification spec.WorkloadAttestors.Verification
          ConfigHash = Hash.ofText text
          Applied = applied
          Common = spec.Common }

    [ ServiceAccount.desired context
      Service.desired context
      Rbac.clusterRole context
      Rbac.clusterRoleBinding context
      if mode.Platform = OpenShift then
          Scc.desired context
      ConfigMap.desired context applied text
      AgentDaemonSet.desired context mode daemonSet ]
