using Ztwim.Adapters.Cluster;
using Ztwim.Kernel;
using Ztwim.Kernel.Render;

namespace Ztwim.Adapters.Runtime;

/// <summary>
/// A cache of one resource type kept current by list-then-watch: it lists, watches from the list's
/// resourceVersion (bookmarks move it on), resumes a closed watch from the last resourceVersion seen, and lists
/// again when the server answers 410 Gone. Every change is reported to <see cref="Changed"/>. A type the server
/// does not serve (404 on list) is an empty, synced cache.
/// </summary>
public sealed class Informer(
    IClusterClient client,
    TimeProvider clock,
    ResourceType type,
    string? ns,
    string? labelSelector,
    IRuntimeObserver observer,
    TimeSpan? relistEvery = null)
{
    /// <summary>
    /// How long one list's cache is trusted: a watch resumes from the last resourceVersion, so an event the
    /// connection lost is never replayed; a periodic fresh list bounds how long such a loss can last.
    /// </summary>
    public static readonly TimeSpan DefaultRelist = TimeSpan.FromMinutes(10);


    private readonly object gate = new();
    private readonly Dictionary<ObjectRef, Json> cache = [];
    // Continuations of Synced run inline on the informer's own context: it is set outside any lock, and an
    // asynchronous completion would send Task.WhenAll's promise to the thread pool, off the simulation's
    // single thread.
    private readonly TaskCompletionSource synced = new();
    private string resourceVersion = "";
    private DateTimeOffset relistAt = DateTimeOffset.MaxValue;

    public ResourceType Type => type;

    /// <summary>Called for every change the cache takes in: the type of change and the object (last state when deleted).</summary>
    public event Action<WatchEventType, Json>? Changed;

    /// <summary>Completes once the first list has been taken in.</summary>
    public Task Synced => synced.Task;

    /// <summary>Whether the server serves this type (false after a 404 on list).</summary>
    public bool Served { get; private set; } = true;

    /// <summary>How many times this informer listed (the first list included).</summary>
    public int Lists { get; private set; }

    /// <summary>The objects as last seen, by reference.</summary>
    public IReadOnlyList<KeyValuePair<ObjectRef, Json>> Objects()
    {
        lock (gate)
        {
            return [.. cache];
        }
    }

    /// <summary>Lists and watches until cancelled; API errors are retried with a capped backoff.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var failures = 0;
        var mustList = true;
        while (!ct.IsCancellationRequested)
        {
            if (mustList)
            {
                var list = await client.ListAsync(type, ns, labelSelector, ct);
                if (ct.IsCancellationRequested)
                {
                    return;
                }

                if (!list.IsOk)
                {
                    if (list.Error!.Code == 404)
                    {
                        Served = false;
                        synced.TrySetResult();
                        return;
                    }

                    observer.InformerError(type, "list", list.Error);
                    await Pause(failures++, ct);
                    continue;
                }

                Lists++;
                relistAt = clock.GetUtcNow() + (relistEvery ?? DefaultRelist);
                Replace(list.Value);
                synced.TrySetResult();
                mustList = false;
            }

            var opened = await client.WatchAsync(type, ns, labelSelector, resourceVersion, ct);
            if (ct.IsCancellationRequested)
            {
                return;
            }

            if (!opened.IsOk)
            {
                mustList = opened.Error!.Code == 410;
                observer.InformerError(type, "watch", opened.Error);
                if (!mustList)
                {
                    await Pause(failures++, ct);
                }

                continue;
            }

            failures = 0;
            await using var watch = opened.Value;
            mustList = await Follow(watch, ct) || clock.GetUtcNow() >= relistAt;
        }
    }

    // Takes in a watch's events until it closes; true when the server said the resourceVersion is gone.
    private async Task<bool> Follow(IWatch watch, CancellationToken ct)
    {
        var remaining = relistAt - clock.GetUtcNow();
        using var due = new CancellationTokenSource(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, due.Token);
        try
        {
            while (await watch.Events.WaitToReadAsync(linked.Token))
            {
                while (!linked.IsCancellationRequested && watch.Events.TryRead(out var e))
                {
                    if (e.Type == WatchEventType.Error)
                    {
                        var error = e.Error ?? new ApiError(500, "InternalError", "watch error without a status");
                        observer.InformerError(type, "watch", error);
                        return error.Code == 410;
                    }

                    Take(e);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        return false;
    }

    private void Take(WatchEvent e)
    {
        if (e.Object.Meta("resourceVersion") is { Length: > 0 } rv)
        {
            resourceVersion = rv;
        }

        if (e.Type == WatchEventType.Bookmark)
        {
            return;
        }

        var r = e.Object.RefOf();
        lock (gate)
        {
            if (e.Type == WatchEventType.Deleted)
            {
                cache.Remove(r);
            }
            else
            {
                cache[r] = e.Object;
            }
        }

        Changed?.Invoke(e.Type, e.Object);
    }

    // A fresh list replaces the cache; what changed since the cache was last current is reported as events.
    private void Replace(ObjectList list)
    {
        resourceVersion = list.ResourceVersion;
        var fresh = list.Items.ToDictionary(o => o.RefOf());
        List<(WatchEventType, Json)> changes = [];
        lock (gate)
        {
            foreach (var (r, old) in cache.OrderBy(kv => kv.Key))
            {
                if (!fresh.ContainsKey(r))
                {
                    changes.Add((WatchEventType.Deleted, old));
                }
            }

            foreach (var (r, o) in fresh.OrderBy(kv => kv.Key))
            {
                if (!cache.TryGetValue(r, out var old))
                {
                    changes.Add((WatchEventType.Added, o));
                }
                else if (!old.Equals(o))
                {
                    changes.Add((WatchEventType.Modified, o));
                }
            }

            cache.Clear();
            foreach (var (r, o) in fresh)
            {
                cache[r] = o;
            }
        }

        foreach (var (t, o) in changes)
        {
            Changed?.Invoke(t, o);
        }
    }

    private async Task Pause(int failures, CancellationToken ct)
    {
        var delay = TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, Math.Min(failures, 5))));
        try
        {
            await Task.Delay(delay, clock, ct);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
