using Ztwim.Adapters.Cluster;
using Ztwim.Kernel;

namespace Ztwim.Adapters.Sim;

/// <summary>
/// Which part of an object a write may change. A write to the main resource changes everything but the
/// server's own metadata (uid, resourceVersion, generation, timestamps, managedFields) and, for kinds with a
/// status subresource, the status; a write to the status subresource changes the status alone.
/// </summary>
internal static class ObjectScope
{
    private static readonly string[] SystemMetadata =
    [
        "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
        "deletionGracePeriodSeconds", "managedFields", "selfLink",
    ];

    // Built-in kinds and the CRDs we do not ship (cert-manager's); our own CRDs say for themselves.
    private static readonly HashSet<(string, string)> WithStatus =
    [
        ("apps", "StatefulSet"), ("apps", "DaemonSet"), ("apps", "Deployment"),
        ("", "Pod"), ("", "Node"), ("", "PersistentVolumeClaim"), ("", "Namespace"),
        ("cert-manager.io", "Certificate"), ("cert-manager.io", "Issuer"),
    ];

    // The kinds a real API server keeps a metadata.generation for (seen on kube-apiserver v1.36): the workloads, pods,
    // webhook configurations, PodDisruptionBudgets, Jobs and every custom kind; ConfigMaps, Secrets, Services, RBAC,
    // CSIDrivers and the rest have none.
    private static readonly HashSet<(string, string)> WithGeneration =
    [
        ("apps", "StatefulSet"), ("apps", "DaemonSet"), ("apps", "Deployment"), ("", "Pod"),
        ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
        ("policy", "PodDisruptionBudget"), ("batch", "Job"),
    ];

    public static bool HasStatusSubresource(ResourceType type) =>
        WithStatus.Contains((type.Group, type.Kind)) || CrdSchemas.HasStatusSubresource(type);

    /// <summary>Whether objects of the kind carry a generation (built-ins with one, and every custom kind).</summary>
    public static bool HasGeneration(ResourceType type) =>
        WithGeneration.Contains((type.Group, type.Kind)) || type.Group.Contains('.') && !type.Group.EndsWith(".k8s.io", StringComparison.Ordinal);

    /// <summary>The part of <paramref name="obj"/> a write to the main resource (or the status) may change.</summary>
    public static Json Part(Json obj, ResourceType type, bool status)
    {
        if (status)
        {
            return obj.Get("status") is { } s ? JsonAccess.Object(("status", s)) : JsonAccess.EmptyObject;
        }

        var part = obj.Set("apiVersion", null).Set("kind", null);
        if (HasStatusSubresource(type))
        {
            part = part.Set("status", null);
        }

        var metadata = obj.Get("metadata") ?? JsonAccess.EmptyObject;
        foreach (var field in SystemMetadata)
        {
            metadata = metadata.Set(field, null);
        }

        return part.Set("metadata", metadata.IsEmptyObject() ? null : metadata);
    }

    /// <summary>The <paramref name="current"/> object with its changeable part replaced by <paramref name="part"/>.</summary>
    public static Json Compose(Json current, Json part, ResourceType type, bool status)
    {
        if (status)
        {
            return current.Set("status", part.Get("status"));
        }

        var result = part.Set("apiVersion", JsonAccess.Of(type.ApiVersion)).Set("kind", JsonAccess.Of(type.Kind));
        if (HasStatusSubresource(type))
        {
            result = result.Set("status", current.Get("status"));
        }

        var metadata = part.Get("metadata") ?? JsonAccess.EmptyObject;
        foreach (var field in SystemMetadata)
        {
            metadata = metadata.Set(field, current.Get("metadata").Get(field));
        }

        return result.Set("metadata", metadata);
    }

    /// <summary>What the generation follows: everything outside metadata and status.</summary>
    public static Json Generational(Json obj) => obj.Set("metadata", null).Set("status", null);

    /// <summary>The value with null members removed at every depth (a null member means absent).</summary>
    public static Json WithoutNulls(Json value) =>
        value switch
        {
            Json.Object o => JsonAccess.Object(o.Item.Where(kv => !kv.Value.IsNull)
                .Select(kv => new KeyValuePair<string, Json>(kv.Key, WithoutNulls(kv.Value)))),
            Json.Array a => JsonAccess.Array(a.Item.Select(WithoutNulls)),
            _ => value,
        };
}
