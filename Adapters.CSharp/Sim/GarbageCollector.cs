using Ztwim.Adapters.Cluster;
using Ztwim.Kernel;

namespace Ztwim.Adapters.Sim;

/// <summary>
/// The garbage collector, with background propagation: a short while after an object goes (or one appears
/// with owner references), every object whose owners (by uid) are all gone is deleted — finalizers still
/// apply — and an object that keeps at least one owner loses its dangling references. Foreground deletion
/// and blockOwnerDeletion are not modelled: an owner never waits for its dependents.
/// </summary>
internal sealed class GarbageCollector
{
    public const string Manager = "generic-garbage-collector";

    private readonly ObjectStore store;
    private readonly ApiServer api;
    private readonly Scheduler scheduler;
    private readonly TimeSpan delay;
    private bool pending;

    public GarbageCollector(ObjectStore store, ApiServer api, Scheduler scheduler, TimeSpan delay)
    {
        this.store = store;
        this.api = api;
        this.scheduler = scheduler;
        this.delay = delay;
        store.Subscribe(OnChange);
    }

    private void OnChange(SimChange change)
    {
        if (!pending && (change.Kind == WatchEventType.Deleted || change.Object.Items("metadata", "ownerReferences").Count > 0))
        {
            pending = true;
            scheduler.After(delay, Sweep);
        }
    }

    private void Sweep()
    {
        pending = false;
        foreach (var (type, obj) in store.All().ToList())
        {
            var owners = obj.Items("metadata", "ownerReferences");
            if (owners.Count == 0)
            {
                continue;
            }

            var alive = owners.Where(o => o.Str("uid") is { } uid && store.ByUid(uid) is not null).ToList();
            if (alive.Count == 0)
            {
                if (obj.Meta("deletionTimestamp") is null)
                {
                    api.Delete(obj.RefOf());
                }
            }
            else if (alive.Count < owners.Count)
            {
                api.Patch(
                    obj.RefOf(),
                    JsonAccess.Object(("metadata", JsonAccess.Object(("ownerReferences", JsonAccess.Array(alive))))),
                    Manager,
                    false);
            }
        }
    }
}
