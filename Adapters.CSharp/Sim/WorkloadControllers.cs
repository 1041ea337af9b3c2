using Ztwim.Adapters.Cluster;
using Ztwim.Kernel;

namespace Ztwim.Adapters.Sim;

/// <summary>
/// The simulated kube-controller-manager's workload loop: a change to a StatefulSet, DaemonSet or
/// Deployment, to a pod one of them controls, or to a node marks the workloads concerned; a short while
/// later each marked workload is synced once, in kind / namespace / name order.
/// </summary>
internal sealed class WorkloadControllers
{
    private readonly ObjectStore store;
    private readonly Scheduler scheduler;
    private readonly TimeSpan delay;
    private readonly StatefulSetController statefulSets;
    private readonly DeploymentController deployments;
    private readonly DaemonSetController daemonSets;
    private readonly SortedSet<(string Kind, string Ns, string Name)> dirty = [];
    private bool pending;

    public WorkloadControllers(ObjectStore store, Pods pods, Scheduler scheduler, TimeSpan delay)
    {
        this.store = store;
        this.scheduler = scheduler;
        this.delay = delay;
        statefulSets = new StatefulSetController(pods);
        deployments = new DeploymentController(pods);
        daemonSets = new DaemonSetController(pods);
        store.Subscribe(OnChange);
    }

    private static ResourceType Workload(string kind) => ResourceTypes.Find("apps/v1", kind)!;

    private void OnChange(SimChange change)
    {
        var obj = change.Object;
        if (change.Type.Group == "apps" && change.Type.Kind is "StatefulSet" or "DaemonSet" or "Deployment")
        {
            if (change.Kind != WatchEventType.Deleted)
            {
                Mark(change.Type.Kind, obj.Meta("namespace") ?? "", obj.Meta("name") ?? "");
            }
        }
        else if (change.Type == Pods.Pod && Pods.ControllerOf(obj) is { } owner
                 && owner.Str("apiVersion") == "apps/v1" && owner.Str("kind") is "StatefulSet" or "DaemonSet" or "Deployment")
        {
            Mark(owner.Str("kind")!, obj.Meta("namespace") ?? "", owner.Str("name") ?? "");
        }
        else if (change.Type == Pods.Node)
        {
            foreach (var ds in store.List(Workload("DaemonSet"), null))
            {
                Mark("DaemonSet", ds.Meta("namespace") ?? "", ds.Meta("name") ?? "");
            }
        }
    }

    private void Mark(string kind, string ns, string name)
    {
        dirty.Add((kind, ns, name));
        if (!pending)
        {
            pending = true;
            scheduler.After(delay, Run);
        }
    }

    private void Run()
    {
        pending = false;
        var keys = dirty.ToList();
        dirty.Clear();
        foreach (var (kind, ns, name) in keys)
        {
            if (store.Get(Workload(kind), ns, name) is not { } workload)
            {
                continue;
            }

            switch (kind)
            {
                case "StatefulSet":
                    statefulSets.Sync(workload);
                    break;
                case "Deployment":
                    deployments.Sync(workload);
                    break;
                default:
                    daemonSets.Sync(workload);
                    break;
            }
        }
    }
}
