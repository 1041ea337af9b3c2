namespace Ztwim.Kernel.Api

open Ztwim.Kernel

/// A dynamic resource claim a container may use.
type ResourceClaim =
    { Name: string; Request: string option }

/// corev1.ResourceRequirements: limits and requests by resource name.
type ResourceRequirements =
    { Limits: Map<string, Quantity>
      Requests: Map<string, Quantity>
      Claims: ResourceClaim list }

/// Reading, checking and printing resource requirements.
[<RequireQualifiedAccess>]
module ResourceRequirements =

    let empty =
        { Limits = Map.empty
          Requests = Map.empty
          Claims = [] }

    // int-or-string: the schema accepts `cpu: 1` as well as `cpu: "1"`.
    let private quantity (n: Node) : Validated<Quantity> =
        match n.Value with
        | Some(Json.Number d) when d = System.Math.Truncate d ->
            Quantity.parse (JsonText.number d)
            |> Result.mapError (fun m -> [ Read.error n m ])
        | Some(Json.String s) -> Quantity.parse s |> Result.mapError (fun m -> [ Read.error n m ])
        | Some other ->
            Error
                [ Read.error
                      n
                      (sprintf
                          "must be a quantity: a string such as 500m or 1Gi, or an integer; not %s"
                          (Json.typeName other)) ]
        | None -> Error [ Read.error n "must be a quantity, not null" ]

    let private resourceList (n: Node) : Validated<Map<string, Quantity>> =
        Read.object n
        |> Result.bind (fun m ->
            m
            |> Option.defaultValue Map.empty
            |> Map.toList
            |> List.map (fun (k, _) ->
                let child = Read.field k n

                let name =
                    match Names.qualifiedName k with
                    | Some m ->
                        Error [ FieldError.controller child.Path ("resource name " + m) (Some(Json.String k)) ]
                    | None -> Ok k

                Validated.map2 (fun k q -> k, q) name (quantity child))
            |> Validated.sequence
            |> Result.map Map.ofList)

    let private claim (n: Node) : Validated<ResourceClaim> =
        Read.object n
        |> Result.bind (fun _ ->
            validated {
                let! name = Read.string (Read.field "name" n) |> Read.required (Read.field "name" n)
                and! request = Read.optionalString (Read.field "request" n)
                return { Name = name; Request = request }
            })

    // As the Kubernetes validators: quantities are not negative and a request does not exceed its limit.
    let private rules (n: Node) (r: ResourceRequirements) =
        let negative which (m: Map<string, Quantity>) =
            m
            |> Map.toList
            |> List.filter (fun (_, q) -> q.Value < 0m)
            |> List.map (fun (k, q) ->
                FieldError.controller
                    (sprintf "%s.%s.%s" n.Path which k)
                    "must be greater than or equal to 0"
                    (Some(Json.String q.Text)))

        let overLimit =
            r.Requests
            |> Map.toList
            |> List.choose (fun (k, req) ->
                match Map.tryFind k r.Limits with
                | Some limit when req.Value > limit.Value ->
                    Some(
                        FieldError.controller
                            (sprintf "%s.requests.%s" n.Path k)
                            (sprintf "must be less than or equal to the %s limit of %s" k limit.Text)
                            (Some(Json.String req.Text))
                    )
                | _ -> None)

        negative "limits" r.Limits @ negative "requests" r.Requests @ overLimit

    let read (n: Node) : Validated<ResourceRequirements option> =
        match n.Value with
        | None -> Ok None
        | Some _ ->
            validated {
                let! _ = Read.object n
                and! limits = resourceList (Read.field "limits" n)
                and! requests = resourceList (Read.field "requests" n)

                and! claims =
                    Read.items (Read.field "claims" n)
                    |> Result.bind (List.map claim >> Validated.sequence)

                return
                    { Limits = limits
                      Requests = requests
                      Claims = claims }
            }
            |> Validated.check (rules n)
            |> Result.map Some

    let private printList (m: Map<string, Quantity>) =
        if m.IsEmpty then
            None
        else
            Some(Json.Object(m |> Map.map (fun _ q -> Json.String q.Text)))

    let print (r: ResourceRequirements) =
        Json.objOpt
            [ "limits", printList r.Limits
              "requests", printList r.Requests
              "claims",
              (if r.Claims.IsEmpty then
                   None
               else
                   r.Claims
                   |> List.map (fun c ->
                       Json.objOpt
                           [ "name", Some(Json.String c.Name)
                             "request", c.Request |> Option.map Json.String ])
                   |> Json.Array
                   |> Some) ]
