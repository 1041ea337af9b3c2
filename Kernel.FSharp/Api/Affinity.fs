namespace Ztwim.Kernel.Api

open Ztwim.Kernel

type SelectorOperator =
    | In
    | NotIn
    | Exists
    | DoesNotExist
    | Gt
    | Lt

/// One `key operator values` requirement of a label or node selector.
type SelectorRequirement =
    { Key: string
      Operator: SelectorOperator
      Values: string list }

type LabelSelector =
    { MatchLabels: Map<string, string>
      MatchExpressions: SelectorRequirement list }

type NodeSelectorTerm =
    { MatchExpressions: SelectorRequirement list
      MatchFields: SelectorRequirement list }

type WeightedNodeSelectorTerm =
    { Weight: int64
      Preference: NodeSelectorTerm }

type NodeAffinity =
    { Required: NodeSelectorTerm list option
      Preferred: WeightedNodeSelectorTerm list }

type PodAffinityTerm =
    { LabelSelector: LabelSelector option
      NamespaceSelector: LabelSelector option
      Namespaces: string list
      TopologyKey: string
      MatchLabelKeys: string list
      MismatchLabelKeys: string list }

type WeightedPodAffinityTerm =
    { Weight: int64
      PodAffinityTerm: PodAffinityTerm }

type PodAffinity =
    { Required: PodAffinityTerm list
      Preferred: WeightedPodAffinityTerm list }

/// corev1.Affinity, with the shape rules of Kubernetes' ValidateAffinity.
type Affinity =
    { NodeAffinity: NodeAffinity option
      PodAffinity: PodAffinity option
      PodAntiAffinity: PodAffinity option }

/// Reading, checking and printing affinity.
[<RequireQualifiedAccess>]
module Affinity =

    let private labelOperators =
        [ "In", In; "NotIn", NotIn; "Exists", Exists; "DoesNotExist", DoesNotExist ]

    let private nodeOperators = labelOperators @ [ "Gt", Gt; "Lt", Lt ]

    let private stringList (n: Node) : Validated<string list> =
        Read.items n
        |> Result.bind (List.map (fun i -> Read.string i |> Read.required i) >> Validated.sequence)

    let private listOf (read: Node -> Validated<'a>) (n: Node) : Validated<'a list> =
        Read.items n |> Result.bind (List.map read >> Validated.sequence)

    // A member the schema requires (weighted terms need their term): absent is one error, not its members' too.
    let private requiredMember (read: Node -> Validated<'a>) (n: Node) : Validated<'a> =
        Read.present n |> Result.bind (fun () -> read n)

    let private requirement (operators: (string * SelectorOperator) list) (n: Node) : Validated<SelectorRequirement> =
        let at name = Read.field name n

        Read.object n
        |> Result.bind (fun _ ->
            validated {
                let! key = Read.string (at "key") |> Read.required (at "key")
                // The operator is a plain string in the schema; its values are the controller's rule.
                and! op =
                    Read.string (at "operator")
                    |> Read.required (at "operator")
                    |> Result.bind (fun o ->
                        Read.enum (at "operator") operators (Ok(Some o))
                        |> Result.mapError (List.map (fun e -> { e with Enforcement = ByController })))
                    |> Result.map Option.get

                and! values = stringList (at "values")

                return
                    { Key = key
                      Operator = op
                      Values = values }
            })
        |> Validated.check (fun r ->
            Validated.errorsOf
                [ Names.qualifiedName r.Key |> Option.map (Read.controllerError (at "key"))
                  (match r.Operator, r.Values with
                   | (In | NotIn), [] ->
                       Some(Read.controllerError (at "values") "must be specified when operator is In or NotIn")
                   | (Exists | DoesNotExist), _ :: _ ->
                       Some(
                           Read.controllerError
                               (at "values")
                               "may not be specified when operator is Exists or DoesNotExist"
                       )
                   | (Gt | Lt), [ v ] when not (fst (System.Int64.TryParse v)) ->
                       Some(Read.controllerError (at "values") "must be an integer when operator is Gt or Lt")
                   | (Gt | Lt), vs when vs.Length <> 1 ->
                       Some(Read.controllerError (at "values") "must have exactly one value when operator is Gt or Lt")
                   | _ -> None) ])

    let private labelSelector (n: Node) : Validated<LabelSelector option> =
        match n.Value with
        | None -> Ok None
        | Some _ ->
            validated {
                let! _ = Read.object n
                and! labels = Read.stringMap (Read.field "matchLabels" n)
                and! exprs = listOf (requirement labelOperators) (Read.field "matchExpressions" n)

                return
                    Some
                        { MatchLabels =
                            labels
                            |> List.map (fun (node, v) ->
                                node.Path.Substring(node.Path.LastIndexOf ".matchLabels." + 13), v)
                            |> Map.ofList
                          MatchExpressions = exprs }
            }
            |> Validated.check (fun s ->
                s
                |> Option.map (fun s ->
                    s.MatchLabels
                    |> Map.toList
                    |> List.collect (fun (k, v) ->
                        let at = Read.field k (Read.field "matchLabels" n)

                        Validated.errorsOf
                            [ Names.qualifiedName k
                              |> Option.map (fun m -> FieldError.controller at.Path m (Some(Json.String k)))
                              Names.labelValue v |> Option.map (Read.controllerError at) ]))
                |> Option.defaultValue [])

    let private nodeSelectorTerm (n: Node) : Validated<NodeSelectorTerm> =
        validated {
            let! _ = Read.object n
            and! exprs = listOf (requirement nodeOperators) (Read.field "matchExpressions" n)
            and! fields = listOf (requirement nodeOperators) (Read.field "matchFields" n)

            return
                { MatchExpressions = exprs
                  MatchFields = fields }
        }

    let private weight (n: Node) =
        Read.integer n
        |> Read.required n
        |> Result.map Some
        |> Read.range n 1L 100L
        |> Result.mapError (
            List.map (fun e ->
                { e with
                    Enforcement =
                        if e.Message.StartsWith "must be between" then
                            ByController
                        else
                            e.Enforcement })
        )
        |> Result.map Option.get

    /// `preferredDuringSchedulingIgnoredDuringExecution`: weighted terms, the term under `termName`.
    let private preferredTerms
        (termName: string)
        (readTerm: Node -> Validated<'t>)
        (make: int64 -> 't -> 'w)
        (n: Node)
        : Validated<'w list> =
        listOf
            (fun p ->
                Read.object p
                |> Result.bind (fun _ ->
                    validated {
                        let! w = weight (Read.field "weight" p)
                        and! t = requiredMember readTerm (Read.field termName p)
                        return make w t
                    }))
            (Read.field "preferredDuringSchedulingIgnoredDuringExecution" n)

    let private nodeAffinity (n: Node) : Validated<NodeAffinity option> =
        match n.Value with
        | None -> Ok None
        | Some _ ->
            let required = Read.field "requiredDuringSchedulingIgnoredDuringExecution" n

            validated {
                let! _ = Read.object n

                and! req =
                    match required.Value with
                    | None -> Ok None
                    | Some _ ->
                        let terms = Read.field "nodeSelectorTerms" required

                        // The schema requires the member; an empty list is the controller's rule.
                        Read.object required
                        |> Result.bind (fun _ -> Read.present terms)
                        |> Result.bind (fun _ -> listOf nodeSelectorTerm terms)
                        |> Validated.check (fun ts ->
                            if ts.IsEmpty then
                                [ Read.controllerError terms "must have at least one term" ]
                            else
                                [])
                        |> Result.map Some

                and! preferred =
                    preferredTerms "preference" nodeSelectorTerm (fun w t -> { Weight = w; Preference = t }) n

                return
                    Some
                        { Required = req
                          Preferred = preferred }
            }

    let private podAffinityTerm (n: Node) : Validated<PodAffinityTerm> =
        let at name = Read.field name n

        Read.object n
        |> Result.bind (fun _ ->
            validated {
                let! selector = labelSelector (at "labelSelector")
                and! nsSelector = labelSelector (at "namespaceSelector")
                and! namespaces = stringList (at "namespaces")
                // The schema requires the member; an empty key is the controller's rule, as in Kubernetes.
                and! topologyKey = Read.string (at "topologyKey") |> Read.required (at "topologyKey")
                and! matchKeys = stringList (at "matchLabelKeys")
                and! mismatchKeys = stringList (at "mismatchLabelKeys")

                return
                    { LabelSelector = selector
                      NamespaceSelector = nsSelector
                      Namespaces = namespaces
                      TopologyKey = topologyKey
                      MatchLabelKeys = matchKeys
                      MismatchLabelKeys = mismatchKeys }
            })
        |> Validated.check (fun t ->
            Validated.errorsOf
                [ (if t.TopologyKey = "" then
                       Some(Read.controllerError (at "topologyKey") "must not be empty")
                   else
                       Names.qualifiedName t.TopologyKey
                       |> Option.map (Read.controllerError (at "topologyKey"))) ])

    let private podAffinity (n: Node) : Validated<PodAffinity option> =
        match n.Value with
        | None -> Ok None
        | Some _ ->
            validated {
                let! _ = Read.object n
                and! req = listOf podAffinityTerm (Read.field "requiredDuringSchedulingIgnoredDuringExecution" n)

                and! preferred =
                    preferredTerms "podAffinityTerm" podAffinityTerm (fun w t -> { Weight = w; PodAffinityTerm = t }) n

                return
                    Some
                        { Required = req
                          Preferred = preferred }
            }

    let read (n: Node) : Validated<Affinity option> =
        match n.Value with
        | None -> Ok None
        | Some _ ->
            validated {
                let! _ = Read.object n
                and! node = nodeAffinity (Read.field "nodeAffinity" n)
                and! pod = podAffinity (Read.field "podAffinity" n)
                and! anti = podAffinity (Read.field "podAntiAffinity" n)

                return
                    Some
                        { NodeAffinity = node
                          PodAffinity = pod
                          PodAntiAffinity = anti }
            }

    let private strings (xs: string list) =
        if xs.IsEmpty then
            None
        else
            Some(Json.Array(xs |> List.map Json.String))

    let private list (print: 'a -> Json) (xs: 'a list) =
        if xs.IsEmpty then
            None
        else
            Some(Json.Array(xs |> List.map print))

    let private printRequirement (operators: (string * SelectorOperator) list) (r: SelectorRequirement) =
        Json.objOpt
            [ "key", Some(Json.String r.Key)
              "operator", Some(Json.String(Scalars.spell operators r.Operator))
              "values", strings r.Values ]

    let private printLabelSelector (s: LabelSelector) =
        Json.objOpt
            [ "matchLabels",
              (if s.MatchLabels.IsEmpty then
                   None
               else
                   Some(Json.Object(s.MatchLabels |> Map.map (fun _ v -> Json.String v))))
              "matchExpressions", list (printRequirement labelOperators) s.MatchExpressions ]

    let private printTerm (t: NodeSelectorTerm) =
        Json.objOpt
            [ "matchExpressions", list (printRequirement nodeOperators) t.MatchExpressions
              "matchFields", list (printRequirement nodeOperators) t.MatchFields ]

    let private printPodTerm (t: PodAffinityTerm) =
        Json.objOpt
            [ "labelSelector", t.LabelSelector |> Option.map printLabelSelector
              "namespaceSelector", t.NamespaceSelector |> Option.map printLabelSelector
              "namespaces", strings t.Namespaces
              "topologyKey", Some(Json.String t.TopologyKey)
              "matchLabelKeys", strings t.MatchLabelKeys
              "mismatchLabelKeys", strings t.MismatchLabelKeys ]

    let private printPodAffinity (p: PodAffinity) =
        Json.objOpt
            [ "requiredDuringSchedulingIgnoredDuringExecution", list printPodTerm p.Required
              "preferredDuringSchedulingIgnoredDuringExecution",
              list
                  (fun (w: WeightedPodAffinityTerm) ->
                      Json.obj
                          [ "weight", Json.Number(decimal w.Weight)
                            "podAffinityTerm", printPodTerm w.PodAffinityTerm ])
                  p.Preferred ]

    let print (a: Affinity) =
        Json.objOpt
            [ "nodeAffinity",
              a.NodeAffinity
              |> Option.map (fun na ->
                  Json.objOpt
                      [ "requiredDuringSchedulingIgnoredDuringExecution",
                        na.Required
                        |> Option.map (fun ts ->
                            Json.obj [ "nodeSelectorTerms", Json.Array(ts |> List.map printTerm) ])
                        "preferredDuringSchedulingIgnoredDuringExecution",
                        list
                            (fun (w: WeightedNodeSelectorTerm) ->
                                Json.obj
                                    [ "weight", Json.Number(decimal w.Weight)
                                      "preference", printTerm w.Preference ])
                            na.Preferred ])
              "podAffinity", a.PodAffinity |> Option.map printPodAffinity
              "podAntiAffinity", a.PodAntiAffinity |> Option.map printPodAffinity ]
