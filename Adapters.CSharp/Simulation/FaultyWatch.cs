using System.Threading.Channels;
using Ztwim.Adapters.Cluster;
using Ztwim.Kernel.Render;

namespace Ztwim.Adapters.Simulation;

/// <summary>
/// A watch whose events pass through the watch faults: lost, doubled, swapped with the next, late, a whole
/// stream lagging, or the connection closed. It closes when the server's watch closes, after any late event.
/// The events of one object keep their order, as every Kubernetes watch keeps it: a swap or a delay only ever
/// moves an object's event past another object's. (Reordering one object's own events would show a state
/// the object had already left, such as a deleted workload after its replacement, which no cluster does.)
/// </summary>
public sealed class FaultyWatch : IWatch
{
    private static readonly TimeSpan Lag = TimeSpan.FromSeconds(3);
    private readonly IWatch inner;
    private readonly Faults faults;
    private readonly Random random;
    private readonly TimeProvider clock;
    private readonly Channel<WatchEvent> outer = Channel.CreateUnbounded<WatchEvent>();
    private readonly CancellationTokenSource closed = new();
    private readonly List<ITimer> timers = [];
    private readonly Dictionary<ObjectRef, (DateTimeOffset Due, int Count)> pending = [];
    private readonly bool lagging;
    private int late;
    private bool innerDone;

    public FaultyWatch(IWatch inner, Faults faults, Random random, TimeProvider clock)
    {
        this.inner = inner;
        this.faults = faults;
        this.random = random;
        this.clock = clock;
        lagging = faults.Strikes("stale-read", random);
        _ = PumpAsync();
    }

    public ChannelReader<WatchEvent> Events => outer.Reader;

    private async Task PumpAsync()
    {
        WatchEvent? held = null;
        try
        {
            while (await inner.Events.WaitToReadAsync(closed.Token))
            {
                while (inner.Events.TryRead(out var e))
                {
                    if (e.Type is WatchEventType.Error or WatchEventType.Bookmark)
                    {
                        Deliver(e);
                        continue;
                    }

                    if (faults.Strikes("watch-disconnect", random))
                    {
                        await inner.DisposeAsync();
                        innerDone = true;
                        CloseWhenFlushed();
                        return;
                    }

                    if (faults.Strikes("event-drop", random))
                    {
                        continue;
                    }

                    if (held is null && faults.Strikes("event-reorder", random))
                    {
                        held = e;
                        continue;
                    }

                    if (held is not null && SameObject(held, e))
                    {
                        Deliver(held);
                        held = null;
                    }

                    Deliver(e);
                    if (faults.Strikes("event-duplicate", random))
                    {
                        Deliver(e);
                    }

                    if (held is not null)
                    {
                        Deliver(held);
                        held = null;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        if (held is not null)
        {
            Deliver(held);
        }

        innerDone = true;
        CloseWhenFlushed();
    }

    private void Deliver(WatchEvent e)
    {
        TimeSpan? delay = lagging ? Lag : null;
        if (e.Type is not (WatchEventType.Error or WatchEventType.Bookmark) && faults.Strikes("event-delay", random))
        {
            delay = (delay ?? TimeSpan.Zero) + TimeSpan.FromSeconds(1 + random.Next(5));
        }

        // Never before an earlier event of the same object that is still late (timers due at the same instant
        // fire in the order they were set).
        var target = e.Type is WatchEventType.Error or WatchEventType.Bookmark ? null : e.Object.RefOf();
        var now = clock.GetUtcNow();
        var due = now + (delay ?? TimeSpan.Zero);
        var earlier = target is not null && pending.TryGetValue(target, out var p) ? p : (Due: now, Count: 0);
        if (earlier.Due > due)
        {
            due = earlier.Due;
        }

        if (due <= now && earlier.Count == 0)
        {
            outer.Writer.TryWrite(e);
            return;
        }

        if (target is not null)
        {
            pending[target] = (due, earlier.Count + 1);
        }

        late++;
        ITimer? timer = null;
        timer = clock.CreateTimer(
            _ =>
            {
                outer.Writer.TryWrite(e);
                late--;
                if (target is not null && pending.TryGetValue(target, out var left))
                {
                    if (left.Count == 1)
                    {
                        pending.Remove(target);
                    }
                    else
                    {
                        pending[target] = (left.Due, left.Count - 1);
                    }
                }

                timer?.Dispose();
                CloseWhenFlushed();
            },
            null,
            due - now,
            Timeout.InfiniteTimeSpan);
        timers.Add(timer);
    }

    private static bool SameObject(WatchEvent a, WatchEvent b) => a.Object.RefOf().Equals(b.Object.RefOf());

    private void CloseWhenFlushed()
    {
        if (innerDone && late == 0)
        {
            outer.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        closed.Cancel();
        foreach (var t in timers)
        {
            t.Dispose();
        }

        outer.Writer.TryComplete();
        await inner.DisposeAsync();
    }
}
