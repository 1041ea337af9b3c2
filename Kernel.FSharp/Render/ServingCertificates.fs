namespace Ztwim.Kernel.Render

open System
open Ztwim.Kernel

/// The serving certificates OpenShift's service CA makes from a Service annotation, had another way on plain
/// Kubernetes. Without cert-manager the adapter issues a self-signed certificate into the Secret (the request
/// `ServingCertificateFor`). With cert-manager the operator still issues that first one, so that the Secret
/// exists before cert-manager is asked (the operands never wait on a missing Secret, and a user's own Secret of
/// that name is found by our create first), and then hands the Secret to cert-manager: a Certificate that writes
/// the same Secret and renews it, signed by CERT_MANAGER_ISSUER or else by a self-signed Issuer of our own.
[<RequireQualifiedAccess>]
module ServingCertificates =

    /// How long an issued certificate is valid: ours, and what cert-manager is asked for.
    let validity = TimeSpan.FromDays 365.0

    /// A certificate is issued again this long before it expires.
    let renewBefore = TimeSpan.FromDays 30.0

    let certManagerApiVersion = "cert-manager.io/v1"

    /// The self-signed Issuer of the operator's own for `c`, used when CERT_MANAGER_ISSUER is unset. One per
    /// certificate, so that each belongs to the one operand controller that renders it.
    let ownIssuerName (c: ServingCertificate) = c.SecretName + "-selfsigned"

    let private issuerOf (mode: Mode) (c: ServingCertificate) =
        mode.CertManagerIssuer
        |> Option.defaultValue
            { Kind = "Issuer"
              Name = ownIssuerName c }

    /// Whether cert-manager keeps the serving certificates in this mode.
    let byCertManager (mode: Mode) =
        mode.Platform = Kubernetes && mode.CertManager

    let private certManagerObject (c: ServingCertificate) kind name =
        { ApiVersion = certManagerApiVersion
          Kind = kind
          Namespace = Some c.Namespace
          Name = name }

    /// The Certificate that keeps `c`, named as its Secret.
    let certificateRef (c: ServingCertificate) =
        certManagerObject c "Certificate" c.SecretName

    /// The cert-manager objects that keep `c`: its Certificate and our own Issuer if any.
    let certManagerRefs (mode: Mode) (c: ServingCertificate) : ObjectRef list =
        [ certificateRef c
          if mode.CertManagerIssuer.IsNone then
              certManagerObject c "Issuer" (ownIssuerName c) ]

    // Go's rendering of a duration, as cert-manager itself writes one back.
    let private goDuration (t: TimeSpan) =
        sprintf "%dh%dm%ds" (int t.TotalHours) t.Minutes t.Seconds

    /// What the desired state holds for `c`, labelled as `labels` and owned by `owner`: nothing on OpenShift
    /// (the Service annotation does it), the request alone without cert-manager, the request and the
    /// cert-manager objects with it.
    let render (mode: Mode) (labels: Map<string, string>) (owner: Owner) (c: ServingCertificate) : DesiredObject list =
        if mode.Platform = OpenShift then
            []
        elif not mode.CertManager then
            [ ServingCertificateFor c ]
        else
            let issuer = issuerOf mode c

            let create kind name body =
                Manifest.create certManagerApiVersion kind (Some c.Namespace) name labels Map.empty (Some owner) body

            let ownIssuer =
                match mode.CertManagerIssuer with
                | Some _ -> []
                | None -> [ create "Issuer" issuer.Name [ "spec", Json.obj [ "selfSigned", Json.obj [] ] ] ]

            let certificate =
                create
                    "Certificate"
                    c.SecretName
                    [ "spec",
                      Json.obj
                          [ "secretName", Json.String c.SecretName
                            // Our label on the Secret keeps it ours: the informers see it and it is never taken
                            // for a user's own certificate.
                            "secretTemplate",
                            Json.obj
                                [ "labels", Manifest.stringMap (Map.ofList [ Labels.managedByKey, Labels.operatorName ]) ]
                            "dnsNames", Json.Array(c.DnsNames |> List.map Json.String)
                            "duration", Json.String(goDuration validity)
                            "renewBefore", Json.String(goDuration renewBefore)
                            "privateKey",
                            Json.obj
                                [ "algorithm", Json.String "RSA"
                                  "size", Json.num 2048
                                  "rotationPolicy", Json.String "Always" ]
                            "usages",
                            Json.Array(
                                [ "digital signature"; "key encipherment"; "server auth" ]
                                |> List.map Json.String
                            )
                            "issuerRef",
                            Json.obj
                                [ "group", Json.String "cert-manager.io"
                                  "kind", Json.String issuer.Kind
                                  "name", Json.String issuer.Name ] ] ]

            ServingCertificateFor c :: ownIssuer @ [ certificate ]
