namespace Ztwim.Adapters.Sim;

/// <summary>
/// Simulated time: a TimeProvider whose clock moves only when the simulation advances it. Timers fire in
/// due-time order, ties in the order they were set, on the thread that advances the clock, so a run is
/// reproducible. Nothing here reads the machine's clock.
/// </summary>
public sealed class SimClock(DateTimeOffset start) : TimeProvider
{
    private readonly SortedSet<(DateTimeOffset Due, long Seq)> queue = [];
    private readonly Dictionary<long, SimTimer> timers = [];
    private long sequence;
    private DateTimeOffset now = start;

    /// <summary>The default start of a simulation: a fixed instant, so traces print the same times.</summary>
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public SimClock()
        : this(Epoch)
    {
    }

    public override DateTimeOffset GetUtcNow() => now;

    public override long GetTimestamp() => (now - Epoch).Ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <summary>Time since the simulation started.</summary>
    public TimeSpan Elapsed => now - Epoch;

    /// <summary>When the next timer is due, if any is pending.</summary>
    public DateTimeOffset? NextDue => queue.Count == 0 ? null : queue.Min.Due;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new SimTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves the clock to the next due timer (never backwards) and fires it; false when none is pending.</summary>
    public bool FireNext()
    {
        if (queue.Count == 0)
        {
            return false;
        }

        var (due, seq) = queue.Min;
        queue.Remove(queue.Min);
        var timer = timers[seq];
        timers.Remove(seq);
        if (due > now)
        {
            now = due;
        }

        timer.Fire();
        return true;
    }

    /// <summary>Moves the clock forward to <paramref name="to"/> without firing anything due on the way.</summary>
    public void MoveTo(DateTimeOffset to)
    {
        if (to > now)
        {
            now = to;
        }
    }

    private long Schedule(SimTimer timer, DateTimeOffset due)
    {
        var seq = ++sequence;
        queue.Add((due, seq));
        timers[seq] = timer;
        return seq;
    }

    private void Unschedule(long seq, DateTimeOffset due)
    {
        if (timers.Remove(seq))
        {
            queue.Remove((due, seq));
        }
    }

    private sealed class SimTimer(SimClock clock, TimerCallback callback, object? state) : ITimer
    {
        private (long Seq, DateTimeOffset Due)? scheduled;
        private TimeSpan period = Timeout.InfiniteTimeSpan;
        private bool disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (disposed)
            {
                return false;
            }

            Cancel();
            this.period = period;
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                var due = clock.now + (dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime);
                scheduled = (clock.Schedule(this, due), due);
            }

            return true;
        }

        public void Fire()
        {
            scheduled = null;
            if (disposed)
            {
                return;
            }

            if (period != Timeout.InfiniteTimeSpan && period > TimeSpan.Zero)
            {
                var due = clock.now + period;
                scheduled = (clock.Schedule(this, due), due);
            }

            callback(state);
        }

        private void Cancel()
        {
            if (scheduled is { } s)
            {
                clock.Unschedule(s.Seq, s.Due);
                scheduled = null;
            }
        }

        public void Dispose()
        {
            disposed = true;
            Cancel();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
