/// Everything the SpireServer controller renders for its CR.
[<RequireQualifiedAccess>]
module Ztwim.Kernel.Operands.SpireServer

open Ztwim.Kernel.Api
open Ztwim.Kernel.Render
open Ztwim.Kernel.Operands.Server

/// The desired objects for the SpireServer CR, the ZeroTrustWorkloadIdentityManager spec and the Mode, in
/// upstream's reconcile order.
let desired (cr: Resource<SpireServerSpec>) (ztwim: ZtwimSpec) (mode: Mode) : DesiredObject list =
    let s = Scope.ofResource cr ztwim mode
    let serverConf = ServerConf.text s
    let controllerManagerConf = ControllerManagerConf.text s

    [ [ ServiceAccount.render s ]
      Services.server s
      [ Services.webhook s ]
      Rbac.server s
      Rbac.bundle s
      Rbac.controllerManager s
      Rbac.leaderElection s
      Rbac.externalCert s
      [ Webhook.render s
        ServerConf.configMap s serverConf
        ControllerManagerConf.configMap s controllerManagerConf
        BundleConfigMap.render s
        StatefulSet.render s serverConf controllerManagerConf ]
      FederationRoute.render s ]
    |> List.concat
