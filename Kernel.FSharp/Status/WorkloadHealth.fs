namespace Ztwim.Kernel.Status

open Ztwim.Kernel
open Ztwim.Kernel.Api

/// The three workload kinds whose health an operand reports.
type Workload =
    | StatefulSet
    | DaemonSet
    | Deployment

/// `<Workload>Available` from the observed workload, with upstream's reasons, messages and health rules.
[<RequireQualifiedAccess>]
module WorkloadHealth =

    let name (w: Workload) =
        match w with
        | StatefulSet -> "StatefulSet"
        | DaemonSet -> "DaemonSet"
        | Deployment -> "Deployment"

    let conditionType (w: Workload) = name w + "Available"

    let private resource (w: Workload) =
        match w with
        | StatefulSet -> "statefulsets.apps"
        | DaemonSet -> "daemonsets.apps"
        | Deployment -> "deployments.apps"

    /// An integer at a path; Go's zero value when missing or not a number.
    let private number (path: string list) (json: Json) =
        path
        |> List.fold (fun j p -> j |> Option.bind (Json.tryField p)) (Some json)
        |> Option.bind (fun j ->
            match j with
            | Json.Number n when n = System.Math.Truncate n && abs n < 1e18m -> Some(int64 n)
            | _ -> None)

    let private zero path json =
        number path json |> Option.defaultValue 0L

    /// Why an observed workload is not healthy (upstream's first matching text), or None when it is.
    let problem (w: Workload) (json: Json) : string option =
        let n = name w
        let generation = zero [ "metadata"; "generation" ] json
        let observed = zero [ "status"; "observedGeneration" ] json
        let status field = zero [ "status"; field ] json

        let inProgress () =
            if generation <> observed then
                Some(sprintf "%s update in progress (generation %d, observed %d)" n generation observed)
            else
                None

        let count (have: int64) (desired: int64) (text: string) =
            fun () ->
                if have <> desired then
                    Some(sprintf "%s has %d/%d %s" n have desired text)
                else
                    None

        let firstOf (checks: (unit -> string option) list) =
            checks |> List.tryPick (fun check -> check ())

        match w with
        | StatefulSet ->
            match number [ "spec"; "replicas" ] json with
            | None -> Some "StatefulSet is nil or has no replicas configured"
            | Some d ->
                firstOf
                    [ inProgress
                      count (status "readyReplicas") d "replicas ready"
                      count (status "updatedReplicas") d "replicas updated" ]
        | Deployment ->
            match number [ "spec"; "replicas" ] json with
            | None -> Some "Deployment is nil or has no replicas configured"
            | Some d ->
                firstOf
                    [ inProgress
                      count (status "readyReplicas") d "replicas ready"
                      count (status "updatedReplicas") d "replicas updated"
                      count (status "availableReplicas") d "replicas available"
                      (fun () ->
                          let k = status "unavailableReplicas"

                          if k > 0L then
                              Some(sprintf "Deployment has %d replicas unavailable" k)
                          else
                              None) ]
        | DaemonSet ->
            let d = status "desiredNumberScheduled"

            firstOf
                [ (fun () ->
                      if d <= 0L then
                          Some "DaemonSet has no pods scheduled"
                      else
                          None)
                  inProgress
                  count (status "numberReady") d "pods ready"
                  count (status "updatedNumberScheduled") d "pods updated"
                  count (status "numberAvailable") d "pods available"
                  (fun () ->
                      let k = status "numberUnavailable"

                      if k > 0L then
                          Some(sprintf "DaemonSet has %d pods unavailable" k)
                      else
                          None) ]

    /// The `<Workload>Available` condition for the workload `ns/name`, observed as `observed` (None: absent).
    let condition (w: Workload) (ns: string) (workloadName: string) (observed: Json option) : Condition =
        let n = name w
        let kind = conditionType w

        match observed with
        | None ->
            Conditions.make
                kind
                ConditionStatus.False
                (n + "NotFound")
                (sprintf "Failed to get %s %s/%s: %s \"%s\" not found" n ns workloadName (resource w) workloadName)
        | Some json ->
            match problem w json with
            | Some message -> Conditions.make kind ConditionStatus.False (n + "NotReady") message
            | None ->
                let ready, desired, unit =
                    match w with
                    | DaemonSet ->
                        zero [ "status"; "numberReady" ] json, zero [ "status"; "desiredNumberScheduled" ] json, "pods"
                    | _ -> zero [ "status"; "readyReplicas" ] json, zero [ "spec"; "replicas" ] json, "replicas"

                Conditions.make
                    kind
                    ConditionStatus.True
                    (n + "Ready")
                    (sprintf "%s %s is healthy with %d/%d %s ready" n workloadName ready desired unit)

    /// Whether the observed workload is healthy.
    let healthy (w: Workload) (json: Json) = (problem w json).IsNone
