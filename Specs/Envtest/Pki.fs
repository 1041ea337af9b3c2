/// The control plane's certificates, made in-process: a CA, the API server's serving certificate for the
/// loopback address, an admin client certificate in system:masters, and the service-account signing key.
module Ztwim.Specs.Envtest.Pki

open System
open System.Net
open System.Security.Cryptography
open System.Security.Cryptography.X509Certificates

/// A certificate and its private key, both PEM.
type KeyPair =
    { CertificatePem: string
      KeyPem: string }

type Pki =
    {
        Ca: KeyPair
        Serving: KeyPair
        Admin: KeyPair
        /// The service-account token signing key (private) and the key the API server verifies with (public).
        ServiceAccountKeyPem: string
        ServiceAccountPublicPem: string
    }

// A day is far longer than any test run; a minute of back-dating covers clock skew between processes.
let private validity () =
    let now = DateTimeOffset.UtcNow
    now.AddMinutes -1.0, now.AddDays 1.0

let private serial () = RandomNumberGenerator.GetBytes 16

let private pair (cert: X509Certificate2) (key: RSA) =
    { CertificatePem = cert.ExportCertificatePem()
      KeyPem = key.ExportPkcs8PrivateKeyPem() }

let private makeCa () =
    let key = RSA.Create 2048

    let request =
        CertificateRequest("CN=ztwim-envtest-ca", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)

    request.CertificateExtensions.Add(X509BasicConstraintsExtension(true, false, 0, true))

    request.CertificateExtensions.Add(
        X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign ||| X509KeyUsageFlags.CrlSign, true)
    )

    request.CertificateExtensions.Add(X509SubjectKeyIdentifierExtension(request.PublicKey, false))
    let notBefore, notAfter = validity ()
    request.CreateSelfSigned(notBefore, notAfter), key

/// A leaf signed by the CA: a server certificate with SANs, or a client certificate.
let private makeLeaf
    (ca: X509Certificate2)
    (subject: string)
    (usage: string)
    (sans: SubjectAlternativeNameBuilder option)
    =
    let key = RSA.Create 2048

    let request =
        CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)

    request.CertificateExtensions.Add(X509BasicConstraintsExtension(false, false, 0, true))

    request.CertificateExtensions.Add(
        X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature ||| X509KeyUsageFlags.KeyEncipherment, true)
    )

    let usages = OidCollection()
    usages.Add(Oid usage) |> ignore
    request.CertificateExtensions.Add(X509EnhancedKeyUsageExtension(usages, false))
    request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false))
    sans |> Option.iter (fun b -> request.CertificateExtensions.Add(b.Build()))
    let notBefore, notAfter = validity ()
    // Made a moment after the CA, a leaf must still not outlive it (.NET refuses to sign one that would).
    let notAfter = min notAfter (DateTimeOffset ca.NotAfter)
    use cert = request.Create(ca, notBefore, notAfter, serial ())
    pair cert key

let private serverAuth = "1.3.6.1.5.5.7.3.1"
let private clientAuth = "1.3.6.1.5.5.7.3.2"

/// Everything a control plane on 127.0.0.1 needs.
let create () : Pki =
    let ca, caKey = makeCa ()
    use ca = ca
    use caKey = caKey
    let sans = SubjectAlternativeNameBuilder()
    sans.AddIpAddress IPAddress.Loopback
    sans.AddDnsName "localhost"
    // The in-cluster names, so a client that dials the service address by name would verify too.
    sans.AddDnsName "kubernetes.default.svc"
    use serviceAccount = RSA.Create 2048

    { Ca = pair ca caKey
      Serving = makeLeaf ca "CN=kube-apiserver" serverAuth (Some sans)
      Admin = makeLeaf ca "CN=ztwim-envtest-admin, O=system:masters" clientAuth None
      ServiceAccountKeyPem = serviceAccount.ExportPkcs8PrivateKeyPem()
      ServiceAccountPublicPem = serviceAccount.ExportSubjectPublicKeyInfoPem() }
