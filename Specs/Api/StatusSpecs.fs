/// The status shapes (metav1.Condition, the operand CRs' status and the ZeroTrustWorkloadIdentityManager's
/// status with its operands): every schema rule accepts and refuses an example, and printing reads back.
module Ztwim.Specs.Api.StatusSpecs

open System
open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Specs.Api.Examples

let private typePattern =
    "must match the pattern ^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$"

let private reasonPattern =
    "must match the pattern ^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$"

let private notRfc3339 =
    "must be an RFC 3339 date-time such as 2026-01-02T15:04:05Z"

let private operandKinds =
    "must be one of: SpireServer, SpireAgent, SpiffeCSIDriver, SpireOIDCDiscoveryProvider"

let private unique = "must be unique in the list"

/// A condition as the operators write it.
let private condition (kind: string) =
    json (
        sprintf
            """{"type": "%s", "status": "True", "reason": "Ready", "message": "All components are ready",
                "lastTransitionTime": "2026-01-02T15:04:05Z", "observedGeneration": 1}"""
            kind
    )

let private conditions (kinds: string list) = Json.arr (kinds |> List.map condition)

let private operand (kind: string) =
    Json.obj
        [ "name", str "cluster"
          "kind", str kind
          "ready", str "true"
          "message", str "All components are ready"
          "conditions", conditions [ "Ready" ] ]

/// The status reader and printer of one shape, over a document `{"status": …}` so that row paths are the
/// paths errors report.
let private shape (read: Node -> Validated<'s>) (print: 's -> Json) (doc: Json) =
    let status = tryGet "status" doc |> Option.defaultValue Json.Null

    read (Read.root "status" status)
    |> Result.map (fun s -> Json.obj [ "status", print s ])

let private operandCr = shape Status.readOperandCr Status.printOperandCr
let private ztwim = shape Status.readZtwim Status.printZtwim

let private run (read: Json -> Result<Json, FieldError list>) (doc: Json) (row: Example) =
    match row.Outcome, read (row.Edit doc) with
    | Reads(path, expected), Ok printed -> Expect.equal (tryGet path printed) expected (sprintf "value at %s" path)
    | Reads _, Error es -> failtestf "rejected: %s" (es |> List.map FieldError.describe |> String.concat "; ")
    | Refused expected, Ok _ -> Expect.equal [] expected "errors"
    | Refused expected, Error es -> Expect.equal es expected "errors"

let private table name read (doc: Json) (rows: Example list) =
    testList name [ for row in rows -> test row.Name { run read doc row } ]

/// An optional member: removing it is accepted and it stays absent.
let private optional (path: string) =
    example (sprintf "%s is optional" path) (remove path) (Reads(path, None))

/// Rows for the condition at `at` (an item of a `conditions` list).
let private conditionRows (at: string) =
    let t = at + ".type"
    let s = at + ".status"
    let r = at + ".reason"
    let m = at + ".message"
    let time = at + ".lastTransitionTime"
    let gen = at + ".observedGeneration"

    [ accepts at (condition "Ready")
      rejects at (str "Ready") "must be an object, not string"
      rejects at Json.Null "must be an object, not null"
      example
          (sprintf "%s: an empty condition names every required member" at)
          (set at (json "{}"))
          (Refused
              [ for field in [ "type"; "status"; "reason"; "message"; "lastTransitionTime" ] ->
                    FieldError.admission (at + "." + field) "is required" None ])
      // type
      requires t
      accepts t (str "TTLConfigurationValid")
      accepts t (str "operator.openshift.io/Create-Only_Mode.v1")
      accepts t (str "a")
      accepts t (str (repeat 316 "a"))
      rejects t (str (repeat 317 "a")) "must be at most 316 characters"
      rejects t (str "") typePattern
      rejects t (str "Ready!") typePattern
      // Go anchors `$` at the very end: a trailing newline is not allowed.
      rejects t (str "Ready\n") typePattern
      rejects t (str "-Ready") typePattern
      rejects t (str "Ready.") typePattern
      rejects t (str "Operator.io/Ready") typePattern
      rejects t (str "operator.io/") typePattern
      rejects t (num 1) "must be a string, not integer"
      // status
      requires s
      accepts s (str "True")
      accepts s (str "False")
      accepts s (str "Unknown")
      rejects s (str "true") "must be one of: True, False, Unknown"
      rejects s (str "") "must be one of: True, False, Unknown"
      rejects s (Json.Bool true) "must be a string, not boolean"
      // reason
      requires r
      accepts r (str "A")
      accepts r (str "TTLValidationWarning")
      accepts r (str "Step_1,Done:OK_")
      accepts r (str (repeat 1024 "R"))
      rejects r (str "") "must not be empty"
      rejects r (str (repeat 1025 "R")) "must be at most 1024 characters"
      rejects r (str "1Ready") reasonPattern
      rejects r (str "_Ready") reasonPattern
      rejects r (str "Not Ready") reasonPattern
      rejects r (str "Not-Ready") reasonPattern
      rejects r (str "Ready:") reasonPattern
      rejects r (str "Ready,") reasonPattern
      // message
      requires m
      accepts m (str "")
      accepts m (str "Reconciling SpireServer")
      accepts m (str (repeat 32768 "m"))
      rejects m (str (repeat 32769 "m")) "must be at most 32768 characters"
      rejects m (num 0) "must be a string, not integer"
      // lastTransitionTime
      requires time
      accepts time (str "2026-01-02T15:04:05Z")
      reads time (str "2026-01-02T15:04:05.123+02:00") (Some(str "2026-01-02T13:04:05Z"))
      reads time (str "2026-01-02T15:04:05.999999999Z") (Some(str "2026-01-02T15:04:05Z"))
      reads time (str "2026-01-01T01:00:00+02:00") (Some(str "2025-12-31T23:00:00Z"))
      reads time (str "2026-01-02T15:04:05-05:30") (Some(str "2026-01-02T20:34:05Z"))
      rejects time (str "yesterday") notRfc3339
      rejects time (str "2026-01-02") notRfc3339
      rejects time (str "") notRfc3339
      rejects time (str "2026-01-02T15:04:05") notRfc3339
      rejects time (str "2026-01-02T15:04:05Z\n") notRfc3339
      rejects time (str "2026-01-02 15:04:05Z") notRfc3339
      rejects time (str "2026-02-30T15:04:05Z") notRfc3339
      rejects time (str "2026-01-02T24:00:00Z") notRfc3339
      rejects time (num 1767366245) "must be a string, not integer"
      // observedGeneration
      optional gen
      accepts gen (num 0)
      accepts gen (Json.Number 9223372036854775807m)
      rejects gen (num -1) "must be at least 0"
      rejects gen (Json.Number 1.5m) "must be an integer, not number"
      rejects gen (str "1") "must be an integer, not string" ]

/// Rows for a `conditions` list (list-type map keyed by type) at `at`.
let private conditionListRows (at: string) =
    [ reads at (json "[]") None
      rejects at (str "Ready") "must be a list, not string"
      rejects at (condition "Ready") "must be a list, not object"
      accepts at (conditions [ "Ready"; "ConfigurationValid"; "CreateOnlyMode" ])
      example
          (sprintf "%s: accepts types that differ only in case" at)
          (set at (conditions [ "Ready"; "ready" ]))
          (Reads(at + "[1].type", Some(str "ready")))
      example
          (sprintf "%s: rejects a repeated condition type" at)
          (set at (conditions [ "Ready"; "Ready" ]))
          (Refused [ FieldError.admission (at + "[1].type") unique (Some(str "Ready")) ])
      example
          (sprintf "%s: rejects each repeat of a condition type" at)
          (set at (conditions [ "Ready"; "Degraded"; "Ready"; "Degraded"; "Ready" ]))
          (Refused
              [ FieldError.admission (at + "[2].type") unique (Some(str "Ready"))
                FieldError.admission (at + "[3].type") unique (Some(str "Degraded"))
                FieldError.admission (at + "[4].type") unique (Some(str "Ready")) ])
      example
          (sprintf "%s: reports the errors of every condition" at)
          (edits
              [ set at (conditions [ "Ready"; "Degraded" ])
                set (at + "[0].status") (str "Maybe")
                remove (at + "[1].reason") ])
          (Refused
              [ FieldError.admission (at + "[0].status") "must be one of: True, False, Unknown" (Some(str "Maybe"))
                FieldError.admission (at + "[1].reason") "is required" None ]) ]

let private operandCrRows =
    [ example "an absent status reads as no conditions" (remove "status") (Reads("status", Some(json "{}")))
      rejects "status" (str "Ready") "must be an object, not string"
      optional "status.conditions"
      // The operand CRs' status has conditions only; the API server prunes other members.
      example
          "operands is pruned from an operand CR's status"
          (set "status.operands" (Json.arr [ operand "SpireServer" ]))
          (Reads("status.operands", None)) ]
    @ conditionListRows "status.conditions"
    @ conditionRows "status.conditions[0]"

let private operandRows (at: string) =
    let name = at + ".name"
    let kind = at + ".kind"
    let ready = at + ".ready"
    let message = at + ".message"

    [ accepts at (operand "SpireAgent")
      rejects at (str "SpireServer") "must be an object, not string"
      example
          (sprintf "%s: an empty operand names every required member" at)
          (set at (json "{}"))
          (Refused
              [ for field in [ "name"; "kind"; "ready" ] -> FieldError.admission (at + "." + field) "is required" None ])
      // name
      requires name
      accepts name (str "c")
      accepts name (str (repeat 253 "n"))
      // No pattern: any non-empty string up to 253 characters.
      accepts name (str "Not A DNS_Name!")
      rejects name (str "") "must not be empty"
      rejects name (str (repeat 254 "n")) "must be at most 253 characters"
      rejects name (num 1) "must be a string, not integer"
      // kind
      requires kind
      accepts kind (str "SpireServer")
      accepts kind (str "SpireAgent")
      accepts kind (str "SpiffeCSIDriver")
      accepts kind (str "SpireOIDCDiscoveryProvider")
      rejects kind (str "ZeroTrustWorkloadIdentityManager") operandKinds
      rejects kind (str "spireserver") operandKinds
      rejects kind (str "") operandKinds
      // ready
      requires ready
      accepts ready (str "true")
      accepts ready (str "false")
      rejects ready (str "True") "must match the pattern ^(true|false)$"
      rejects ready (str "yes") "must match the pattern ^(true|false)$"
      rejects ready (str "") "must match the pattern ^(true|false)$"
      rejects ready (Json.Bool true) "must be a string, not boolean"
      // message
      optional message
      accepts message (str "")
      accepts message (str (repeat 32768 "m"))
      rejects message (str (repeat 32769 "m")) "must be at most 32768 characters"
      // conditions
      optional (at + ".conditions") ]
    @ conditionListRows (at + ".conditions")
    @ conditionRows (at + ".conditions[0]")

let private operandListRows =
    let at = "status.operands"

    [ optional at
      reads at (json "[]") None
      rejects at (operand "SpireServer") "must be a list, not object"
      example
          "accepts one entry per operand kind"
          (set
              at
              (Json.arr (
                  [ "SpireServer"; "SpireAgent"; "SpiffeCSIDriver"; "SpireOIDCDiscoveryProvider" ]
                  |> List.map operand
              )))
          (Reads(at + "[3].kind", Some(str "SpireOIDCDiscoveryProvider")))
      example
          "rejects a repeated operand kind, whatever the name"
          (set
              at
              (Json.arr
                  [ operand "SpireServer"
                    operand "SpireAgent"
                    set "name" (str "other") (operand "SpireServer") ]))
          (Refused [ FieldError.admission (at + "[2].kind") unique (Some(str "SpireServer")) ])
      example
          "accepts a repeated name under different kinds"
          (set at (Json.arr [ operand "SpireServer"; operand "SpireAgent" ]))
          (Reads(at + "[1].name", Some(str "cluster")))
      example
          "reports the errors of every operand"
          (edits
              [ set at (Json.arr [ operand "SpireServer"; operand "SpireAgent" ])
                set (at + "[0].ready") (str "yes")
                set (at + "[1].conditions[0].type") (str "") ])
          (Refused
              [ FieldError.admission (at + "[0].ready") "must match the pattern ^(true|false)$" (Some(str "yes"))
                FieldError.admission (at + "[1].conditions[0].type") typePattern (Some(str "")) ]) ]

let private ztwimRows =
    [ example "an absent status reads as empty" (remove "status") (Reads("status", Some(json "{}")))
      rejects "status" (json "[]") "must be an object, not array"
      optional "status.conditions"
      example
          "reports condition and operand errors together"
          (edits
              [ set "status.conditions[0].status" (str "Yes")
                set "status.operands[0].kind" (str "ZeroTrustWorkloadIdentityManager") ])
          (Refused
              [ FieldError.admission
                    "status.conditions[0].status"
                    "must be one of: True, False, Unknown"
                    (Some(str "Yes"))
                FieldError.admission
                    "status.operands[0].kind"
                    operandKinds
                    (Some(str "ZeroTrustWorkloadIdentityManager")) ]) ]
    @ conditionListRows "status.conditions"
    @ conditionRows "status.conditions[0]"
    @ operandListRows
    @ operandRows "status.operands[0]"

let private instant (iso: string) = DateTimeOffset.Parse iso

let private ready =
    { Type = "Ready"
      Status = ConditionStatus.True
      Reason = "Ready"
      Message = "All components are ready"
      LastTransitionTime = instant "2026-01-02T15:04:05Z"
      ObservedGeneration = Some 3L }

let private configurationValid =
    { Type = "ConfigurationValid"
      Status = ConditionStatus.False
      Reason = "InvalidJWTIssuerURL"
      Message = "JWT issuer URL validation failed: scheme is required"
      LastTransitionTime = instant "2026-01-02T16:00:00+02:00"
      ObservedGeneration = None }

let private createOnly =
    { Type = "CreateOnlyMode"
      Status = ConditionStatus.Unknown
      Reason = "CreateOnlyModeDisabled"
      Message = ""
      LastTransitionTime = instant "1999-12-31T23:59:59Z"
      ObservedGeneration = Some 0L }

/// Print, then read the printed JSON back.
let private reprint (read: Node -> Validated<'a>) (print: 'a -> Json) (value: 'a) =
    read (Read.root "status" (print value))

let private conditionRoundTrips =
    [ for c in [ ready; configurationValid; createOnly ] ->
          test (sprintf "a %s condition" c.Type) {
              Expect.equal (reprint Condition.read Condition.print c) (Ok c) "condition"
          } ]

let private statusRoundTrips =
    [ test "an operand CR's status" {
          let s: OperandCrStatus = { Conditions = [ ready; configurationValid; createOnly ] }

          Expect.equal (reprint Status.readOperandCr Status.printOperandCr s) (Ok s) "status"
      }
      test "an operand CR's empty status" {
          let s: OperandCrStatus = { Conditions = [] }
          Expect.equal (Status.printOperandCr s) (json "{}") "printed"
          Expect.equal (reprint Status.readOperandCr Status.printOperandCr s) (Ok s) "status"
      }
      test "the ZeroTrustWorkloadIdentityManager's status" {
          let s: ZtwimStatus =
              { Conditions = [ ready; createOnly ]
                Operands =
                  [ { OperandStatus.Name = "cluster"
                      Kind = Kind.SpireServer
                      Ready = true
                      Message = Some "All components are ready"
                      Conditions = [ ready; configurationValid ] }
                    { Name = "cluster"
                      Kind = Kind.SpireAgent
                      Ready = false
                      Message = None
                      Conditions = [] }
                    { Name = "oidc"
                      Kind = Kind.SpireOIDCDiscoveryProvider
                      Ready = false
                      Message = Some ""
                      Conditions = [ configurationValid ] } ] }

          Expect.equal (reprint Status.readZtwim Status.printZtwim s) (Ok s) "status"
      }
      test "the ZeroTrustWorkloadIdentityManager's empty status" {
          let s: ZtwimStatus = { Conditions = []; Operands = [] }
          Expect.equal (Status.printZtwim s) (json "{}") "printed"
          Expect.equal (reprint Status.readZtwim Status.printZtwim s) (Ok s) "status"
      } ]

let private roundTrips =
    testList "print then read" (conditionRoundTrips @ statusRoundTrips)

let private printed =
    [ "2026-01-02T15:04:05Z", "2026-01-02T15:04:05Z"
      "2026-01-02T15:04:05+02:00", "2026-01-02T13:04:05Z"
      "2026-01-02T15:04:05.123+02:00", "2026-01-02T13:04:05Z"
      "2026-01-02T15:04:05.999Z", "2026-01-02T15:04:05Z"
      "2026-01-01T01:30:00+02:00", "2025-12-31T23:30:00Z"
      "2026-01-02T23:00:00-05:00", "2026-01-03T04:00:00Z" ]

let private printTime =
    testList
        "printTime: UTC, whole seconds"
        [ for iso, expected in printed ->
              test (sprintf "%s -> %s" iso expected) {
                  Expect.equal (Condition.printTime (DateTimeOffset.Parse iso)) expected "printed"
              } ]

[<Tests>]
let tests =
    testList
        "Status"
        [ table
              "operand CR"
              operandCr
              (Json.obj [ "status", Json.obj [ "conditions", conditions [ "Ready" ] ] ])
              operandCrRows
          table
              "ZeroTrustWorkloadIdentityManager"
              ztwim
              (Json.obj
                  [ "status",
                    Json.obj
                        [ "conditions", conditions [ "Ready" ]
                          "operands", Json.arr [ operand "SpireServer" ] ] ])
              ztwimRows
          roundTrips
          printTime ]
