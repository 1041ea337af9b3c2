namespace Ztwim.Adapters.Sim;

/// <summary>
/// How a simulated controller batches its work: a key marked is synced once a short while after the first mark
/// of a batch, every key of the batch in sorted order, however often it was marked meanwhile. Marks made while
/// a batch syncs start the next batch.
/// </summary>
internal sealed class MarkedKeys<TKey>(Scheduler scheduler, TimeSpan delay, Action<TKey> sync)
{
    private readonly SortedSet<TKey> marked = [];
    private bool pending;

    public void Mark(TKey key)
    {
        marked.Add(key);
        if (!pending)
        {
            pending = true;
            scheduler.After(delay, Run);
        }
    }

    private void Run()
    {
        pending = false;
        var keys = marked.ToList();
        marked.Clear();
        foreach (var key in keys)
        {
            sync(key);
        }
    }
}
