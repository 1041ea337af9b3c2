namespace Ztwim.Kernel.Status

open System
open Ztwim.Kernel
open Ztwim.Kernel.Api

/// An operand CR as the ZeroTrustWorkloadIdentityManager controller finds it.
type OperandObservation =
    | NotFound
    | GetFailed of error: string
    | Found of OperandCrStatus

/// How the ZeroTrustWorkloadIdentityManager classifies an operand.
type OperandState =
    | OperandReady
    | OperandProgressing
    | OperandFailed

/// `Ready` and `CreateOnlyMode` for the operand CRs; `operands[]`, `OperandsAvailable`, `Ready`, `CreateOnlyMode`
/// and `Upgradeable` for the ZeroTrustWorkloadIdentityManager.
[<RequireQualifiedAccess>]
module Ready =

    let private workloadNotReady =
        set [ "StatefulSetNotReady"; "DaemonSetNotReady"; "DeploymentNotReady" ]

    /// The types Ready is not derived from.
    let ignored = set [ "Ready"; "Degraded"; "CreateOnlyMode" ]

    /// Ready from this reconcile's conditions, as upstream derives it, but deterministic: the first False
    /// condition by type that is not a workload still rolling out gives Failed; else the first such workload
    /// gives Progressing; else True.
    let ready (conditions: Condition list) : Condition =
        let falses =
            conditions
            |> List.filter (fun c -> c.Status = ConditionStatus.False && not (ignored.Contains c.Type))
            |> Conditions.sort

        let describe (c: Condition) = sprintf "%s: %s" c.Type c.Message

        match falses |> List.partition (fun c -> workloadNotReady.Contains c.Reason) with
        | _, failed :: _ -> Conditions.make "Ready" ConditionStatus.False "Failed" (describe failed)
        | waiting :: _, [] -> Conditions.make "Ready" ConditionStatus.False "Progressing" (describe waiting)
        | [], [] -> Conditions.make "Ready" ConditionStatus.True "Ready" "All components are ready"

    /// Ready of an operand CR while the ZeroTrustWorkloadIdentityManager `cluster` is missing: nothing is created.
    let ztwimMissing =
        Conditions.make
            "Ready"
            ConditionStatus.False
            "Failed"
            "Failed to retrieve ZeroTrustWorkloadIdentityManager from cluster"

    let private createOnlyWith (enabledText: string) (enabled: bool) (previous: Condition list) =
        if enabled then
            Some(Conditions.make "CreateOnlyMode" ConditionStatus.True "CreateOnlyModeEnabled" enabledText)
        else
            // Reported as disabled once it has been on (and from then on, so the stored condition stays put).
            Conditions.tryFind "CreateOnlyMode" previous
            |> Option.map (fun _ ->
                Conditions.make
                    "CreateOnlyMode"
                    ConditionStatus.False
                    "CreateOnlyModeDisabled"
                    "Create-only mode is disabled")

    /// `CreateOnlyMode` on an operand CR: None while it has never been on.
    let createOnlyMode (enabled: bool) (previous: Condition list) =
        createOnlyWith "Create-Only Mode is active: Updates are not reconciled to existing resources" enabled previous

    /// `CreateOnlyMode` on the ZeroTrustWorkloadIdentityManager (upstream words it differently).
    let ztwimCreateOnlyMode (enabled: bool) (previous: Condition list) =
        createOnlyWith "Create-only mode is enabled: Updates are not reconciled to existing resources" enabled previous

    let crNotFound = "CR not found"

    /// The `operands[]` entry for the operand CR of `kind` (named `cluster`).
    let operand (kind: Kind) (observed: OperandObservation) : OperandStatus =
        let entry ready message conditions =
            { Name = "cluster"
              Kind = kind
              Ready = ready
              Message = Some message
              Conditions = Conditions.sort conditions }

        match observed with
        | NotFound -> entry false crNotFound []
        | GetFailed err -> entry false ("Failed to get CR: " + err) []
        | Found s when s.Conditions.IsEmpty -> entry false "Waiting for initial reconciliation" []
        | Found s ->
            let createOnly =
                s.Conditions
                |> List.filter (fun c -> c.Type = "CreateOnlyMode" && c.Status = ConditionStatus.True)

            match Conditions.tryFind "Ready" s.Conditions with
            | Some r when r.Status = ConditionStatus.True -> entry true "Ready" createOnly
            | ready ->
                let failing =
                    s.Conditions
                    |> List.filter (fun c -> c.Type = "Ready" || c.Status = ConditionStatus.False)

                let message = ready |> Option.map _.Message |> Option.defaultValue "Reconciling"
                entry false message (failing @ createOnly |> List.distinctBy _.Type)

    /// Upstream's classification of an operand entry.
    let classify (o: OperandStatus) : OperandState =
        let message = o.Message |> Option.defaultValue ""

        let byText () =
            let lower = message.ToLowerInvariant()

            if
                [ crNotFound; "Waiting for initial reconciliation"; "Reconciling" ]
                |> List.contains message
                || [ "not found"; "initial"; "reconciling"; "progressing" ]
                   |> List.exists (fun s -> lower.Contains s)
            then
                OperandProgressing
            else
                OperandFailed

        if o.Ready then
            OperandReady
        else
            match Conditions.tryFind "Ready" o.Conditions |> Option.map _.Reason with
            | Some("Progressing" | "NotFound" | "InitialReconcile" | "Reconciling") -> OperandProgressing
            | Some("Failed" | "Unhealthy") -> OperandFailed
            | Some "Ready" -> OperandReady
            | _ -> byText ()

    /// Go's `%v` of a []string.
    let private goList (items: string list) =
        "["
        + String.concat " " (List.sortWith (fun a b -> String.CompareOrdinal(a, b)) items)
        + "]"

    /// `OperandsAvailable` and `Ready` of the ZeroTrustWorkloadIdentityManager (lists sorted).
    let operandsAvailable (operands: OperandStatus list) : Condition list =
        let states = operands |> List.map (fun o -> o, classify o)
        let kind (o: OperandStatus) = Kind.name o.Kind

        let both status reason (available: string) (ready: string) =
            [ Conditions.make "OperandsAvailable" status reason available
              Conditions.make "Ready" status reason ready ]

        let failed = states |> List.filter (fun (_, s) -> s = OperandFailed) |> List.map fst

        let progressing =
            states |> List.filter (fun (_, s) -> s = OperandProgressing) |> List.map fst

        match failed, progressing with
        | [], [] -> both ConditionStatus.True "Ready" "All operand CRs are ready" "All components are ready"
        | [], waiting ->
            let message =
                waiting
                |> List.map (fun o ->
                    if o.Message = Some crNotFound then
                        kind o + "(not created)"
                    else
                        kind o + "(reconciling)")
                |> goList
                |> sprintf "Waiting for operands: %s"

            both ConditionStatus.False "Progressing" message message
        | failed, _ ->
            let message =
                failed
                |> List.map (fun o -> sprintf "%s/%s" (kind o) o.Name)
                |> goList
                |> sprintf "Some operands not ready: %s"

            both ConditionStatus.False "Failed" message message

    /// `Upgradeable` (mirrored to OLM's OperatorCondition by the adapter).
    let upgradeable (createOnly: bool) (operands: OperandStatus list) : Condition =
        let createOnlyAnywhere =
            createOnly
            || operands
               |> List.exists (fun o -> Conditions.isTrue "CreateOnlyMode" o.Conditions)

        let notReady =
            operands
            |> List.filter (fun o -> not o.Ready && o.Message <> Some crNotFound)
            |> List.map (fun o -> Kind.name o.Kind)

        if createOnlyAnywhere then
            Conditions.make
                "Upgradeable"
                ConditionStatus.False
                "OperandsNotReady"
                "Not safe to upgrade - create-only mode is enabled on one or more operands"
        elif not notReady.IsEmpty then
            Conditions.make
                "Upgradeable"
                ConditionStatus.False
                "OperandsNotReady"
                ("Not safe to upgrade - existing operands are not ready: " + goList notReady)
        else
            Conditions.make "Upgradeable" ConditionStatus.True "Ready" "Operator is Upgradeable"

    /// The four operand kinds, in upstream's order of `operands[]`.
    let operandKinds =
        [ Kind.SpireServer
          Kind.SpireAgent
          Kind.SpiffeCSIDriver
          Kind.SpireOIDCDiscoveryProvider ]

    /// The ZeroTrustWorkloadIdentityManager's status (before `Conditions.set`): one entry per operand kind
    /// (absent from `observed` = not found), `OperandsAvailable`, `Ready`, `Upgradeable` and `CreateOnlyMode`.
    let ztwim (createOnly: bool) (previous: Condition list) (observed: Map<Kind, OperandObservation>) =
        let operands =
            operandKinds
            |> List.map (fun k -> operand k (Map.tryFind k observed |> Option.defaultValue NotFound))

        let conditions =
            operandsAvailable operands
            @ [ upgradeable createOnly operands ]
            @ Option.toList (ztwimCreateOnlyMode createOnly previous)

        operands, Conditions.sort conditions
