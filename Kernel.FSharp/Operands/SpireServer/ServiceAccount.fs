/// ServiceAccount spire-server: the identity of the SPIRE server pod and its controller manager.
[<RequireQualifiedAccess>]
module Ztwim.Kernel.Operands.Server.ServiceAccount

/// The ServiceAccount spire-server (upstream sets nothing beyond metadata).
let render (s: Scope) =
    Scope.namespaced s "v1" "ServiceAccount" Scope.serverName (Scope.serverLabels s) Map.empty []
