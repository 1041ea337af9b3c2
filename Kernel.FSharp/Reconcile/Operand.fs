namespace Ztwim.Kernel.Reconcile

open System
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Render
open Ztwim.Kernel.Plan
open Ztwim.Kernel.Status

/// The reconcile of the four operand controllers: gates that stop before any operand write (CR absent, ZTWIM
/// missing, invalid configuration, proxy without CA, immutable change), then plan, workload health and Ready.
[<RequireQualifiedAccess>]
module Operand =

    /// How long to wait before looking again at a workload that is still rolling out.
    let requeueWhileProgressing = TimeSpan.FromSeconds 10.0

    /// The component label values of each operand controller's objects.
    let components (kind: Kind) =
        match kind with
        | Kind.SpireServer -> [ "control-plane" ]
        | Kind.SpireAgent -> [ "node-agent" ]
        | Kind.SpiffeCSIDriver -> [ "csi" ]
        | Kind.SpireOIDCDiscoveryProvider -> [ "discovery" ]
        | Kind.ZeroTrustWorkloadIdentityManager -> []

    /// The workload whose health each operand reports.
    let workload (kind: Kind) =
        match kind with
        | Kind.SpireServer -> Some(StatefulSet, "spire-server")
        | Kind.SpireAgent -> Some(DaemonSet, "spire-agent")
        | Kind.SpiffeCSIDriver -> Some(DaemonSet, "spire-spiffe-csi-driver")
        | Kind.SpireOIDCDiscoveryProvider -> Some(Deployment, "spire-spiffe-oidc-discovery-provider")
        | Kind.ZeroTrustWorkloadIdentityManager -> None

    /// The ref of a workload in the operand namespace.
    let workloadRef (ns: string) (w: Workload) (name: string) =
        { ApiVersion = "apps/v1"
          Kind = WorkloadHealth.name w
          Namespace = Some ns
          Name = name }

    /// The CR parsed, with the controller's semantic checks, into its desired objects; or its field errors
    /// and (SpireServer) the parsed spec, if it parsed, for the TTL condition.
    let private parse (kind: Kind) (ztwim: ZtwimSpec) (mode: Mode) (json: Json) =
        match Crs.parseKind kind json with
        | Error errors -> Error(errors, None)
        | Ok(AnyResource.SpireServer cr) ->
            let own =
                cr.Spec.Federation
                |> Option.map (Federation.ownTrustDomain ztwim.TrustDomain)
                |> Option.defaultValue []

            match own with
            | [] -> Ok(Operands.SpireServer.desired cr ztwim mode, Some cr.Spec)
            | errors -> Error(errors, Some cr.Spec)
        | Ok(AnyResource.SpireAgent cr) -> Ok(Operands.SpireAgent.desired cr ztwim mode, None)
        | Ok(AnyResource.SpiffeCSIDriver cr) -> Ok(Operands.SpiffeCSIDriver.desired cr ztwim mode, None)
        | Ok(AnyResource.SpireOIDCDiscoveryProvider cr) ->
            Ok(Operands.SpireOIDCDiscoveryProvider.desired cr ztwim mode, None)
        | Ok(AnyResource.Ztwim _) -> Error([], None)

    /// TTLConfigurationValid (SpireServer only) and its warning events.
    let private ttl (kind: Kind) (errors: FieldError list) (spec: SpireServerSpec option) =
        match kind with
        | Kind.SpireServer ->
            match Validation.ttl errors spec with
            | Some(c, events) -> [ c ], events
            | None -> [], []
        | _ -> [], []

    let private show (value: string) =
        if value = "" then None else Some(Json.String value)

    /// The decision for the operand controller `kind` whose CR is `json`.
    let reconcile (kind: Kind) (inputs: Inputs) (json: Json) : Decision =
        let mode = inputs.Mode

        let previous =
            Status.readOperandCr (Decision.status json)
            |> Result.map _.Conditions
            |> Result.defaultValue []

        let finishWith
            (certificates: ServingCertificate list)
            (actions: Action list)
            (events: Event list)
            (requeue: TimeSpan option)
            (next: Condition list)
            =
            let conditions = Conditions.set inputs.Now (Decision.generation json) previous next

            { Actions = actions
              Status = Some(Status.printOperandCr { Conditions = conditions })
              Events = events
              RequeueAfter = requeue
              Certificates = certificates }

        let finish = finishWith []

        let stop (conditions: Condition list) (events: Event list) =
            finish [] events None (conditions @ [ Ready.ready conditions ])

        let ztwim =
            Decision.cr Kind.ZeroTrustWorkloadIdentityManager inputs
            |> Option.bind (fun z -> Crs.parseZtwim z |> Result.toOption)

        match ztwim with
        | None -> finish [] [] None [ Ready.ztwimMissing ]
        | Some z ->
            match parse kind z.Spec mode json with
            | Error(errors, spec) ->
                let ttlConditions, events = ttl kind errors spec
                stop (Validation.configurationValid kind mode errors :: ttlConditions) events
            | Ok _ when Validation.proxyInvalid kind mode -> stop [ Validation.configurationValid kind mode [] ] []
            | Ok(rendered, spec) ->
                let desired = Certificates.handOver mode inputs.Observed rendered

                match AppliedValues.changes desired inputs.Observed with
                | change :: _ ->
                    stop
                        [ Validation.immutableFieldChanged change.Field (show change.Applied) (show change.Requested) ]
                        []
                | [] ->
                    let ttlConditions, events = ttl kind [] spec
                    let createOnly = mode.CreateOnly || Decision.createOnly json

                    let actions =
                        Plan.plan
                            { Desired = desired
                              Observed = inputs.Observed
                              Component = components kind
                              CreateOnly = createOnly }

                    let health =
                        workload kind
                        |> Option.map (fun (w, name) ->
                            let r = workloadRef mode.Namespace w name
                            WorkloadHealth.condition w mode.Namespace name (Map.tryFind r inputs.Observed))
                        |> Option.toList

                    let conditions =
                        Validation.configurationValid kind mode [] :: ttlConditions
                        @ health
                        @ Option.toList (Ready.createOnlyMode createOnly previous)

                    let requeue =
                        if health |> List.exists (fun c -> c.Status <> ConditionStatus.True) then
                            Some requeueWhileProgressing
                        else
                            None

                    let certificates =
                        Certificates.toIssue mode createOnly inputs.Now desired inputs.Observed

                    finishWith certificates actions events requeue (conditions @ [ Ready.ready conditions ])
