namespace Ztwim.Kernel.Api

open Ztwim.Kernel

/// One operand as the ZeroTrustWorkloadIdentityManager status summarises it.
type OperandStatus =
    { Name: string
      Kind: Kind
      Ready: bool
      Message: string option
      Conditions: Condition list }

/// The status of SpireServer, SpireAgent, SpiffeCSIDriver and SpireOIDCDiscoveryProvider.
type OperandCrStatus = { Conditions: Condition list }

/// The status of the ZeroTrustWorkloadIdentityManager: its conditions and one entry per operand kind.
type ZtwimStatus =
    { Conditions: Condition list
      Operands: OperandStatus list }

/// Reading (as the status subresource validates it) and printing the two status shapes.
[<RequireQualifiedAccess>]
module Status =

    let private operandKinds =
        [ Kind.SpireServer
          Kind.SpireAgent
          Kind.SpiffeCSIDriver
          Kind.SpireOIDCDiscoveryProvider ]
        |> List.map (fun k -> Kind.name k, k)

    let private operand (n: Node) : Validated<OperandStatus> =
        let at name = Read.field name n

        // A value that is not an object reports only that: its members are not looked at.
        Read.object n
        |> Read.required n
        |> Result.bind (fun _ ->
            validated {
                let! name =
                    Read.string (at "name")
                    |> Read.minLength (at "name") 1
                    |> Read.maxLength (at "name") 253
                    |> Read.required (at "name")

                and! kind =
                    Read.string (at "kind")
                    |> Read.enum (at "kind") operandKinds
                    |> Read.required (at "kind")

                and! ready =
                    Read.string (at "ready")
                    |> Read.pattern (at "ready") "^(true|false)$"
                    |> Read.required (at "ready")

                and! message = Read.string (at "message") |> Read.maxLength (at "message") 32768
                and! conditions = Condition.readList (at "conditions")

                return
                    { Name = name
                      Kind = kind
                      Ready = (ready = "true")
                      Message = message
                      Conditions = conditions }
            })

    /// Reads an operand CR's `status` (absent reads as no conditions).
    let readOperandCr (status: Node) : Validated<OperandCrStatus> =
        Read.object status
        |> Result.bind (fun _ -> Condition.readList (Read.field "conditions" status))
        |> Result.map (fun cs -> { Conditions = cs })

    /// Reads the ZeroTrustWorkloadIdentityManager's `status`.
    let readZtwim (status: Node) : Validated<ZtwimStatus> =
        let operands = Read.field "operands" status

        validated {
            let! _ = Read.object status
            and! conditions = Condition.readList (Read.field "conditions" status)

            and! entries =
                Read.items operands
                |> Result.bind (List.map operand >> Validated.sequence)
                |> Validated.check (Condition.uniqueBy operands "kind" (fun o -> Kind.name o.Kind))

            return
                { Conditions = conditions
                  Operands = entries }
        }

    let private conditionList (cs: Condition list) =
        if cs.IsEmpty then
            None
        else
            Some(Json.Array(cs |> List.map Condition.print))

    let printOperandCr (s: OperandCrStatus) =
        Json.objOpt [ "conditions", conditionList s.Conditions ]

    let printZtwim (s: ZtwimStatus) =
        Json.objOpt
            [ "conditions", conditionList s.Conditions
              "operands",
              (if s.Operands.IsEmpty then
                   None
               else
                   s.Operands
                   |> List.map (fun o ->
                       Json.objOpt
                           [ "name", Some(Json.String o.Name)
                             "kind", Some(Json.String(Kind.name o.Kind))
                             "ready", Some(Json.String(if o.Ready then "true" else "false"))
                             "message", o.Message |> Option.map Json.String
                             "conditions", conditionList o.Conditions ])
                   |> Json.Array
                   |> Some) ]
