namespace Ztwim.Kernel.Plan

open Ztwim.Kernel
open Ztwim.Kernel.Render

/// One write the applier performs. `Create` and `Apply` carry the desired JSON (for `Apply`, server-side apply
/// with only our fields); `Adopt` is an apply to an object with our name but not our managed-by label, which
/// relabels it; `Delete` prunes an object we labelled that is no longer desired.
type Action =
    | Create of ObjectRef * Json
    | Apply of ObjectRef * Json * reason: string
    | Adopt of ObjectRef * Json * reason: string
    | Delete of ObjectRef * reason: string

/// Reading and printing actions.
[<RequireQualifiedAccess>]
module Action =

    /// The object an action writes.
    let ref (a: Action) =
        match a with
        | Create(r, _)
        | Apply(r, _, _)
        | Adopt(r, _, _)
        | Delete(r, _) -> r

    /// Whether the action writes to the cluster: every case does today. The match names each case so that a
    /// case that does not write (added later) has to say so here.
    let isWrite (a: Action) =
        match a with
        | Create _
        | Apply _
        | Adopt _
        | Delete _ -> true

    /// Whether the action changes an object that already exists: what create-only mode forbids.
    let touchesExisting (a: Action) =
        match a with
        | Create _ -> false
        | Apply _
        | Adopt _
        | Delete _ -> true

    /// The JSON the applier sends, if the action sends any.
    let body (a: Action) =
        match a with
        | Create(_, j)
        | Apply(_, j, _)
        | Adopt(_, j, _) -> Some j
        | Delete _ -> None

    /// The reason given for the action; a creation needs none beyond the object's absence.
    let reason (a: Action) =
        match a with
        | Create _ -> "not found"
        | Apply(_, _, r)
        | Adopt(_, _, r)
        | Delete(_, r) -> r

    /// `apiVersion Kind namespace/name`, or `apiVersion Kind name` for a cluster-scoped object.
    let describeRef (r: ObjectRef) =
        let name =
            match r.Namespace with
            | Some ns -> ns + "/" + r.Name
            | None -> r.Name

        sprintf "%s %s %s" r.ApiVersion r.Kind name

    /// The API verb the applier uses for the action.
    let verb (a: Action) =
        match a with
        | Create _ -> "create"
        | Apply _ -> "apply"
        | Adopt _ -> "adopt"
        | Delete _ -> "delete"

    /// A stable one-line form for logs and events: `apply apps/v1 StatefulSet ns/spire-server: <reason>`.
    let describe (a: Action) =
        sprintf "%s %s: %s" (verb a) (describeRef (ref a)) (reason a)
