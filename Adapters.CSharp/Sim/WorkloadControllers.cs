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
    private readonly StatefulSetController statefulSets;
    private readonly DeploymentController deployments;
    private readonly DaemonSetController daemonSets;
    private readonly MarkedKeys<(string Kind, string Ns, string Name)> marked;

    public WorkloadControllers(ObjectStore store, Pods pods, Scheduler scheduler, TimeSpan delay)
    {
        this.store = store;
        marked = new(scheduler, delay, Sync);
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

    private void Mark(string kind, string ns, string name) => marked.Mark((kind, ns, name));

    private void Sync((string Kind, string Ns, string Name) key)
    {
        if (store.Get(Workload(key.Kind), key.Ns, key.Name) is not { } workload)
        {
            return;
        }

        switch (key.Kind)
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
