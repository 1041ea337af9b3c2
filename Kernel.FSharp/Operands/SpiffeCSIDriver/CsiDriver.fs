/// The CSIDriver object that registers the SPIFFE driver with the kubelet under the plugin name.
[<RequireQualifiedAccess>]
module Ztwim.Kernel.Operands.Csi.CsiDriver

open Ztwim.Kernel
open Ztwim.Kernel.Render

/// The label that lets OpenShift's CSI volume admission accept the driver's inline ephemeral volumes in
/// namespaces with the restricted pod security profile.
let ephemeralProfileLabel = "security.openshift.io/csi-ephemeral-volume-profile"

/// CSIDriver `<pluginName>`: inline ephemeral volumes only, no attach, pod info on mount, no fsGroup handling.
/// The profile label is set after the standard ones, so a custom label of that key cannot override it.
let desired (c: Placement) (pluginName: string) : DesiredObject =
    Manifest.create
        "storage.k8s.io/v1"
        "CSIDriver"
        None
        pluginName
        (Context.labels c |> Map.add ephemeralProfileLabel "restricted")
        Map.empty
        (Some c.Owner)
        [ "spec",
          Json.obj
              [ "attachRequired", Json.Bool false
                "podInfoOnMount", Json.Bool true
                "fsGroupPolicy", Json.str "None"
                "volumeLifecycleModes", Json.arr [ Json.str "Ephemeral" ] ] ]
