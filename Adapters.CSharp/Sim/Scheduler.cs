namespace Ztwim.Adapters.Sim;

/// <summary>
/// Work for later on the simulation's clock: one-shot and periodic callbacks through the TimeProvider's
/// timers (with a SimClock they run in due order on the thread that advances it).
/// </summary>
internal sealed class Scheduler(TimeProvider time)
{
    public TimeProvider Time => time;

    public DateTimeOffset Now => time.GetUtcNow();

    public string NowText => SimIds.Time(time.GetUtcNow());

    public void After(TimeSpan delay, Action action)
    {
        ITimer? timer = null;
        timer = time.CreateTimer(
            _ =>
            {
                timer?.Dispose();
                action();
            },
            null,
            delay,
            Timeout.InfiniteTimeSpan);
    }

    public ITimer Every(TimeSpan period, Action action) => time.CreateTimer(_ => action(), null, period, period);
}
