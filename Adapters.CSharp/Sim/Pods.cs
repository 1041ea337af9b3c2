using Ztwim.Adapters.Cluster;
using Ztwim.Kernel;

namespace Ztwim.Adapters.Sim;

/// <summary>
/// What the workload controllers share: the pods a workload owns (by controller reference), making a pod
/// from the workload's template, deleting one, and writing a status. Pods are owned by their workload
/// directly: Deployments make no ReplicaSets here.
/// </summary>
internal sealed class Pods(ObjectStore store, ApiServer api)
{
    public const string Manager = "kube-controller-manager";

    public static readonly ResourceType Pod = ResourceTypes.Find("v1", "Pod")!;
    public static readonly ResourceType Node = ResourceTypes.Find("v1", "Node")!;
    public static readonly ResourceType Claim = ResourceTypes.Find("v1", "PersistentVolumeClaim")!;

    private long created;

    public ObjectStore Store => store;

    public ApiServer Api => api;

    /// <summary>A number for the next pod, for generated names and round-robin placement.</summary>
    public long Next() => ++created;

    public IReadOnlyList<Json> Nodes() => [.. store.List(Node, null)];

    /// <summary>The live pods whose controller reference is the workload, by name.</summary>
    public List<Json> Owned(Json workload)
    {
        var uid = workload.Meta("uid");
        return
        [
            .. store.List(Pod, workload.Meta("namespace"))
                .Where(p => p.Meta("deletionTimestamp") is null && ControllerOf(p)?.Str("uid") == uid),
        ];
    }

    /// <summary>The owner reference with controller: true, if any.</summary>
    public static Json? ControllerOf(Json obj) =>
        obj.Items("metadata", "ownerReferences").FirstOrDefault(o => o.At("controller") is Json.Bool { Item: true });

    public static bool IsReady(Json pod) =>
        pod.Items("status", "conditions").Any(c => c.Str("type") == "Ready" && c.Str("status") == "True");

    public static string? Label(Json obj, string key) => obj.Labels().TryGetValue(key, out var v) ? v : null;

    /// <summary>Creates a pod from the workload's template, bound to <paramref name="node"/> (unschedulable when null).</summary>
    public void Create(Json workload, string name, string? node, IEnumerable<(string Key, string Value)> labels, IReadOnlyList<Json> volumes)
    {
        var template = workload.At("spec", "template") ?? JsonAccess.EmptyObject;
        var spec = template.Get("spec") ?? JsonAccess.EmptyObject;
        if (volumes.Count > 0)
        {
            var names = volumes.Select(v => v.Str("name")).ToHashSet();
            spec = spec.Set("volumes", JsonAccess.Array([.. spec.Items("volumes").Where(v => !names.Contains(v.Str("name"))), .. volumes]));
        }

        if (node is not null)
        {
            spec = spec.Set("nodeName", JsonAccess.Of(node));
        }

        var podLabels = template.Members("metadata", "labels").ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var (k, v) in labels)
        {
            podLabels[k] = JsonAccess.Of(v);
        }

        var owner = JsonAccess.Object(
            ("apiVersion", JsonAccess.Of(workload.Str("apiVersion") ?? "")),
            ("kind", JsonAccess.Of(workload.Str("kind") ?? "")),
            ("name", JsonAccess.Of(workload.Meta("name") ?? "")),
            ("uid", JsonAccess.Of(workload.Meta("uid") ?? "")),
            ("controller", JsonAccess.Of(true)),
            ("blockOwnerDeletion", JsonAccess.Of(true)));
        var metadata = JsonAccess.Object(
            ("name", JsonAccess.Of(name)),
            ("namespace", JsonAccess.Of(workload.Meta("namespace") ?? "")),
            ("labels", JsonAccess.Object(podLabels)),
            ("ownerReferences", JsonAccess.Array([owner])));
        if (template.At("metadata", "annotations") is Json.Object annotations && !annotations.Item.IsEmpty)
        {
            metadata = metadata.Set("annotations", annotations);
        }

        var pod = JsonAccess.Object(
            ("apiVersion", JsonAccess.Of("v1")),
            ("kind", JsonAccess.Of("Pod")),
            ("metadata", metadata),
            ("spec", spec));
        var result = api.Create(pod, Manager);
        if (result.IsOk && node is null)
        {
            var nodes = Nodes().Count;
            WriteStatus(result.Value, result.Value.Get("status")!.Set("conditions", JsonAccess.Array([
                JsonAccess.Object(
                    ("type", JsonAccess.Of("PodScheduled")),
                    ("status", JsonAccess.Of("False")),
                    ("reason", JsonAccess.Of("Unschedulable")),
                    ("message", JsonAccess.Of($"0/{nodes} nodes are available: {nodes} node(s) didn't match Pod's node affinity/selector or had untolerated taints."))),
            ])), "default-scheduler");
        }
    }

    public void Delete(Json obj) => api.Delete(obj.RefOf());

    /// <summary>Writes a status through the status subresource (no write when it is unchanged).</summary>
    public void WriteStatus(Json obj, Json status, string manager) => api.Update(obj.Set("status", status), manager, true);

    /// <summary>An object of only the members given, integers left out when zero (Go's omitempty).</summary>
    public static Json Status(params (string Name, long Value, bool OmitEmpty)[] counts) =>
        JsonAccess.Object(counts.Where(c => !(c.OmitEmpty && c.Value == 0)).Select(c => new KeyValuePair<string, Json>(c.Name, JsonAccess.Of(c.Value))));
}
