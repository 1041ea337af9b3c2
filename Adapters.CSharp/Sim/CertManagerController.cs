using Ztwim.Adapters.Cluster;
using Ztwim.Kernel;

namespace Ztwim.Adapters.Sim;

/// <summary>
/// cert-manager, as far as the operator relies on it, on a cluster that serves cert-manager.io: a short while
/// after a Certificate changes (or its Secret goes, or an Issuer appears) the Certificate is issued into its
/// Secret when its issuer exists, as cert-manager does: the Secret is created, or an existing one taken over
/// (its data replaced, the secretTemplate's labels and cert-manager's annotations added, everything else kept),
/// and the Certificate marked Ready. A Secret already issued for the same names and issuer is left alone, so a
/// settled cluster stays quiet. No key is made: the data only says what it stands for and when it was issued.
/// </summary>
internal sealed class CertManagerController
{
    public const string Manager = "cert-manager-certificates-issuing";

    public const string CertificateNameAnnotation = "cert-manager.io/certificate-name";
    public const string IssuerNameAnnotation = "cert-manager.io/issuer-name";
    public const string IssuerKindAnnotation = "cert-manager.io/issuer-kind";
    public const string DnsNamesAnnotation = "cert-manager.io/alt-names";

    public static readonly ResourceType Certificate = ResourceTypes.Find("cert-manager.io/v1", "Certificate")!;
    public static readonly ResourceType Issuer = ResourceTypes.Find("cert-manager.io/v1", "Issuer")!;
    private static readonly ResourceType Secret = ResourceTypes.Find("v1", "Secret")!;

    private readonly ObjectStore store;
    private readonly ApiServer api;
    private readonly Scheduler scheduler;
    private readonly MarkedKeys<(string Ns, string Name)> marked;

    public CertManagerController(ObjectStore store, ApiServer api, Scheduler scheduler, TimeSpan delay)
    {
        this.store = store;
        this.api = api;
        this.scheduler = scheduler;
        marked = new(scheduler, delay, Sync);
        store.Subscribe(OnChange);
    }

    private void OnChange(SimChange change)
    {
        var ns = change.Object.Meta("namespace") ?? "";
        if (change.Type == Certificate && change.Kind != WatchEventType.Deleted)
        {
            Mark(ns, change.Object.Meta("name") ?? "");
        }
        else if ((change.Type == Secret && change.Kind == WatchEventType.Deleted) || (change.Type == Issuer && change.Kind == WatchEventType.Added))
        {
            foreach (var certificate in store.List(Certificate, ns))
            {
                Mark(ns, certificate.Meta("name") ?? "");
            }
        }
    }

    private void Mark(string ns, string name) => marked.Mark((ns, name));

    private void Sync((string Ns, string Name) key)
    {
        if (store.Get(Certificate, key.Ns, key.Name) is { } certificate && certificate.Meta("deletionTimestamp") is null)
        {
            Issue(certificate, key.Ns, key.Name);
        }
    }

    private void Issue(Json certificate, string ns, string name)
    {
        var spec = certificate.Get("spec") ?? JsonAccess.EmptyObject;
        var secretName = spec.Str("secretName");
        var issuerKind = spec.Str("issuerRef", "kind") ?? "Issuer";
        var issuerName = spec.Str("issuerRef", "name");
        // A ClusterIssuer is not modelled: it is taken to exist. A missing Issuer leaves the Certificate waiting.
        if (secretName is null || issuerName is null || (issuerKind == "Issuer" && store.Get(Issuer, ns, issuerName) is null))
        {
            return;
        }

        var names = string.Join(",", spec.Items("dnsNames").Select(n => n is Json.String s ? s.Item : ""));
        var annotations = new[]
        {
            (CertificateNameAnnotation, name), (IssuerNameAnnotation, issuerName), (IssuerKindAnnotation, issuerKind), (DnsNamesAnnotation, names),
        };
        var templateLabels = spec.Members("secretTemplate", "labels").Select(kv => (kv.Key, kv.Value)).ToList();

        var existing = store.Get(Secret, ns, secretName);
        var issued = existing is not null
                     && annotations.All(a => existing.Str("metadata", "annotations", a.Item1) == a.Item2)
                     && templateLabels.All(l => existing.At("metadata", "labels", l.Key) is { } v && v.Equals(l.Value));
        if (!issued)
        {
            var secret = existing ?? JsonAccess.Object(
                ("apiVersion", JsonAccess.Of("v1")),
                ("kind", JsonAccess.Of("Secret")),
                ("metadata", JsonAccess.Object(("name", JsonAccess.Of(secretName)), ("namespace", JsonAccess.Of(ns)))),
                ("type", JsonAccess.Of("kubernetes.io/tls")));
            foreach (var (key, value) in annotations)
            {
                secret = secret.With(["metadata", "annotations", key], JsonAccess.Of(value));
            }

            foreach (var (key, value) in templateLabels)
            {
                secret = secret.With(["metadata", "labels", key], value);
            }

            // A new key and certificate each time, as cert-manager makes: a needless re-issue shows as a change.
            var data = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes($"issued by {issuerKind}/{issuerName} for {names} at {scheduler.NowText}"));
            secret = secret
                .With(["data", "tls.crt"], JsonAccess.Of(data))
                .With(["data", "tls.key"], JsonAccess.Of(data));
            var written = existing is null ? api.Create(secret, Manager) : api.Update(secret, Manager, false);
            if (!written.IsOk)
            {
                // Changed under us (a write raced this one): the change marks the Certificate again.
                return;
            }
        }

        if (!certificate.Items("status", "conditions").Any(c => c.Str("type") == "Ready" && c.Str("status") == "True")
            || certificate.Int("status", "observedGeneration") != certificate.Int("metadata", "generation"))
        {
            var condition = JsonAccess.Object(
                ("type", JsonAccess.Of("Ready")),
                ("status", JsonAccess.Of("True")),
                ("reason", JsonAccess.Of("Ready")),
                ("message", JsonAccess.Of("Certificate is up to date and has not expired")),
                ("lastTransitionTime", JsonAccess.Of(scheduler.NowText)));
            var status = JsonAccess.Object(
                ("conditions", JsonAccess.Array([condition])),
                ("observedGeneration", JsonAccess.Of(certificate.Int("metadata", "generation") ?? 1)));
            api.Update(certificate.Set("status", status), Manager, true);
        }
    }
}
