using System.Globalization;
using Ztwim.Adapters.Cluster;
using Ztwim.Kernel;

namespace Ztwim.Adapters.Sim;

/// <summary>
/// The DaemonSet controller: one pod per node that the template fits (nodeSelector, affinity, tolerated
/// NoSchedule/NoExecute taints), none elsewhere. A rolling update replaces outdated pods within
/// rollingUpdate.maxUnavailable (default 1; an outdated pod that is not Ready goes at once); OnDelete waits.
/// </summary>
internal sealed class DaemonSetController(Pods pods)
{
    public void Sync(Json ds)
    {
        if (ds.Meta("deletionTimestamp") is not null)
        {
            return;
        }

        var name = ds.Meta("name")!;
        var spec = ds.Get("spec") ?? JsonAccess.EmptyObject;
        var podSpec = spec.At("template", "spec") ?? JsonAccess.EmptyObject;
        var hash = SimIds.Hash(spec.Get("template") ?? JsonAccess.EmptyObject);
        var generation = ds.Int("metadata", "generation") ?? 1;
        var eligible = Eligible(podSpec);

        var byNode = pods.Owned(ds).GroupBy(p => p.Str("spec", "nodeName") ?? "").ToDictionary(g => g.Key, g => g.ToList());
        foreach (var (node, list) in byNode.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var extra = eligible.Contains(node) ? list.Skip(1) : list;
            foreach (var pod in extra)
            {
                pods.Delete(pod);
            }
        }

        foreach (var node in eligible.Where(n => !byNode.ContainsKey(n)))
        {
            pods.Create(
                ds,
                $"{name}-{SimIds.Suffix(pods.Next())}",
                node,
                [("controller-revision-hash", hash), ("pod-template-generation", generation.ToString(CultureInfo.InvariantCulture))],
                []);
        }

        if (spec.Str("updateStrategy", "type") != "OnDelete")
        {
            var onNodes = OnEligibleNodes(ds, eligible);
            var budget = (spec.Int("updateStrategy", "rollingUpdate", "maxUnavailable") ?? 1)
                - eligible.Count(n => !onNodes.TryGetValue(n, out var p) || !Pods.IsReady(p));
            var outdated = onNodes.Values.Where(p => Pods.Label(p, "controller-revision-hash") != hash).ToList();
            foreach (var pod in outdated.Where(p => !Pods.IsReady(p)))
            {
                pods.Delete(pod);
            }

            foreach (var pod in outdated.Where(Pods.IsReady).Take((int)Math.Max(0, budget)))
            {
                pods.Delete(pod);
            }
        }

        var placed = OnEligibleNodes(ds, eligible);
        var all = pods.Owned(ds);
        var ready = placed.Values.Count(Pods.IsReady);
        pods.WriteStatus(
            ds,
            Pods.Status(
                ("currentNumberScheduled", placed.Count, false),
                ("numberMisscheduled", all.Count(p => !eligible.Contains(p.Str("spec", "nodeName") ?? "")), false),
                ("desiredNumberScheduled", eligible.Count, false),
                ("numberReady", ready, false),
                ("observedGeneration", generation, true),
                ("updatedNumberScheduled", placed.Values.Count(p => Pods.Label(p, "controller-revision-hash") == hash), true),
                ("numberAvailable", ready, true),
                ("numberUnavailable", eligible.Count - ready, true)),
            Pods.Manager);
    }

    private List<string> Eligible(Json podSpec) =>
        [.. pods.Nodes().Where(n => Scheduling.Fits(podSpec, n, true)).Select(n => n.Meta("name")!).Order(StringComparer.Ordinal)];

    private SortedDictionary<string, Json> OnEligibleNodes(Json ds, List<string> eligible)
    {
        var result = new SortedDictionary<string, Json>(StringComparer.Ordinal);
        foreach (var pod in pods.Owned(ds))
        {
            var node = pod.Str("spec", "nodeName") ?? "";
            if (eligible.Contains(node) && !result.ContainsKey(node))
            {
                result[node] = pod;
            }
        }

        return result;
    }
}
