namespace Ztwim.Kernel.Reconcile

open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Status

/// The kernel's one entry point: each of the five controllers' decision from what it observes.
[<RequireQualifiedAccess>]
module Reconcile =

    /// The ZeroTrustWorkloadIdentityManager's status from the four operand CRs as observed; it writes nothing else.
    let private ztwim (inputs: Inputs) (json: Json) : Decision =
        let previous =
            Status.readZtwim (Decision.status json)
            |> Result.map _.Conditions
            |> Result.defaultValue []

        let observed =
            Ready.operandKinds
            |> List.choose (fun k ->
                Decision.cr k inputs
                |> Option.map (fun cr ->
                    let status =
                        Status.readOperandCr (Decision.status cr)
                        |> Result.defaultValue { Conditions = [] }

                    k, Found status))
            |> Map.ofList

        let createOnly = inputs.Mode.CreateOnly || Decision.createOnly json
        let operands, conditions = Ready.ztwim createOnly previous observed

        let status =
            { Conditions = Conditions.set inputs.Now (Decision.generation json) previous conditions
              Operands = operands }

        { Decision.empty with
            Status = Some(Status.printZtwim status) }

    /// The decision of the controller `inputs.Controller`: pure, total and deterministic.
    let reconcile (inputs: Inputs) : Decision =
        match Decision.cr inputs.Controller inputs with
        | None -> Decision.empty
        | Some json ->
            match inputs.Controller with
            | Kind.ZeroTrustWorkloadIdentityManager -> ztwim inputs json
            | kind -> Operand.reconcile kind inputs json
