namespace Ztwim.Kernel.Reconcile

open System
open Ztwim.Kernel
open Ztwim.Kernel.Render
open Ztwim.Kernel.Plan

/// Serving certificates on plain Kubernetes, where no service CA fills the Secrets the operands mount: which
/// ones the adapter must issue now. The kernel only decides (a Secret missing, or expiring within the renewal
/// window by the not-after it records); the adapter makes the key and certificate, which needs randomness.
[<RequireQualifiedAccess>]
module Certificates =

    /// The annotation an issued Secret records its certificate's expiry in (RFC 3339, UTC).
    let notAfterAnnotation = Manifest.annotationPrefix + "certificate-not-after"

    /// A certificate is issued again this long before it expires.
    let renewBefore = TimeSpan.FromDays 30.0

    /// How long an issued certificate is valid.
    let validity = TimeSpan.FromDays 365.0

    let private notAfter (secret: Json) =
        match
            secret
            |> Json.tryField "metadata"
            |> Option.bind (Json.tryField "annotations")
            |> Option.bind (Json.tryField notAfterAnnotation)
        with
        | Some(Json.String text) ->
            match
                DateTimeOffset.TryParse(
                    text,
                    Globalization.CultureInfo.InvariantCulture,
                    Globalization.DateTimeStyles.AssumeUniversal
                )
            with
            | true, t -> Some t
            | _ -> None
        | _ -> None

    /// The serving certificates of `desired` to issue now. On OpenShift, none: the service CA does it. In
    /// create-only mode only a missing one, since an existing Secret is not ours to update.
    let toIssue
        (mode: Mode)
        (createOnly: bool)
        (now: DateTimeOffset)
        (desired: DesiredObject list)
        (observed: Map<ObjectRef, Json>)
        : ServingCertificate list =
        match mode.Platform with
        | OpenShift -> []
        | Kubernetes ->
            desired
            |> List.choose (function
                | ServingCertificateFor c -> Some c
                | Manifest _ -> None)
            |> List.filter (fun c ->
                match Map.tryFind (DesiredObject.ref (ServingCertificateFor c)) observed with
                | None -> true
                // A Secret of the user's (not labelled as ours) is theirs: their own certificate, never replaced.
                | Some secret when not (Plan.isOurs secret) -> false
                | Some _ when createOnly -> false
                | Some secret ->
                    match notAfter secret with
                    | Some t -> t - renewBefore <= now
                    | None -> true)
