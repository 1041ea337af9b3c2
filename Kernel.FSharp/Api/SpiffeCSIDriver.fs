namespace Ztwim.Kernel.Api

open Ztwim.Kernel

/// SpiffeCSIDriver `cluster`: the CSI driver that mounts the agent's Workload API socket into pods.
type SpiffeCSIDriverSpec =
    { AgentSocketPath: string
      PluginName: string
      Common: CommonConfig }

/// Reading and printing the SpiffeCSIDriver spec.
[<RequireQualifiedAccess>]
module SpiffeCSIDriverSpec =

    let socketPathPattern = "^/[a-zA-Z0-9._/\\-]*$"
    let defaultSocketPath = "/run/spire/agent-sockets"
    let dnsNamePattern = "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"
    let defaultPluginName = "csi.spiffe.io"

    /// An absolute host directory for the agent socket (shared with SpireAgent.spec.socketPath).
    let socketPath (n: Node) =
        Read.string n
        |> Read.maxLength n 256
        |> Read.pattern n socketPathPattern
        |> Read.orDefault defaultSocketPath

    /// A CSI driver name (pluginName here, csiDriverName on the OIDC provider).
    let driverName (n: Node) =
        Read.string n
        |> Read.maxLength n 127
        |> Read.pattern n dnsNamePattern
        |> Read.orDefault defaultPluginName

    let read (spec: Node) : Validated<SpiffeCSIDriverSpec> =
        validated {
            let! socket = socketPath (Read.field "agentSocketPath" spec)
            and! plugin = driverName (Read.field "pluginName" spec)
            and! common = CommonConfig.read spec

            return
                { AgentSocketPath = socket
                  PluginName = plugin
                  Common = common }
        }

    let print (s: SpiffeCSIDriverSpec) =
        Json.objOpt (
            [ "agentSocketPath", Some(Json.String s.AgentSocketPath)
              "pluginName", Some(Json.String s.PluginName) ]
            @ CommonConfig.print s.Common
        )
