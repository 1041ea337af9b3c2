namespace Ztwim.Kernel.Render

open Ztwim.Kernel

/// The DaemonSets of the node-level operands (the SPIRE agent and the SPIFFE CSI driver): one pod per node,
/// rolled one node at a time, selected by the component's name, instance and component labels.
[<RequireQualifiedAccess>]
module DaemonSet =

    /// A DaemonSet in the operator namespace, owned by the CR, with its own annotations and its pod template's;
    /// empty ones are left out.
    let create
        (p: Placement)
        (name: string)
        (c: Component)
        (annotations: Map<string, string>)
        (templateAnnotations: Map<string, string>)
        (podSpec: Json)
        =
        let labels = Labels.standard p.CustomLabels c

        Manifest.create
            "apps/v1"
            "DaemonSet"
            (Some p.Namespace)
            name
            labels
            annotations
            (Some p.Owner)
            [ "spec",
              Json.obj
                  [ "selector", Json.obj [ "matchLabels", Manifest.stringMap (Labels.selector c) ]
                    "updateStrategy",
                    Json.obj
                        [ "type", Json.str "RollingUpdate"
                          "rollingUpdate", Json.obj [ "maxUnavailable", Json.num 1 ] ]
                    "template",
                    Json.obj
                        [ "metadata",
                          Json.objOpt
                              [ "labels", Some(Manifest.stringMap labels)
                                "annotations",
                                (if templateAnnotations.IsEmpty then
                                     None
                                 else
                                     Some(Manifest.stringMap templateAnnotations)) ]
                          "spec", podSpec ] ] ]
