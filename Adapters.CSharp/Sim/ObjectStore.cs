using Ztwim.Adapters.Cluster;
using Ztwim.Kernel;

namespace Ztwim.Adapters.Sim;

/// <summary>One change of the store: the object as written (as last seen, for Deleted) and the one before.</summary>
public sealed record SimChange(long ResourceVersion, ResourceType Type, WatchEventType Kind, Json Object, Json? Previous);

/// <summary>
/// The etcd of the simulated cluster: objects by kind, namespace and name, in ordinal order, one global
/// resourceVersion counter, and an index by uid. Every write bumps the counter, stamps the object with it and
/// tells the listeners (watch hub, controllers) synchronously; listeners only queue work, they never write back.
/// </summary>
internal sealed class ObjectStore
{
    private readonly SortedDictionary<string, Bucket> buckets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (ResourceType Type, string Ns, string Name)> byUid = new(StringComparer.Ordinal);
    private readonly List<Action<SimChange>> listeners = [];
    private long uids;

    public long ResourceVersion { get; private set; }

    public void Subscribe(Action<SimChange> listener) => listeners.Add(listener);

    public string NewUid() => SimIds.Uid(++uids);

    public Json? Get(ResourceType type, string? ns, string name) =>
        buckets.TryGetValue(TypeKey(type), out var b) && b.Objects.TryGetValue((type.Namespaced ? ns ?? "" : "", name), out var o) ? o : null;

    /// <summary>The objects of a type, in one namespace or all, sorted by namespace then name.</summary>
    public IEnumerable<Json> List(ResourceType type, string? ns) =>
        !buckets.TryGetValue(TypeKey(type), out var b) ? []
        : ns is null || !type.Namespaced ? b.Objects.Values
        : b.Objects.Where(kv => kv.Key.Ns == ns).Select(kv => kv.Value);

    /// <summary>Every object, by type key then namespace then name.</summary>
    public IEnumerable<(ResourceType Type, Json Object)> All() =>
        buckets.Values.SelectMany(b => b.Objects.Values.Select(o => (b.Type, o)));

    public Json? ByUid(string uid) => byUid.TryGetValue(uid, out var k) ? Get(k.Type, k.Ns, k.Name) : null;

    /// <summary>Stores a created or updated object under a new resourceVersion; the stored object.</summary>
    public Json Put(ResourceType type, Json obj)
    {
        var key = KeyOf(type, obj);
        var bucket = BucketOf(type);
        bucket.Objects.TryGetValue(key, out var previous);
        var stored = obj.SetMeta("resourceVersion", JsonAccess.Of((++ResourceVersion).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        bucket.Objects[key] = stored;
        if (stored.Meta("uid") is { } uid)
        {
            byUid[uid] = (type, key.Ns, key.Name);
        }

        Notify(new SimChange(ResourceVersion, type, previous is null ? WatchEventType.Added : WatchEventType.Modified, stored, previous));
        return stored;
    }

    /// <summary>Removes an object; its last state (<paramref name="last"/>) is stamped with the deletion's resourceVersion.</summary>
    public Json Remove(ResourceType type, Json last)
    {
        var key = KeyOf(type, last);
        var bucket = BucketOf(type);
        bucket.Objects.TryGetValue(key, out var previous);
        bucket.Objects.Remove(key);
        if (last.Meta("uid") is { } uid)
        {
            byUid.Remove(uid);
        }

        var gone = last.SetMeta("resourceVersion", JsonAccess.Of((++ResourceVersion).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Notify(new SimChange(ResourceVersion, type, WatchEventType.Deleted, gone, previous));
        return gone;
    }

    private void Notify(SimChange change)
    {
        foreach (var listener in listeners)
        {
            listener(change);
        }
    }

    private Bucket BucketOf(ResourceType type)
    {
        var k = TypeKey(type);
        if (!buckets.TryGetValue(k, out var b))
        {
            b = new Bucket(type);
            buckets[k] = b;
        }

        return b;
    }

    private static (string Ns, string Name) KeyOf(ResourceType type, Json obj) =>
        (type.Namespaced ? obj.Meta("namespace") ?? "" : "", obj.Meta("name") ?? "");

    private static string TypeKey(ResourceType type) => $"{type.Group}/{type.Kind}";

    private sealed class Bucket(ResourceType type)
    {
        public ResourceType Type { get; } = type;

        public SortedDictionary<(string Ns, string Name), Json> Objects { get; } = new(new OrdinalPair());
    }

    private sealed class OrdinalPair : IComparer<(string Ns, string Name)>
    {
        public int Compare((string Ns, string Name) x, (string Ns, string Name) y)
        {
            var c = string.CompareOrdinal(x.Ns, y.Ns);
            return c != 0 ? c : string.CompareOrdinal(x.Name, y.Name);
        }
    }
}
