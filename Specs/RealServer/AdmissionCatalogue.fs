/// Every CR the Specs know an answer for, with what the kernel answers: the rows of the API's example tables
/// (edits of a base CR, refused or read back) and the immutability transitions (an update from one CR to
/// another). Enumerated from the spec files' own tables, so that a new row is sent to the real server too.
module Ztwim.Specs.RealServer.AdmissionCatalogue

open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Specs.Api
open Ztwim.Specs.Api.Examples

/// How the object reaches the API server: created, or an update of a stored object.
type Write =
    | Create of doc: Json
    | Update of before: Json * after: Json

/// What the kernel says of a CR.
type Verdict =
    /// Admitted by the CRD: parse accepts it (the controller may still refuse it).
    | Admitted
    /// Refused at admission: the API server must refuse it, naming these paths.
    | RejectedAtAdmission of paths: string list
    /// Refused by the controller only: the CRD admits it (a finding: validation that lives only in the operator).
    | ControllerOnly of errors: FieldError list

type Entry =
    {
        Kind: Kind
        /// "table/row", as the example's test is named (the table's name, then the row's).
        Name: string
        Write: Write
        Verdict: Verdict
    }

/// The kernel's verdict from its errors: any error enforced at admission makes it a rejection at admission.
let verdictOf (errors: FieldError list) =
    match errors, FieldError.atAdmission errors with
    | [], _ -> Admitted
    | _, [] -> ControllerOnly errors
    | _, admission -> RejectedAtAdmission(admission |> List.map _.Path |> List.distinct)

/// Every example table of the API specs. StatusSpecs is not here: status is a subresource, and a create or an
/// update of the main resource drops it, so admission never sees those rows.
let tables: Table list =
    List.concat
        [ ParseSpecs.tables
          SingletonSpecs.tables
          ZtwimSpecs.tables
          SpireServerSpecs.tables
          FederationSpecs.tables
          JwtIssuerSpecs.tables
          SpireAgentSpecs.tables
          SpiffeCSIDriverSpecs.tables
          OidcSpecs.tables
          CommonConfigSpecs.tables ]

let private rowEntry (t: Table) (row: Example) =
    let doc = row.Edit t.Base

    { Kind = t.Kind
      Name = sprintf "%s/%s/%s" (Kind.name t.Kind) t.Name row.Name
      Write = Create doc
      Verdict = verdictOf (errors t.Kind doc) }

let private transitionEntry (t: ImmutabilitySpecs.Transition) =
    let doc = minimal t.Kind

    { Kind = t.Kind
      Name = sprintf "%s/Immutability/%s" (Kind.name t.Kind) t.Name
      Write = Update(t.Before doc, t.After doc)
      Verdict = verdictOf (errors t.Kind (t.After doc) @ t.Violations) }

/// The whole catalogue: every row of every table, then every immutability transition.
let entries: Entry list =
    [ for t in tables do
          for row in t.Rows -> rowEntry t row ]
    @ (ImmutabilitySpecs.transitions |> List.map transitionEntry)
