namespace Ztwim.Kernel.Api

open Ztwim.Kernel

/// The settings every kind inlines into its spec: extra labels for the operand objects, and the
/// scheduling and resources of its pods.
type CommonConfig =
    { Labels: Map<string, string>
      Resources: ResourceRequirements option
      Affinity: Affinity option
      Tolerations: Toleration list
      NodeSelector: Map<string, string> }

/// Reading and printing CommonConfig.
[<RequireQualifiedAccess>]
module CommonConfig =

    let empty =
        { Labels = Map.empty
          Resources = None
          Affinity = None
          Tolerations = []
          NodeSelector = Map.empty }

    // Label keys and values follow metav1's ValidateLabels; the schema only limits the count.
    let private labelMap (n: Node) (maxEntries: int) : Validated<Map<string, string>> =
        Read.stringMap n
        |> Read.maxEntries n maxEntries
        |> Validated.check (fun entries ->
            entries
            |> List.collect (fun (node, v) ->
                let key = node.Path.Substring(n.Path.Length + 1)

                Validated.errorsOf
                    [ Names.qualifiedName key
                      |> Option.map (fun m -> FieldError.controller node.Path ("key " + m) (Some(Json.String key)))
                      Names.labelValue v |> Option.map (Read.controllerError node) ]))
        |> Result.map (
            List.map (fun (node, v) -> node.Path.Substring(n.Path.Length + 1), v)
            >> Map.ofList
        )

    /// Reads the CommonConfig fields of a spec node.
    let read (spec: Node) : Validated<CommonConfig> =
        let tolerations = Read.field "tolerations" spec

        validated {
            let! labels = labelMap (Read.field "labels" spec) 64
            and! resources = ResourceRequirements.read (Read.field "resources" spec)
            and! affinity = Affinity.read (Read.field "affinity" spec)

            and! tolerations =
                Read.items tolerations
                |> Read.maxItems tolerations 50
                |> Result.bind (List.map Toleration.read >> Validated.sequence)

            and! nodeSelector = labelMap (Read.field "nodeSelector" spec) 50

            return
                { Labels = labels
                  Resources = resources
                  Affinity = affinity
                  Tolerations = tolerations
                  NodeSelector = nodeSelector }
        }

    let private stringMap (m: Map<string, string>) =
        if m.IsEmpty then
            None
        else
            Some(Json.Object(m |> Map.map (fun _ v -> Json.String v)))

    /// The CommonConfig members of a spec, to merge with the kind's own.
    let print (c: CommonConfig) : (string * Json option) list =
        [ "labels", stringMap c.Labels
          "resources", c.Resources |> Option.map ResourceRequirements.print
          "affinity", c.Affinity |> Option.map Affinity.print
          "tolerations",
          (if c.Tolerations.IsEmpty then
               None
           else
               Some(Json.Array(c.Tolerations |> List.map Toleration.print)))
          "nodeSelector", stringMap c.NodeSelector ]
