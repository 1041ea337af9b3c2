/// Asserting a condition by its type, status, reason and exact message.
module Ztwim.Specs.Status.StatusExamples

open Expecto
open Ztwim.Kernel.Api

let T = ConditionStatus.True
let F = ConditionStatus.False

/// One row: a name, the condition computed, and what it must be.
type Row =
    { Name: string
      Actual: unit -> Condition
      Type: string
      Status: ConditionStatus
      Reason: string
      Message: string }

let row name actual kind status reason message =
    { Name = name
      Actual = actual
      Type = kind
      Status = status
      Reason = reason
      Message = message }

let expectCondition (c: Condition) kind status reason message =
    Expect.equal
        (c.Type, c.Status, c.Reason, c.Message)
        (kind, status, reason, message)
        "type, status, reason and message"

let table (name: string) (rows: Row list) =
    testList name [ for r in rows -> test r.Name { expectCondition (r.Actual()) r.Type r.Status r.Reason r.Message } ]
