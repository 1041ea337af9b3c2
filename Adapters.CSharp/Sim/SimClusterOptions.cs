using Ztwim.Adapters.Cluster;

namespace Ztwim.Adapters.Sim;

/// <summary>How the simulated cluster is shaped and how fast its simulated controllers act.</summary>
public sealed record SimClusterOptions
{
    /// <summary>The nodes, stored as v1 Nodes at start (default: three untainted workers).</summary>
    public IReadOnlyList<SimNode> Nodes { get; init; } = SimNode.Workers(3);

    /// <summary>Namespaces that exist at start. Namespaced writes do not require their namespace to exist.</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = ["default", "kube-system"];

    /// <summary>The kinds the API serves; any other answers 404 (default: every kind in ResourceTypes.All).</summary>
    public IReadOnlyList<ResourceType> ServedTypes { get; init; } = ResourceTypes.All;

    /// <summary>How many watch events the server remembers; a watch from an older resourceVersion gets 410.</summary>
    public int WatchHistoryLimit { get; init; } = 1000;

    /// <summary>How often every open watch gets a Bookmark.</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a new pod takes to become Ready (or to show its injected failure).</summary>
    public TimeSpan PodReadyDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the workload controllers take to react to a change.</summary>
    public TimeSpan ControllerDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long the garbage collector takes to notice dependents whose owners are gone.</summary>
    public TimeSpan GarbageCollectionDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Every kind but OpenShift's (Route, SecurityContextConstraints) and cert-manager's: a plain Kubernetes cluster.</summary>
    public static IReadOnlyList<ResourceType> PlainKubernetesTypes { get; } = TypesFor(openShift: false, certManager: false);

    /// <summary>The kinds OpenShift serves (Routes, SCCs, OLM's) or plain Kubernetes does, with or without cert-manager.io.</summary>
    public static IReadOnlyList<ResourceType> TypesFor(bool openShift, bool certManager) =>
    [
        .. ResourceTypes.All.Where(t =>
            (openShift || t.Group is not ("route.openshift.io" or "security.openshift.io"))
            && (certManager || t.Group != "cert-manager.io")),
    ];
}
