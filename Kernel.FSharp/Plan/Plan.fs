namespace Ztwim.Kernel.Plan

open Ztwim.Kernel
open Ztwim.Kernel.Render

/// What planning looks at: the desired objects, the owned objects as observed, the component label values of
/// this controller (app.kubernetes.io/component) and whether create-only mode is on.
type PlanInput =
    { Desired: DesiredObject list
      Observed: Map<ObjectRef, Json>
      Component: string list
      CreateOnly: bool }

/// Turning desired and observed objects into actions.
[<RequireQualifiedAccess>]
module Plan =

    let private label (key: string) (json: Json) =
        json
        |> Json.tryField "metadata"
        |> Option.bind (Json.tryField "labels")
        |> Option.bind (Json.tryField key)

    let private managedByPath = sprintf "metadata.labels[%s]" Labels.managedByKey

    /// Whether an object carries our managed-by label.
    let isOurs (json: Json) =
        label Labels.managedByKey json = Some(Json.String Labels.operatorName)

    /// Why an object with our name but not our label is adopted.
    let private adoptReason (observed: Json) =
        match label Labels.managedByKey observed with
        | None
        | Some Json.Null -> managedByPath + " is missing"
        | Some _ -> managedByPath + " differs"

    let private ofComponent (components: string list) (json: Json) =
        match label Labels.componentKey json with
        | Some(Json.String c) -> List.contains c components
        | _ -> false

    /// The action for one desired manifest, if it needs one.
    let private forDesired (input: PlanInput) (r: ObjectRef) (desired: Json) =
        match Map.tryFind r input.Observed with
        | None -> Some(Create(r, desired))
        | Some _ when input.CreateOnly -> None
        | Some observed when not (isOurs observed) -> Some(Adopt(r, desired, adoptReason observed))
        | Some observed ->
            Subset.difference desired observed
            |> Option.map (fun d -> Apply(r, desired, Difference.describe d))

    /// The actions that bring the observed objects to the desired state: creates, applies and adoptions in
    /// desired order (the first manifest of a ref wins), then deletions of our orphans sorted by ref. A
    /// serving certificate is no action here, but its Secret counts as desired so that it is never pruned.
    let plan (input: PlanInput) : Action list =
        let manifests = DesiredObject.manifests input.Desired |> List.distinctBy fst
        let desiredRefs = input.Desired |> List.map DesiredObject.ref |> Set.ofList

        let writes =
            manifests |> List.choose (fun (r, desired) -> forDesired input r desired)

        let deletes =
            if input.CreateOnly then
                []
            else
                input.Observed
                |> Map.toList
                |> List.filter (fun (r, observed) ->
                    not (desiredRefs.Contains r)
                    && r.Kind <> "PersistentVolumeClaim"
                    && isOurs observed
                    && ofComponent input.Component observed)
                |> List.map (fun (r, _) -> Delete(r, "no longer desired"))

        writes @ deletes
