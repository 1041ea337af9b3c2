namespace Ztwim.Kernel.Api

open Ztwim.Kernel

type TolerationOperator =
    | Equal
    | Exists

type TaintEffect =
    | NoSchedule
    | PreferNoSchedule
    | NoExecute

/// corev1.Toleration. An empty key with operator Exists tolerates every taint.
type Toleration =
    { Key: string option
      Operator: TolerationOperator option
      Value: string option
      Effect: TaintEffect option
      TolerationSeconds: int64 option }

/// Reading, checking (as Kubernetes' ValidateTolerations) and printing tolerations.
[<RequireQualifiedAccess>]
module Toleration =

    let private operators = [ "Equal", Equal; "Exists", Exists ]

    let private effects =
        [ "NoSchedule", NoSchedule
          "PreferNoSchedule", PreferNoSchedule
          "NoExecute", NoExecute ]

    // The schema types these as plain strings; the rules below are the controller's, as upstream's.
    // A value that is not a string is still the schema's error.
    let private controllerEnum (n: Node) cases (v: Validated<string option>) =
        v
        |> Result.bind (fun s ->
            Read.enum n cases (Ok s)
            |> Result.mapError (List.map (fun e -> { e with Enforcement = ByController })))

    let private rules (n: Node) (t: Toleration) =
        let at name = Read.field name n

        Validated.errorsOf
            [ t.Key
              |> Option.bind Names.qualifiedName
              |> Option.map (fun m -> Read.controllerError (at "key") m)
              (if t.Key.IsNone && t.Operator <> Some Exists then
                   Some(Read.controllerError (at "operator") "must be Exists when key is empty")
               else
                   None)
              (if t.Operator = Some Exists && t.Value.IsSome then
                   Some(Read.controllerError (at "value") "must be empty when operator is Exists")
               else
                   None)
              (match t.Value with
               | Some v when t.Operator <> Some Exists ->
                   Names.labelValue v |> Option.map (Read.controllerError (at "value"))
               | _ -> None)
              (if t.TolerationSeconds.IsSome && t.Effect <> Some NoExecute then
                   Some(Read.controllerError (at "effect") "must be NoExecute when tolerationSeconds is set")
               else
                   None) ]

    let read (n: Node) : Validated<Toleration> =
        validated {
            let! _ = Read.object n
            and! key = Read.optionalString (Read.field "key" n)

            and! op =
                Read.optionalString (Read.field "operator" n)
                |> controllerEnum (Read.field "operator" n) operators

            and! value = Read.optionalString (Read.field "value" n)

            and! effect =
                Read.optionalString (Read.field "effect" n)
                |> controllerEnum (Read.field "effect" n) effects

            and! seconds = Read.integer (Read.field "tolerationSeconds" n)

            return
                { Key = key
                  Operator = op
                  Value = value
                  Effect = effect
                  TolerationSeconds = seconds }
        }
        |> Validated.check (rules n)

    let print (t: Toleration) =
        Json.objOpt
            [ "key", t.Key |> Option.map Json.String
              "operator", t.Operator |> Option.map (Scalars.spell operators >> Json.String)
              "value", t.Value |> Option.map Json.String
              "effect", t.Effect |> Option.map (Scalars.spell effects >> Json.String)
              "tolerationSeconds", t.TolerationSeconds |> Option.map (decimal >> Json.Number) ]
