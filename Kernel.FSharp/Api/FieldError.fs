namespace Ztwim.Kernel.Api

open Ztwim.Kernel

/// Where a rule is enforced: by the API server when the object is written (schema and CEL rules of the CRD),
/// or by the controller, which reports it in a condition (the object is stored as written).
type Enforcement =
    | AtAdmission
    | ByController

/// One broken rule: the field path (spec.federation.federatesWith[2].endpointSpiffeId), what the rule says,
/// and the value seen (None when the field is missing).
type FieldError =
    { Path: string
      Message: string
      Value: Json option
      Enforcement: Enforcement }

/// Building and printing field errors.
[<RequireQualifiedAccess>]
module FieldError =

    let admission path message value =
        { Path = path
          Message = message
          Value = value
          Enforcement = AtAdmission }

    let controller path message value =
        { Path = path
          Message = message
          Value = value
          Enforcement = ByController }

    /// "path: message (got: value)", the line `ztwim-sim check` prints.
    let describe (e: FieldError) =
        match e.Value with
        | Some v -> sprintf "%s: %s (got: %s)" e.Path e.Message (JsonText.compact v)
        | None -> sprintf "%s: %s" e.Path e.Message

    /// The errors the API server would reject a write for.
    let atAdmission (errors: FieldError list) =
        errors |> List.filter (fun e -> e.Enforcement = AtAdmission)
