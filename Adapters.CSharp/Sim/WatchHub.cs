using System.Globalization;
using Ztwim.Adapters.Cluster;

namespace Ztwim.Adapters.Sim;

/// <summary>
/// The watch cache: a bounded history of changes, the open watches, and their periodic bookmarks. A watch
/// from a resourceVersion still in the history replays what came after it; an older one gets 410 Gone.
/// </summary>
internal sealed class WatchHub
{
    private readonly ObjectStore store;
    private readonly Scheduler scheduler;
    private readonly int limit;
    private readonly TimeSpan bookmarkInterval;
    private readonly Queue<SimChange> history = new();
    private readonly List<SimWatch> watches = [];
    private ITimer? bookmarks;

    public WatchHub(ObjectStore store, Scheduler scheduler, int limit, TimeSpan bookmarkInterval)
    {
        this.store = store;
        this.scheduler = scheduler;
        this.limit = Math.Max(1, limit);
        this.bookmarkInterval = bookmarkInterval;
        store.Subscribe(Record);
    }

    /// <summary>Changes at or below this resourceVersion are no longer in the history.</summary>
    public long Compacted { get; private set; }

    public int Open => watches.Count;

    public ApiResult<IWatch> Watch(ResourceType type, string? ns, LabelSelector selector, string resourceVersion)
    {
        long from;
        if (resourceVersion is "" or "0")
        {
            from = store.ResourceVersion;
        }
        else if (!long.TryParse(resourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out from))
        {
            return ApiError.BadRequest($"invalid resource version \"{resourceVersion}\"");
        }

        var watch = new SimWatch(type, ns, selector, Remove);
        if (from < Compacted)
        {
            watch.Fail(ApiError.Gone($"too old resource version: {from} ({Compacted})"));
            return ApiResult<IWatch>.Ok(watch);
        }

        foreach (var change in history.Where(c => c.ResourceVersion > from))
        {
            watch.Deliver(change);
        }

        watches.Add(watch);
        bookmarks ??= scheduler.Every(bookmarkInterval, Bookmark);
        return ApiResult<IWatch>.Ok(watch);
    }

    /// <summary>Closes every open watch, as a dropped connection or an API server restart does.</summary>
    public void DisconnectAll()
    {
        foreach (var w in watches.ToList())
        {
            w.Close();
        }

        watches.Clear();
        StopBookmarks();
    }

    /// <summary>Forgets the history, so that resuming from any earlier resourceVersion gets 410 Gone.</summary>
    public void Compact()
    {
        history.Clear();
        Compacted = store.ResourceVersion;
    }

    private void Record(SimChange change)
    {
        history.Enqueue(change);
        while (history.Count > limit)
        {
            Compacted = history.Dequeue().ResourceVersion;
        }

        foreach (var w in watches)
        {
            w.Deliver(change);
        }
    }

    private void Bookmark()
    {
        foreach (var w in watches)
        {
            w.Bookmark(store.ResourceVersion);
        }
    }

    private void Remove(SimWatch watch)
    {
        watches.Remove(watch);
        if (watches.Count == 0)
        {
            StopBookmarks();
        }
    }

    private void StopBookmarks()
    {
        bookmarks?.Dispose();
        bookmarks = null;
    }
}
