using Ztwim.Adapters.Cluster;
using Ztwim.Kernel;

namespace Ztwim.Adapters.Sim;

/// <summary>
/// Which nodes a pod fits: its nodeSelector, the required node affinity (matchExpressions In, NotIn, Exists,
/// DoesNotExist; matchFields on metadata.name), and the node's NoSchedule / NoExecute taints, which its
/// tolerations must tolerate. Resources, ports and pod (anti-)affinity are not modelled.
/// </summary>
internal static class Scheduling
{
    // The node-condition taints the DaemonSet controller adds tolerations for on every daemon pod.
    private static readonly HashSet<string> DaemonTolerated =
    [
        "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable", "node.kubernetes.io/unschedulable",
        "node.kubernetes.io/disk-pressure", "node.kubernetes.io/memory-pressure", "node.kubernetes.io/pid-pressure",
        "node.kubernetes.io/network-unavailable",
    ];

    public static bool Fits(Json podSpec, Json node, bool daemon)
    {
        var labels = node.Labels();
        if (podSpec.Members("nodeSelector").Any(kv => !labels.TryGetValue(kv.Key, out var v) || kv.Value is not Json.String s || s.Item != v))
        {
            return false;
        }

        if (!daemon && node.At("spec", "unschedulable") is Json.Bool { Item: true })
        {
            return false;
        }

        var terms = podSpec.Items("affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms");
        if (terms.Count > 0 && !terms.Any(t => TermMatches(t, node.Meta("name") ?? "", labels)))
        {
            return false;
        }

        var tolerations = podSpec.Items("tolerations");
        return node.Items("spec", "taints")
            .Where(t => t.Str("effect") is "NoSchedule" or "NoExecute")
            .Where(t => !(daemon && DaemonTolerated.Contains(t.Str("key") ?? "")))
            .All(t => tolerations.Any(tol => Tolerates(tol, t)));
    }

    /// <summary>The node for the <paramref name="index"/>-th pod among those it fits (round robin by name), or null.</summary>
    public static string? Place(Json podSpec, IEnumerable<Json> nodes, long index)
    {
        var fitting = nodes.Where(n => Fits(podSpec, n, false)).Select(n => n.Meta("name")!).Order(StringComparer.Ordinal).ToList();
        return fitting.Count == 0 ? null : fitting[(int)(index % fitting.Count)];
    }

    private static bool Tolerates(Json toleration, Json taint)
    {
        var key = toleration.Str("key") ?? "";
        var op = toleration.Str("operator") ?? "Equal";
        var effect = toleration.Str("effect") ?? "";
        if (effect != "" && effect != taint.Str("effect"))
        {
            return false;
        }

        if (key == "")
        {
            return op == "Exists";
        }

        return key == taint.Str("key") && (op == "Exists" || (toleration.Str("value") ?? "") == (taint.Str("value") ?? ""));
    }

    private static bool TermMatches(Json term, string nodeName, IReadOnlyDictionary<string, string> labels)
    {
        var byLabel = term.Items("matchExpressions").All(e => Matches(e, labels.TryGetValue(e.Str("key") ?? "", out var v) ? v : null));
        var byField = term.Items("matchFields").All(e => Matches(e, e.Str("key") == "metadata.name" ? nodeName : null));
        return byLabel && byField && (term.Items("matchExpressions").Count + term.Items("matchFields").Count > 0);
    }

    private static bool Matches(Json expression, string? value)
    {
        var values = expression.Items("values").OfType<Json.String>().Select(s => s.Item).ToList();
        return expression.Str("operator") switch
        {
            "In" => value is not null && values.Contains(value),
            "NotIn" => value is null || !values.Contains(value),
            "Exists" => value is not null,
            "DoesNotExist" => value is null,
            _ => false,
        };
    }
}
