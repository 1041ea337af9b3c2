/// Everything the SpiffeCSIDriver controller renders for its CR.
[<RequireQualifiedAccess>]
module Ztwim.Kernel.Operands.SpiffeCSIDriver

open Ztwim.Kernel.Api
open Ztwim.Kernel.Render
open Ztwim.Kernel.Operands.Csi

/// The desired objects for the SpiffeCSIDriver CR, the ZeroTrustWorkloadIdentityManager spec and the Mode, in
/// upstream's order: SA, CSIDriver, SCC (OpenShift only), DaemonSet.
let desired (cr: Resource<SpiffeCSIDriverSpec>) (ztwim: ZtwimSpec) (mode: Mode) : DesiredObject list =
    ignore ztwim
    let spec = cr.Spec

    let context =
        { Namespace = mode.Namespace
          CustomLabels = spec.Common.Labels
          Owner =
            { Kind = Kind.SpiffeCSIDriver
              Uid = cr.Metadata.Uid } }

    let daemonSet =
        { DriverImage = mode.Images.SpiffeCsiDriver
          RegistrarImage = mode.Images.NodeDriverRegistrar
          InitImage = mode.Images.SpiffeCsiInitContainer
          PluginName = spec.PluginName
          AgentSocketPath = spec.AgentSocketPath
          Common = spec.Common }

    [ ServiceAccount.desired context
      CsiDriver.desired context spec.PluginName
      if mode.Platform = OpenShift then
          Scc.desired context
      CsiDaemonSet.desired context daemonSet ]
