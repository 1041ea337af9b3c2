using Ztwim.Adapters.Cluster;
using Ztwim.Kernel;
using Ztwim.Kernel.Render;

namespace Ztwim.Adapters.Sim;

/// <summary>
/// An in-memory Kubernetes API server with the controllers an operator relies on: resourceVersions and
/// conflicts, generation, status subresource, server-side apply with field ownership, label selectors,
/// watches with bookmarks and 410 Gone, finalizers, background garbage collection, CRD pruning and defaults,
/// admission of the operator's CRs by the kernel's rules, events, and simulated nodes, workload controllers
/// and kubelets. Single-threaded and deterministic: time comes only from the TimeProvider (a SimClock), every
/// delay is one of its timers, and every listing is sorted. Clients talk to it through <see cref="Client"/>.
/// </summary>
public sealed class SimCluster
{
    private readonly ObjectStore store = new();
    private readonly WatchHub hub;
    private readonly Kubelet kubelet;
    private readonly SortedDictionary<string, SimClusterClient> clients = new(StringComparer.Ordinal);

    public SimCluster(TimeProvider time, SimClusterOptions? options = null)
    {
        Time = time;
        Options = options ?? new SimClusterOptions();
        var scheduler = new Scheduler(time);
        hub = new WatchHub(store, scheduler, Options.WatchHistoryLimit, Options.BookmarkInterval);
        Api = new ApiServer(store, hub, scheduler, Options.ServedTypes);
        Events = new EventRecorder(store, Api, scheduler);
        var pods = new Pods(store, Api);
        _ = new GarbageCollector(store, Api, scheduler, Options.GarbageCollectionDelay);
        _ = new WorkloadControllers(store, pods, scheduler, Options.ControllerDelay);
        if (Api.Serves(CertManagerController.Certificate))
        {
            _ = new CertManagerController(store, Api, scheduler, Options.ControllerDelay);
        }

        kubelet = new Kubelet(store, pods, scheduler, Options.PodReadyDelay);
        store.Subscribe(c => Changed?.Invoke(c));
        Bootstrap(pods);
    }

    public TimeProvider Time { get; }

    public SimClusterOptions Options { get; }

    /// <summary>Every change the store makes, as it makes it (for traces); handlers must not write back.</summary>
    public event Action<SimChange>? Changed;

    /// <summary>The current (latest) resourceVersion.</summary>
    public long ResourceVersion => store.ResourceVersion;

    /// <summary>Watch events at or below this resourceVersion are gone from the history (resuming there gets 410).</summary>
    public long CompactedResourceVersion => hub.Compacted;

    public int OpenWatches => hub.Open;

    /// <summary>The kinds this cluster serves (discovery); any other answers 404.</summary>
    public IReadOnlyList<ResourceType> ServedTypes => Options.ServedTypes;

    public bool Serves(ResourceType type) => Api.Serves(type);

    /// <summary>Whether a kind has a status subresource (its status is written only through it).</summary>
    public bool HasStatusSubresource(ResourceType type) => ObjectScope.HasStatusSubresource(type);

    internal ApiServer Api { get; }

    internal EventRecorder Events { get; }

    /// <summary>The client named <paramref name="name"/> (its field manager for non-apply writes), made on first use.</summary>
    public SimClusterClient Client(string name)
    {
        if (!clients.TryGetValue(name, out var client))
        {
            client = new SimClusterClient(this, name);
            clients[name] = client;
        }

        return client;
    }

    /// <summary>Every client made so far, by name.</summary>
    public IReadOnlyList<SimClusterClient> Clients => [.. clients.Values];

    /// <summary>An object as stored, without counting a request; null when absent.</summary>
    public Json? Find(ObjectRef r) => Api.Get(r) is { IsOk: true } found ? found.Value : null;

    /// <summary>The stored objects of a kind (in one namespace or all), sorted by namespace and name, uncounted.</summary>
    public IReadOnlyList<Json> Objects(ResourceType type, string? ns = null) => [.. store.List(type, ns)];

    /// <summary>Every stored object, by kind, namespace and name.</summary>
    public IReadOnlyList<(ResourceType Type, Json Object)> AllObjects() => [.. store.All()];

    /// <summary>Fault: closes every open watch channel (a dropped connection); watchers must resume.</summary>
    public void DisconnectWatches() => hub.DisconnectAll();

    /// <summary>Fault: drops the watch history, so resuming from any earlier resourceVersion gets 410 Gone.</summary>
    public void Compact() => hub.Compact();

    /// <summary>Fault: the pods of workload <paramref name="workloadName"/> fail with <paramref name="reason"/>
    /// ("ImagePullBackOff", "CrashLoopBackOff", ...) and stay not Ready, existing ones at once, new ones too.</summary>
    public void InjectPodFailure(string ns, string workloadName, string reason) => kubelet.Inject(ns, workloadName, reason);

    /// <summary>Ends an injected failure: the workload's pods become Ready after the pod-ready delay.</summary>
    public void ClearPodFailure(string ns, string workloadName) => kubelet.Clear(ns, workloadName);

    private void Bootstrap(Pods pods)
    {
        foreach (var ns in Options.Namespaces)
        {
            Api.Create(JsonAccess.Object(
                ("apiVersion", JsonAccess.Of("v1")),
                ("kind", JsonAccess.Of("Namespace")),
                ("metadata", JsonAccess.Object(("name", JsonAccess.Of(ns)))),
                ("spec", JsonAccess.Object(("finalizers", JsonAccess.Array([JsonAccess.Of("kubernetes")]))))),
                "kube-apiserver");
        }

        foreach (var node in Options.Nodes)
        {
            var taints = node.Taints.Select(t => JsonAccess.Object(
            [
                ("key", JsonAccess.Of(t.Key)),
                .. t.Value == "" ? Array.Empty<(string, Json)>() : [("value", JsonAccess.Of(t.Value))],
                ("effect", JsonAccess.Of(t.Effect)),
            ])).ToList();
            var nodeObject = JsonAccess.Object(
                ("apiVersion", JsonAccess.Of("v1")),
                ("kind", JsonAccess.Of("Node")),
                ("metadata", JsonAccess.Object(
                    ("name", JsonAccess.Of(node.Name)),
                    ("labels", JsonAccess.Object(node.Labels.Select(kv => new KeyValuePair<string, Json>(kv.Key, JsonAccess.Of(kv.Value))))))));
            if (taints.Count > 0)
            {
                nodeObject = nodeObject.Set("spec", JsonAccess.Object(("taints", JsonAccess.Array(taints))));
            }

            var created = Api.Create(nodeObject, Kubelet.Manager);
            if (created.IsOk)
            {
                var now = JsonAccess.Of(SimIds.Time(Time.GetUtcNow()));
                pods.WriteStatus(
                    created.Value,
                    JsonAccess.Object(("conditions", JsonAccess.Array([
                        JsonAccess.Object(
                            ("type", JsonAccess.Of("Ready")),
                            ("status", JsonAccess.Of("True")),
                            ("reason", JsonAccess.Of("KubeletReady")),
                            ("message", JsonAccess.Of("kubelet is posting ready status")),
                            ("lastHeartbeatTime", now),
                            ("lastTransitionTime", now)),
                    ]))),
                    Kubelet.Manager);
            }
        }
    }
}
