namespace Ztwim.Kernel.Api

open Ztwim.Kernel

/// The transition rules (CEL rules with oldSelf): what may not change once a CR is stored. The simulated
/// API server rejects such updates, and the controllers refuse to act on them, with these errors.
[<RequireQualifiedAccess>]
module Immutability =

    let private changed path message (before: 'a) (after: 'a) (show: 'a -> Json option) =
        if before = after then
            None
        else
            Some(FieldError.admission path message (show after))

    let private text (s: string) = Some(Json.String s)

    /// ZeroTrustWorkloadIdentityManager: trust domain, cluster name and bundle ConfigMap are fixed.
    let ztwim (before: ZtwimSpec) (after: ZtwimSpec) =
        Validated.errorsOf
            [ changed
                  "spec.trustDomain"
                  "trustDomain is immutable and cannot be changed"
                  before.TrustDomain
                  after.TrustDomain
                  text
              changed
                  "spec.clusterName"
                  "clusterName is immutable and cannot be changed"
                  before.ClusterName
                  after.ClusterName
                  text
              changed
                  "spec.bundleConfigMap"
                  "bundleConfigMap is immutable and cannot be changed"
                  before.BundleConfigMap
                  after.BundleConfigMap
                  text ]

    let private federation (before: Federation option) (after: Federation option) =
        match before, after with
        | Some _, None ->
            [ FieldError.admission "spec.federation" "Federation configuration cannot be removed once set." None ]
        | Some b, Some a ->
            let profile =
                changed
                    "spec.federation.bundleEndpoint.profile"
                    "profile is immutable and cannot be changed once set"
                    b.BundleEndpoint.Profile
                    a.BundleEndpoint.Profile
                    (Scalars.spell Federation.profiles >> text)

            let switched =
                match b.BundleEndpoint.HttpsWeb, a.BundleEndpoint.HttpsWeb with
                | Some(Acme _), Some(ServingCert _) ->
                    Some(
                        FieldError.admission
                            "spec.federation.bundleEndpoint.httpsWeb.acme"
                            "cannot switch from acme to servingCert configuration"
                            None
                    )
                | Some(ServingCert _), Some(Acme _) ->
                    Some(
                        FieldError.admission
                            "spec.federation.bundleEndpoint.httpsWeb.servingCert"
                            "cannot switch from servingCert to acme configuration"
                            None
                    )
                | _ -> None

            Validated.errorsOf [ profile; switched ]
        | None, _ -> []

    /// SpireServer: persistence is fixed, federation cannot be removed, its profile and certificate source are fixed.
    let spireServer (before: SpireServerSpec) (after: SpireServerSpec) =
        let p, q = before.Persistence, after.Persistence

        Validated.errorsOf
            [ changed "spec.persistence.size" "spec.persistence.size is immutable" p.Size q.Size text
              changed
                  "spec.persistence.accessMode"
                  "spec.persistence.accessMode is immutable"
                  p.AccessMode
                  q.AccessMode
                  (Scalars.spell SpireServerSpec.accessModes >> text)
              changed
                  "spec.persistence.storageClass"
                  "spec.persistence.storageClass is immutable"
                  p.StorageClass
                  q.StorageClass
                  text ]
        @ federation before.Federation after.Federation

    /// Every immutability rule broken by changing `before` into `after` (two CRs of the same kind).
    let violations (before: AnyResource) (after: AnyResource) : FieldError list =
        match before, after with
        | Ztwim b, Ztwim a -> ztwim b.Spec a.Spec
        | SpireServer b, SpireServer a -> spireServer b.Spec a.Spec
        | _ -> []
