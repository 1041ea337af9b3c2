namespace Ztwim.Kernel.Status

open System
open Ztwim.Kernel.Api

/// Setting a reconcile's conditions on top of the stored ones: the one place where time and generation enter.
[<RequireQualifiedAccess>]
module Conditions =

    /// A condition as a controller decides it; `set` fills in its time and generation.
    let make (kind: string) (status: ConditionStatus) (reason: string) (message: string) : Condition =
        { Type = kind
          Status = status
          Reason = reason
          Message = message
          LastTransitionTime = DateTimeOffset.MinValue
          ObservedGeneration = None }

    let isTrue (kind: string) (cs: Condition list) =
        cs |> List.exists (fun c -> c.Type = kind && c.Status = ConditionStatus.True)

    let tryFind (kind: string) (cs: Condition list) =
        cs |> List.tryFind (fun c -> c.Type = kind)

    /// Conditions in the order ztwim always lists (and scans) them: by type, ordinal.
    let sort (cs: Condition list) =
        cs |> List.sortWith (fun a b -> String.CompareOrdinal(a.Type, b.Type))

    /// The conditions to store: `next` (one per type; the last of a type wins, as upstream's map), each with
    /// observedGeneration = `generation`, and lastTransitionTime kept from `previous` unless that type's
    /// status moved (or the type is new), when it is `now`. Sorted by type.
    let set (now: DateTimeOffset) (generation: int64) (previous: Condition list) (next: Condition list) =
        next
        |> List.rev
        |> List.distinctBy _.Type
        |> List.map (fun c ->
            let time =
                match tryFind c.Type previous with
                | Some p when p.Status = c.Status -> p.LastTransitionTime
                | _ -> now

            { c with
                LastTransitionTime = time
                ObservedGeneration = Some generation })
        |> sort
