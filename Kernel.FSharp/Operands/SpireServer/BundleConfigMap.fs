/// The bundle ConfigMap (ztwim's bundleConfigMap): created empty; SPIRE's k8sbundle notifier fills it and
/// the agents read the trust bundle from it.
[<RequireQualifiedAccess>]
module Ztwim.Kernel.Operands.Server.BundleConfigMap

/// The empty ConfigMap named by bundleConfigMap (no data: the notifier owns it).
let render (s: Scope) =
    Scope.namespaced s "v1" "ConfigMap" s.Ztwim.BundleConfigMap (Scope.serverLabels s) Map.empty []
