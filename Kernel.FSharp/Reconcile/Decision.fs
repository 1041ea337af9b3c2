namespace Ztwim.Kernel.Reconcile

open System
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Render
open Ztwim.Kernel.Plan
open Ztwim.Kernel.Status

/// What one controller's reconcile sees: which controller runs, the five singletons as observed (raw, absent
/// when not found), the owned objects as observed, the Mode and the time.
type Inputs =
    { Controller: Kind
      Crs: Map<Kind, Json>
      Observed: Map<ObjectRef, Json>
      Mode: Mode
      Now: DateTimeOffset }

/// What one reconcile decides: the writes to the operands, the CR's full new status (None when there is no
/// CR), the events to record and when to look again.
type Decision =
    {
        Actions: Action list
        Status: Json option
        Events: Event list
        RequeueAfter: TimeSpan option
        /// Serving certificates the adapter must issue now (plain Kubernetes only; see Certificates).
        Certificates: ServingCertificate list
    }

/// The empty decision and reading the raw CR.
[<RequireQualifiedAccess>]
module Decision =

    /// Nothing to write, no status, no event.
    let empty =
        { Actions = []
          Status = None
          Events = []
          RequeueAfter = None
          Certificates = [] }

    /// The annotation that turns create-only mode on for one CR.
    let createOnlyAnnotation = "ztwim.openshift.io/create-only"

    /// The CR of `kind` as observed, if any (a JSON null counts as absent).
    let cr (kind: Kind) (inputs: Inputs) =
        match Map.tryFind kind inputs.Crs with
        | None
        | Some Json.Null -> None
        | Some json -> Some json

    let private metadataField (name: string) (json: Json) =
        json |> Json.tryField "metadata" |> Option.bind (Json.tryField name)

    /// metadata.generation of a raw CR (0 when absent or not an integer).
    let generation (json: Json) =
        match metadataField "generation" json with
        | Some(Json.Number n) when n = Math.Truncate n && abs n < 1e18m -> int64 n
        | _ -> 0L

    /// Whether a raw CR carries the create-only annotation set to "true" (trimmed, case-insensitive).
    let createOnly (json: Json) =
        match
            metadataField "annotations" json
            |> Option.bind (Json.tryField createOnlyAnnotation)
        with
        | Some(Json.String v) -> Mode.createOnly (Some v)
        | _ -> false

    /// The raw `status` of a CR as a node to read.
    let status (json: Json) =
        Read.root "status" (Json.tryField "status" json |> Option.defaultValue Json.Null)
