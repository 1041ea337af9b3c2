using System.Globalization;
using Ztwim.Adapters.Cluster;
using Ztwim.Kernel;

namespace Ztwim.Adapters.Sim;

/// <summary>
/// The StatefulSet controller: pods <c>name-0 .. name-(replicas-1)</c>, created in order, each once the ones
/// before it are Ready (all at once with podManagementPolicy Parallel); a claim
/// <c>template-name-ordinal</c> per volumeClaimTemplate, created once and never deleted; a rolling update
/// replaces one outdated pod at a time from the highest ordinal (down to the partition), when all are
/// Ready; OnDelete waits for someone to delete them.
/// </summary>
internal sealed class StatefulSetController(Pods pods)
{
    public void Sync(Json sts)
    {
        if (sts.Meta("deletionTimestamp") is not null)
        {
            return;
        }

        var name = sts.Meta("name")!;
        var spec = sts.Get("spec") ?? JsonAccess.EmptyObject;
        var replicas = spec.Int("replicas") ?? 1;
        var revision = $"{name}-{SimIds.Hash(spec.Get("template") ?? JsonAccess.EmptyObject)}";
        var parallel = spec.Str("podManagementPolicy") == "Parallel";
        var rolling = spec.Str("updateStrategy", "type") != "OnDelete";
        var partition = spec.Int("updateStrategy", "rollingUpdate", "partition") ?? 0;

        var byOrdinal = ByOrdinal(sts);
        var excess = byOrdinal.Where(kv => kv.Key >= replicas).OrderByDescending(kv => kv.Key).Select(kv => kv.Value).ToList();
        if (excess.Count > 0)
        {
            foreach (var pod in parallel ? excess : excess.Take(1))
            {
                pods.Delete(pod);
            }
        }
        else
        {
            for (var i = 0L; i < replicas; i++)
            {
                if (byOrdinal.ContainsKey(i))
                {
                    continue;
                }

                if (!parallel && Enumerable.Range(0, (int)i).Any(j => !byOrdinal.TryGetValue(j, out var p) || !Pods.IsReady(p)))
                {
                    break;
                }

                Create(sts, i, revision);
                if (!parallel)
                {
                    break;
                }
            }

            byOrdinal = ByOrdinal(sts);
            var complete = Enumerable.Range(0, (int)replicas).All(i => byOrdinal.TryGetValue(i, out var p) && Pods.IsReady(p));
            if (rolling && complete)
            {
                var outdated = byOrdinal
                    .Where(kv => kv.Key >= partition && Pods.Label(kv.Value, "controller-revision-hash") != revision)
                    .OrderByDescending(kv => kv.Key)
                    .Select(kv => kv.Value)
                    .FirstOrDefault();
                if (outdated is not null)
                {
                    pods.Delete(outdated);
                }
            }
        }

        WriteStatus(sts, replicas, revision);
    }

    private void WriteStatus(Json sts, long replicas, string revision)
    {
        var owned = pods.Owned(sts);
        var ready = owned.Count(Pods.IsReady);
        var updated = owned.Count(p => Pods.Label(p, "controller-revision-hash") == revision);
        var currentRevision = sts.Str("status", "currentRevision") ?? revision;
        if (updated == replicas && owned.Count == replicas)
        {
            currentRevision = revision;
        }

        var status = Pods.Status(
                ("observedGeneration", sts.Int("metadata", "generation") ?? 1, true),
                ("replicas", owned.Count, false),
                ("readyReplicas", ready, true),
                ("currentReplicas", owned.Count(p => Pods.Label(p, "controller-revision-hash") == currentRevision), true),
                ("updatedReplicas", updated, true),
                ("availableReplicas", ready, false),
                ("collisionCount", 0, true))
            .Set("currentRevision", JsonAccess.Of(currentRevision))
            .Set("updateRevision", JsonAccess.Of(revision));
        pods.WriteStatus(sts, status, Pods.Manager);
    }

    private Dictionary<long, Json> ByOrdinal(Json sts)
    {
        var prefix = sts.Meta("name") + "-";
        var result = new Dictionary<long, Json>();
        foreach (var pod in pods.Owned(sts))
        {
            var podName = pod.Meta("name") ?? "";
            if (podName.StartsWith(prefix, StringComparison.Ordinal)
                && long.TryParse(podName[prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var ordinal))
            {
                result[ordinal] = pod;
            }
        }

        return result;
    }

    private void Create(Json sts, long ordinal, string revision)
    {
        var name = sts.Meta("name")!;
        var ns = sts.Meta("namespace")!;
        var podName = $"{name}-{ordinal.ToString(CultureInfo.InvariantCulture)}";
        var volumes = new List<Json>();
        foreach (var template in sts.Items("spec", "volumeClaimTemplates"))
        {
            var templateName = template.Meta("name") ?? "";
            var claimName = $"{templateName}-{podName}";
            EnsureClaim(sts, template, claimName, ns);
            volumes.Add(JsonAccess.Object(
                ("name", JsonAccess.Of(templateName)),
                ("persistentVolumeClaim", JsonAccess.Object(("claimName", JsonAccess.Of(claimName))))));
        }

        var podSpec = sts.At("spec", "template", "spec") ?? JsonAccess.EmptyObject;
        pods.Create(
            sts,
            podName,
            Scheduling.Place(podSpec, pods.Nodes(), ordinal),
            [
                ("controller-revision-hash", revision),
                ("statefulset.kubernetes.io/pod-name", podName),
                ("apps.kubernetes.io/pod-index", ordinal.ToString(CultureInfo.InvariantCulture)),
            ],
            volumes);
    }

    // Like the real controller: the claim carries the template's labels and the StatefulSet's selector labels,
    // has no owner (so it outlives the StatefulSet), and is bound at once.
    private void EnsureClaim(Json sts, Json template, string claimName, string ns)
    {
        if (pods.Store.Get(Pods.Claim, ns, claimName) is not null)
        {
            return;
        }

        var labels = template.Members("metadata", "labels").ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var (k, v) in sts.Members("spec", "selector", "matchLabels"))
        {
            labels[k] = v;
        }

        var spec = template.Get("spec") ?? JsonAccess.EmptyObject;
        var claim = JsonAccess.Object(
            ("apiVersion", JsonAccess.Of("v1")),
            ("kind", JsonAccess.Of("PersistentVolumeClaim")),
            ("metadata", JsonAccess.Object(
                ("name", JsonAccess.Of(claimName)),
                ("namespace", JsonAccess.Of(ns)),
                ("labels", JsonAccess.Object(labels)))),
            ("spec", spec));
        var created = pods.Api.Create(claim, Pods.Manager);
        if (created.IsOk)
        {
            pods.WriteStatus(
                created.Value,
                JsonAccess.Object(
                    ("phase", JsonAccess.Of("Bound")),
                    ("accessModes", spec.Get("accessModes") ?? JsonAccess.Array([])),
                    ("capacity", JsonAccess.Object(("storage", spec.At("resources", "requests", "storage") ?? JsonAccess.Of("1Gi"))))),
                "persistentvolume-controller");
        }
    }
}
