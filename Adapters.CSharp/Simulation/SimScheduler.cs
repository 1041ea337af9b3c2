namespace Ztwim.Adapters.Simulation;

/// <summary>
/// Runs every continuation of a simulation on one thread, first posted first run, so that the operator's
/// async code (informers, workers, the applier) interleaves the same way on every run with the same seed.
/// The operator code is unchanged: it awaits as it would in a cluster, and this context decides the order.
/// </summary>
public sealed class SimScheduler : SynchronizationContext
{
    private readonly Queue<(SendOrPostCallback Callback, object? State)> work = new();
    private readonly List<Exception> failures = [];

    // The thread that drives the simulation (the first to call Run). A continuation posted from any other
    // thread (a thread-pool callback that escaped this context) would interleave by wall-clock timing and make
    // a seed replay differently, so it is reported as a failure with the poster's stack, whether it arrives
    // during a Run or between two.
    private int owner = -1;

    public override void Post(SendOrPostCallback d, object? state)
    {
        if (owner != -1 && Environment.CurrentManagedThreadId != owner)
        {
            Fail(new InvalidOperationException(
                "a continuation was posted to the simulation from another thread, so the run is not reproducible: "
                    + Environment.StackTrace));
        }

        lock (work)
        {
            work.Enqueue((d, state));
        }
    }

    public override void Send(SendOrPostCallback d, object? state) => d(state);

    public override SynchronizationContext CreateCopy() => this;

    /// <summary>Whether a continuation is waiting to run.</summary>
    public bool HasWork
    {
        get
        {
            lock (work)
            {
                return work.Count > 0;
            }
        }
    }

    /// <summary>Exceptions that escaped a continuation or a started task: a simulation bug, reported, never swallowed.</summary>
    public IReadOnlyList<Exception> Failures => failures;

    /// <summary>Runs <paramref name="action"/> on this context, then every continuation it (transitively) posted.</summary>
    public void Run(Action action)
    {
        var previous = Current;
        SetSynchronizationContext(this);
        if (owner == -1)
        {
            owner = Environment.CurrentManagedThreadId;
        }

        try
        {
            Guard(action);
            while (true)
            {
                (SendOrPostCallback Callback, object? State) item;
                lock (work)
                {
                    if (!work.TryDequeue(out item))
                    {
                        break;
                    }
                }

                Guard(() => item.Callback(item.State));
            }
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
    }

    /// <summary>Starts an async operation on this context; a fault it ends with is recorded in <see cref="Failures"/>.</summary>
    public void Start(Func<Task> operation) =>
        Run(() =>
        {
            var task = operation();
            task.ContinueWith(
                t =>
                {
                    if (t.Exception is { } e)
                    {
                        Fail(e.GetBaseException());
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        });

    private void Guard(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e)
        {
            Fail(e);
        }
    }

    private void Fail(Exception e)
    {
        lock (failures)
        {
            failures.Add(e);
        }
    }
}
