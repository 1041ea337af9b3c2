using Ztwim.Adapters.Cluster;
using Ztwim.Kernel;

namespace Ztwim.Adapters.Sim;

/// <summary>
/// The Deployment controller, without ReplicaSets: pods labelled with the template's hash
/// (<c>pod-template-hash</c>). A rolling update starts all new pods at once and removes the old ones when the
/// new ones are all Ready; Recreate removes the old ones first.
/// </summary>
internal sealed class DeploymentController(Pods pods)
{
    public void Sync(Json deployment)
    {
        if (deployment.Meta("deletionTimestamp") is not null)
        {
            return;
        }

        var name = deployment.Meta("name")!;
        var spec = deployment.Get("spec") ?? JsonAccess.EmptyObject;
        var replicas = spec.Int("replicas") ?? 1;
        var hash = SimIds.Hash(spec.Get("template") ?? JsonAccess.EmptyObject);
        var recreate = spec.Str("strategy", "type") == "Recreate";

        var owned = pods.Owned(deployment);
        var current = owned.Where(p => Pods.Label(p, "pod-template-hash") == hash).ToList();
        var old = owned.Where(p => Pods.Label(p, "pod-template-hash") != hash).ToList();
        if (recreate || (current.Count(Pods.IsReady) >= replicas && old.Count > 0))
        {
            old.ForEach(pods.Delete);
        }

        if (current.Count > replicas)
        {
            current.OrderByDescending(p => p.Meta("name"), StringComparer.Ordinal).Take(current.Count - (int)replicas).ToList().ForEach(pods.Delete);
        }

        var podSpec = spec.At("template", "spec") ?? JsonAccess.EmptyObject;
        for (var i = current.Count; i < replicas; i++)
        {
            var n = pods.Next();
            pods.Create(deployment, $"{name}-{hash}-{SimIds.Suffix(n)}", Scheduling.Place(podSpec, pods.Nodes(), n), [("pod-template-hash", hash)], []);
        }

        owned = pods.Owned(deployment);
        var ready = owned.Count(Pods.IsReady);
        pods.WriteStatus(
            deployment,
            Pods.Status(
                ("observedGeneration", deployment.Int("metadata", "generation") ?? 1, true),
                ("replicas", owned.Count, true),
                ("updatedReplicas", owned.Count(p => Pods.Label(p, "pod-template-hash") == hash), true),
                ("readyReplicas", ready, true),
                ("availableReplicas", ready, true),
                ("unavailableReplicas", Math.Max(0, replicas - ready), true)),
            Pods.Manager);
    }
}
