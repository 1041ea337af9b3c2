namespace Ztwim.Kernel.Reconcile

open System
open Ztwim.Kernel
open Ztwim.Kernel.Render
open Ztwim.Kernel.Plan

/// Serving certificates on plain Kubernetes, where no service CA fills the Secrets the operands mount: which
/// ones the adapter must issue now, and when cert-manager is handed one (see ServingCertificates). The kernel
/// only decides (a Secret missing, or expiring within the renewal window by the not-after it records); the
/// adapter makes the key and certificate, which needs randomness.
[<RequireQualifiedAccess>]
module Certificates =

    /// The annotation an issued Secret records its certificate's expiry in (RFC 3339, UTC).
    let notAfterAnnotation = Manifest.annotationPrefix + "certificate-not-after"

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

    let private requests (desired: DesiredObject list) =
        desired
        |> List.choose (function
            | ServingCertificateFor c -> Some c
            | Manifest _ -> None)

    let private secretOf c =
        DesiredObject.ref (ServingCertificateFor c)

    /// `desired` with the cert-manager objects of each certificate withheld while cert-manager must not have it:
    /// while its Secret is a user's (not labelled as ours: their own certificate, which cert-manager would
    /// overwrite), and before the first Secret exists unless its Certificate already does (so the operator's
    /// own first certificate is there, and a user's found, before cert-manager is asked). Withheld objects that
    /// exist are pruned: a user who brings their own Secret takes the name over.
    let handOver (mode: Mode) (observed: Map<ObjectRef, Json>) (desired: DesiredObject list) : DesiredObject list =
        if not (ServingCertificates.byCertManager mode) then
            desired
        else
            let withheld =
                requests desired
                |> List.filter (fun c ->
                    match Map.tryFind (secretOf c) observed with
                    | Some secret -> not (Plan.isOurs secret)
                    | None -> not (Map.containsKey (ServingCertificates.certificateRef c) observed))
                |> List.collect (ServingCertificates.certManagerRefs mode)
                |> Set.ofList

            desired
            |> List.filter (function
                | Manifest(r, _) -> not (withheld.Contains r)
                | ServingCertificateFor _ -> true)

    /// The serving certificates of `desired` to issue now. On OpenShift, none: the service CA does it. In
    /// create-only mode only a missing one, since an existing Secret is not ours to update; with cert-manager
    /// too, since cert-manager renews what it was handed.
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
            requests desired
            |> List.filter (fun c ->
                match Map.tryFind (secretOf c) observed with
                | None -> true
                // A Secret of the user's (not labelled as ours) is theirs: their own certificate, never replaced.
                | Some secret when not (Plan.isOurs secret) -> false
                | Some _ when createOnly || mode.CertManager -> false
                | Some secret ->
                    match notAfter secret with
                    | Some t -> t - ServingCertificates.renewBefore <= now
                    | None -> true)
