namespace Ztwim.Kernel.Status

open System
open System.Text.RegularExpressions
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Render

/// A Kubernetes event the controller records on its CR.
type Event =
    { Type: string
      Reason: string
      Message: string }

/// `ConfigurationValid` and `TTLConfigurationValid` from a parse result's field errors and the Mode, with
/// upstream's reasons and message formats.
[<RequireQualifiedAccess>]
module Validation =

    /// What a failing field is about, in the fixed order ztwim reports them: upstream's validation order
    /// (common config, proxy, jwtIssuer, federation), then anything else a stored object breaks.
    type Category =
        | Affinity
        | Tolerations
        | NodeSelector
        | Resources
        | Labels
        | Proxy
        | JwtIssuer
        | Federation
        | Other

    let private under (prefix: string) (path: string) =
        path = prefix
        || path.StartsWith(prefix + ".", StringComparison.Ordinal)
        || path.StartsWith(prefix + "[", StringComparison.Ordinal)

    let private ttlPaths =
        [ "spec.caValidity"; "spec.defaultX509Validity"; "spec.defaultJWTValidity" ]

    /// Whether an error belongs to `TTLConfigurationValid` rather than `ConfigurationValid`.
    let isTtl (e: FieldError) =
        ttlPaths |> List.exists (fun p -> under p e.Path)

    let category (e: FieldError) =
        [ "spec.affinity", Affinity
          "spec.tolerations", Tolerations
          "spec.nodeSelector", NodeSelector
          "spec.resources", Resources
          "spec.labels", Labels
          "spec.jwtIssuer", JwtIssuer
          "spec.federation", Federation ]
        |> List.tryPick (fun (prefix, c) -> if under prefix e.Path then Some c else None)
        |> Option.defaultValue Other

    let reason (c: Category) =
        match c with
        | Affinity -> "InvalidAffinity"
        | Tolerations -> "InvalidTolerations"
        | NodeSelector -> "InvalidNodeSelector"
        | Resources -> "InvalidResources"
        | Labels -> "InvalidLabels"
        | Proxy -> "ProxyConfigurationInvalid"
        | JwtIssuer -> "InvalidJWTIssuerURL"
        | Federation -> "InvalidFederationConfiguration"
        | Other -> "InvalidConfiguration"

    let proxyMessage =
        "Proxy is enabled (HTTP_PROXY/HTTPS_PROXY set) but trusted CA bundle ConfigMap is not configured. set TRUSTED_CA_BUNDLE_CONFIGMAP environment variable in the Subscription."

    let validMessage = "All configuration fields are valid"

    /// Upstream's proxy check (server, agent and OIDC only): a proxy variable set, no trusted CA bundle.
    let proxyInvalid (kind: Kind) (mode: Mode) =
        let checks =
            match kind with
            | Kind.SpireServer
            | Kind.SpireAgent
            | Kind.SpireOIDCDiscoveryProvider -> true
            | Kind.SpiffeCSIDriver
            | Kind.ZeroTrustWorkloadIdentityManager -> false

        let p = mode.Proxy

        checks
        && (p.HttpProxy.IsSome || p.HttpsProxy.IsSome || p.NoProxy.IsSome)
        && mode.TrustedCaBundleConfigMap.IsNone

    let private federationText (e: FieldError) =
        let entry = Regex.Match(e.Path, "^spec\\.federation\\.(federatesWith\\[[0-9]+\\])")

        if entry.Success then
            sprintf "%s: %s" entry.Groups.[1].Value e.Message
        elif under "spec.federation.bundleEndpoint" e.Path then
            "invalid bundle endpoint configuration: " + e.Message
        else
            e.Message

    /// The message for a category, from its errors (already in a fixed order).
    let private message (c: Category) (errors: FieldError list) =
        let joined () =
            errors |> List.map FieldError.describe |> String.concat "; "

        match c with
        | Affinity -> "Affinity validation failed: " + joined ()
        | Tolerations -> "Tolerations validation failed: " + joined ()
        | NodeSelector -> "NodeSelector validation failed: " + joined ()
        | Resources -> "Resources validation failed: " + joined ()
        | Labels -> "Labels validation failed: " + joined ()
        | Proxy -> proxyMessage
        | JwtIssuer -> "JWT issuer URL validation failed: " + (errors |> List.head).Message
        | Federation ->
            "Federation configuration validation failed: "
            + federationText (List.head errors)
        | Other -> "Configuration validation failed: " + joined ()

    let private byPath (errors: FieldError list) =
        errors
        |> List.sortWith (fun a b ->
            match String.CompareOrdinal(a.Path, b.Path) with
            | 0 -> String.CompareOrdinal(a.Message, b.Message)
            | c -> c)

    /// `ConfigurationValid` for a CR of `kind`: the first failing category in the fixed order, with upstream's
    /// reason and message; when more than one field fails, the message also lists them all, sorted (upstream
    /// reports only the last one written). TTL errors go to `TTLConfigurationValid` instead.
    let configurationValid (kind: Kind) (mode: Mode) (errors: FieldError list) : Condition =
        let errors = errors |> List.filter (isTtl >> not) |> byPath

        let failing =
            (errors |> List.groupBy category)
            @ (if proxyInvalid kind mode then [ Proxy, [] ] else [])
            |> List.sortBy fst

        match failing with
        | [] -> Conditions.make "ConfigurationValid" ConditionStatus.True "ConfigurationValid" validMessage
        | (c, es) :: _ ->
            let fields = errors |> List.map _.Path |> List.distinct

            let text =
                if fields.Length > 1 then
                    sprintf "%s (failing fields: %s)" (message c es) (String.concat ", " fields)
                else
                    message c es

            Conditions.make "ConfigurationValid" ConditionStatus.False (reason c) text

    /// A changed immutable field: no operand is written until the change is reverted.
    let immutableFieldChanged (path: string) (applied: Json option) (requested: Json option) : Condition =
        let show = Option.map JsonText.compact >> Option.defaultValue "unset"

        Conditions.make
            "ConfigurationValid"
            ConditionStatus.False
            "ImmutableFieldChanged"
            (sprintf
                "%s is immutable: applied %s, requested %s; revert the change to resume reconciliation"
                path
                (show applied)
                (show requested))

    // Upstream's TTL error texts, in its order; an error ztwim reads that upstream has no text for (a duration
    // that does not parse) comes first, described as ztwim reports it.
    let private ttlError (e: FieldError) =
        let has (s: string) = e.Message.Contains s

        match e.Path with
        | "spec.caValidity" when has "positive" -> 1, "ca_ttl must be a positive duration"
        | "spec.defaultX509Validity" when has "positive" -> 2, "default_x509_svid_ttl must be a positive duration"
        | "spec.defaultJWTValidity" when has "positive" -> 3, "default_jwt_svid_ttl must be a positive duration"
        | "spec.caValidity" when has "defaultJWTValidity" -> 4, "ca_validity must be greater than default_jwt_svid_ttl"
        | "spec.caValidity" when has "defaultX509Validity" -> 5, "ca_validity must be greater than default_ca_ttl"
        | _ -> 0, FieldError.describe e

    let private hour = 3_600_000_000_000L

    /// Upstream's TTL warnings, x509 before jwt: a TTL above min(ca/6, 168h) may not get its full lifetime.
    let ttlWarnings (ca: Duration) (x509: Duration) (jwt: Duration) : string list =
        let limit = min (ca.Nanoseconds / 6L) (168L * hour)

        let show ns =
            Duration.goString (Duration.ofNanoseconds ns)

        [ "default_x509_svid_ttl", x509.Nanoseconds
          "default_jwt_svid_ttl", jwt.Nanoseconds ]
        |> List.filter (fun (_, ttl) -> ttl > limit)
        |> List.map (fun (name, ttl) ->
            if ttl < 168L * hour then
                sprintf
                    "%s is too high for the configured ca_ttl value. SVIDs with shorter lifetimes may be issued. Please set %s to %s or less, or the ca_ttl to %s or more, to guarantee the full %s lifetime when CA rotations are scheduled."
                    name
                    name
                    (show limit)
                    (show (ttl * 6L))
                    name
            elif ca.Nanoseconds < 1008L * hour then
                sprintf
                    "%s is too high and the ca_ttl is too low. SVIDs with shorter lifetimes may be issued. Please set %s to 168h0m0s or less, and the ca_ttl to 1008h0m0s or more, to guarantee the full %s lifetime when CA rotations are scheduled."
                    name
                    name
                    name
            else
                sprintf
                    "%s is too high. SVIDs with shorter lifetimes may be issued. Please set %s to %s or less to guarantee the full %s lifetime when CA rotations are scheduled."
                    name
                    name
                    (show limit)
                    name)

    /// `TTLConfigurationValid` for a SpireServer, with one Warning event per TTL warning. `spec` is the parsed
    /// spec when it parsed; errors on the TTL fields fail the condition whether or not it did. None when
    /// neither is known (the spec failed for other reasons only).
    let ttl (errors: FieldError list) (spec: SpireServerSpec option) : (Condition * Event list) option =
        let failed = errors |> List.filter isTtl |> List.map ttlError |> List.sort

        match failed, spec with
        | (_, text) :: _, _ ->
            Some(Conditions.make "TTLConfigurationValid" ConditionStatus.False "TTLValidationFailed" text, [])
        | [], None -> None
        | [], Some s ->
            match ttlWarnings s.CaValidity s.DefaultX509Validity s.DefaultJWTValidity with
            | [] ->
                Some(
                    Conditions.make
                        "TTLConfigurationValid"
                        ConditionStatus.True
                        "TTLValidationSucceeded"
                        "TTL configuration is valid",
                    []
                )
            | warnings ->
                Some(
                    Conditions.make
                        "TTLConfigurationValid"
                        ConditionStatus.True
                        "TTLValidationWarning"
                        (sprintf "TTL configuration warnings: %d issues found" warnings.Length),
                    warnings
                    |> List.map (fun w ->
                        { Type = "Warning"
                          Reason = "TTLConfigurationWarning"
                          Message = w })
                )
