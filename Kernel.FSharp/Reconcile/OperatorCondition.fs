namespace Ztwim.Kernel.Reconcile

open Ztwim.Kernel

/// The Upgradeable condition, mirrored onto OLM's OperatorCondition (named by OPERATOR_CONDITION_NAME) as
/// upstream reports it: OLM reads an operator's `spec.conditions` there to hold back an upgrade while, say,
/// create-only mode is on. The ZTWIM's status carries the same condition for everyone else.
[<RequireQualifiedAccess>]
module OperatorCondition =

    let apiVersion = "operators.coreos.com/v2"
    let kind = "OperatorCondition"

    let private conditionsAt (path: string list) (json: Json) =
        path
        |> List.fold (fun node field -> node |> Option.bind (Json.tryField field)) (Some json)
        |> function
            | Some(Json.Array items) -> items
            | _ -> []

    let private typeOf (c: Json) = Json.tryField "type" c

    // What OLM acts on; the time is carried along, but a new time alone is no reason to write.
    let private meaning (c: Json) =
        [ "type"; "status"; "reason"; "message" ]
        |> List.map (fun f -> Json.tryField f c)

    /// The apply body that puts the ZTWIM status's Upgradeable condition into the observed OperatorCondition's
    /// `spec.conditions` (keeping any other condition there), or None when it already says the same.
    let mirror (ztwimStatus: Json) (observed: Json) : Json option =
        let upgradeable = Some(Json.String "Upgradeable")

        match
            conditionsAt [ "conditions" ] ztwimStatus
            |> List.tryFind (fun c -> typeOf c = upgradeable)
        with
        | None -> None
        | Some wanted ->
            let present = conditionsAt [ "spec"; "conditions" ] observed
            let others = present |> List.filter (fun c -> typeOf c <> upgradeable)

            let mirrored =
                Json.objOpt
                    [ for f in [ "type"; "status"; "reason"; "message"; "lastTransitionTime" ] ->
                          f, Json.tryField f wanted ]

            let current = present |> List.tryFind (fun c -> typeOf c = upgradeable)

            if current |> Option.map meaning = Some(meaning mirrored) then
                None
            else
                let meta field =
                    observed |> Json.tryField "metadata" |> Option.bind (Json.tryField field)

                Some(
                    Json.obj
                        [ "apiVersion", Json.String apiVersion
                          "kind", Json.String kind
                          "metadata", Json.objOpt [ "name", meta "name"; "namespace", meta "namespace" ]
                          "spec", Json.obj [ "conditions", Json.Array(others @ [ mirrored ]) ] ]
                )
