using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Ztwim.Adapters.Cluster;
using Ztwim.Kernel;
using Ztwim.Kernel.Reconcile;
using Ztwim.Kernel.Render;

namespace Ztwim.Adapters.Runtime;

/// <summary>
/// On plain Kubernetes, makes the serving certificates OpenShift's service CA would: a self-signed certificate
/// for the Service's DNS names and its key, in a <c>kubernetes.io/tls</c> Secret labelled as ours (so the
/// informers see it and the kernel counts it as desired), with the expiry recorded for the kernel's renewal.
/// The kernel decides when (<see cref="Certificates"/>); this is the randomness it cannot have.
/// </summary>
public static class ServingCertificateIssuer
{
    /// <summary>The Secret for <paramref name="certificate"/>, valid from <paramref name="now"/>.</summary>
    public static Json SecretFor(ServingCertificate certificate, DateTimeOffset now)
    {
        var names = certificate.DnsNames.ToList();
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(
            new X500DistinguishedName($"CN={(names.Count > 0 ? names[0] : certificate.SecretName)}"),
            key,
            HashAlgorithmName.SHA256,
            RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            san.AddDnsName(name);
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1")], false));

        // A little before now, so that a clock slightly behind ours already trusts it.
        var notBefore = now - TimeSpan.FromMinutes(5);
        var notAfter = now + ServingCertificates.validity;
        using var issued = request.CreateSelfSigned(notBefore, notAfter);
        var crt = issued.ExportCertificatePem();
        var pem = key.ExportPkcs8PrivateKeyPem();

        return JsonAccess.Object(
            ("apiVersion", JsonAccess.Of("v1")),
            ("kind", JsonAccess.Of("Secret")),
            ("metadata", JsonAccess.Object(
                ("name", JsonAccess.Of(certificate.SecretName)),
                ("namespace", JsonAccess.Of(certificate.Namespace)),
                ("labels", JsonAccess.Object((Labels.managedByKey, JsonAccess.Of(Labels.operatorName)))),
                ("annotations", JsonAccess.Object(
                    (Certificates.notAfterAnnotation, JsonAccess.Of(notAfter.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"))))))),
            ("type", JsonAccess.Of("kubernetes.io/tls")),
            ("data", JsonAccess.Object(
                ("tls.crt", JsonAccess.Of(Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(crt)))),
                ("tls.key", JsonAccess.Of(Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(pem)))))));
    }
}
