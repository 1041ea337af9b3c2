using Ztwim.Adapters.Cluster;
using Ztwim.Kernel;
using Ztwim.Kernel.Api;
using Ztwim.Kernel.Render;

namespace Ztwim.Adapters.Runtime;

/// <summary>
/// Which controllers an event concerns. The five controllers are keyed by their CR kind; an owned object
/// belongs to the controller of its component label (or, failing that, of its owner reference); a change to the
/// ZeroTrustWorkloadIdentityManager concerns every controller, and a change to an operand CR concerns the
/// ZeroTrustWorkloadIdentityManager too, whose status summarises the operands.
/// </summary>
public static class ControllerKeys
{
    /// <summary>Every controller key, ZTWIM first.</summary>
    public static readonly IReadOnlyList<string> All = [.. KindModule.all.Select(KindModule.name)];

    private static readonly string Ztwim = KindModule.name(Kind.ZeroTrustWorkloadIdentityManager);

    private static readonly Dictionary<string, string> ByComponent =
        KindModule.all
            .SelectMany(k => global::Ztwim.Kernel.Reconcile.Operand.components(k).Select(c => (c, KindModule.name(k))))
            .ToDictionary(p => p.c, p => p.Item2);

    /// <summary>The kernel's Kind of a controller key.</summary>
    public static Kind KindOf(string key) =>
        KindModule.tryParse(key) is { } k ? k.Value : throw new ArgumentException($"not a controller key: {key}");

    /// <summary>The controllers an event on a CR concerns.</summary>
    public static IEnumerable<string> ForCr(string kind) =>
        kind == Ztwim ? All : [kind, Ztwim];

    /// <summary>The controllers an event on an owned object concerns (none when it names no known owner).</summary>
    public static IEnumerable<string> ForOwned(Json obj)
    {
        if (obj.Labels().TryGetValue(Labels.componentKey, out var component)
            && ByComponent.TryGetValue(component, out var key))
        {
            return [key];
        }

        return obj.Items("metadata", "ownerReferences")
            .Select(o => o.Str("kind"))
            .Where(k => k is not null && KindModule.tryParse(k) is not null)
            .Select(k => k!)
            .Distinct();
    }

    /// <summary>The label selector of the owned-object informers.</summary>
    public static readonly string ManagedBySelector = $"{Labels.managedByKey}={Labels.operatorName}";
}
