namespace Ztwim.Adapters.Runtime;

/// <summary>How a work queue backs off a key that keeps failing.</summary>
public sealed record Backoff(TimeSpan Base, TimeSpan Max, double Jitter)
{
    /// <summary>controller-runtime's shape: 5 ms doubling to a cap, here 5 minutes, with up to 10 % jitter.</summary>
    public static readonly Backoff Default = new(TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(5), 0.1);

    /// <summary>The delay before retry number <paramref name="failures"/> (0 for the first retry).</summary>
    public TimeSpan Delay(int failures, double random)
    {
        var exponent = Math.Min(failures, 40);
        var ms = Math.Min(Base.TotalMilliseconds * Math.Pow(2, exponent), Max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ms * (1 + (Jitter * random)));
    }
}

/// <summary>
/// The controller work queue, with controller-runtime's semantics: a key added many times is queued once
/// (dirty set); a key being processed is never handed out again until <see cref="Done"/>, and if it was
/// added meanwhile it is queued again then; failing keys come back after a capped exponential backoff with
/// jitter, and a key is never dropped however often it fails. Delays run on the given clock. Thread-safe.
/// </summary>
public sealed class WorkQueue(TimeProvider clock, Backoff backoff, Random random)
{
    private readonly object gate = new();
    private readonly LinkedList<string> ready = new();
    private readonly HashSet<string> dirty = [];
    private readonly HashSet<string> processing = [];
    private readonly Dictionary<string, int> failures = [];
    private readonly Dictionary<string, (DateTimeOffset Due, ITimer Timer)> delayed = [];
    private readonly LinkedList<TaskCompletionSource<string?>> waiters = new();
    private bool shutDown;

    /// <summary>Queues a key now (once, however often it is added before it is taken).</summary>
    public void Add(string key)
    {
        lock (gate)
        {
            if (shutDown || !dirty.Add(key) || processing.Contains(key))
            {
                return;
            }

            HandOut(key);
        }
    }

    /// <summary>Queues a key after a delay; an earlier pending delay for the key wins.</summary>
    public void AddAfter(string key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }

        lock (gate)
        {
            if (shutDown)
            {
                return;
            }

            var due = clock.GetUtcNow() + delay;
            if (delayed.TryGetValue(key, out var pending))
            {
                if (pending.Due <= due)
                {
                    return;
                }

                pending.Timer.Dispose();
            }

            var timer = clock.CreateTimer(_ => Fire(key), null, delay, Timeout.InfiniteTimeSpan);
            delayed[key] = (due, timer);
        }
    }

    /// <summary>Queues a key after its backoff (or <paramref name="atLeast"/>, if longer), counting one more failure.</summary>
    public TimeSpan AddRateLimited(string key, TimeSpan? atLeast = null)
    {
        TimeSpan delay;
        lock (gate)
        {
            var n = failures.GetValueOrDefault(key);
            failures[key] = n + 1;
            delay = backoff.Delay(n, random.NextDouble());
            if (atLeast is { } least && least > delay)
            {
                delay = least;
            }
        }

        AddAfter(key, delay);
        return delay;
    }

    /// <summary>Whether the key will be handed out again: queued, added while it was processed, or delayed.</summary>
    public bool IsPending(string key)
    {
        lock (gate)
        {
            return dirty.Contains(key) || delayed.ContainsKey(key);
        }
    }

    /// <summary>Whether the queue was shut down: it hands nothing out and takes nothing in any more.</summary>
    public bool IsShutDown
    {
        get
        {
            lock (gate)
            {
                return shutDown;
            }
        }
    }

    /// <summary>How often the key has failed since it last succeeded.</summary>
    public int Failures(string key)
    {
        lock (gate)
        {
            return failures.GetValueOrDefault(key);
        }
    }

    /// <summary>The key succeeded: its backoff starts again from the base.</summary>
    public void Forget(string key)
    {
        lock (gate)
        {
            failures.Remove(key);
        }
    }

    /// <summary>The next key to process, waiting for one; null once the queue is shut down.</summary>
    public Task<string?> GetAsync(CancellationToken ct)
    {
        lock (gate)
        {
            if (shutDown)
            {
                return Task.FromResult<string?>(null);
            }

            if (ready.First is { } first)
            {
                ready.RemoveFirst();
                Take(first.Value);
                return Task.FromResult<string?>(first.Value);
            }

            // Continuations run asynchronously so that Add never runs a worker's reconcile inline.
            var tcs = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
            var node = waiters.AddLast(tcs);
            ct.Register(() =>
            {
                lock (gate)
                {
                    // A waiter already handed a key keeps it: only one still waiting is woken empty.
                    if (node.List is not null)
                    {
                        waiters.Remove(node);
                        tcs.TrySetResult(null);
                    }
                }
            });
            return tcs.Task;
        }
    }

    /// <summary>Processing of the key ended; if it was added meanwhile, it is queued again.</summary>
    public void Done(string key)
    {
        lock (gate)
        {
            processing.Remove(key);
            if (!shutDown && dirty.Contains(key))
            {
                HandOut(key);
            }
        }
    }

    /// <summary>No key is queued or being processed (delayed keys may still be pending).</summary>
    public bool IsIdle
    {
        get
        {
            lock (gate)
            {
                return ready.Count == 0 && processing.Count == 0;
            }
        }
    }

    /// <summary>When the earliest delayed key falls due, if any is pending.</summary>
    public DateTimeOffset? NextDelayed
    {
        get
        {
            lock (gate)
            {
                return delayed.Count == 0 ? null : delayed.Values.Min(d => d.Due);
            }
        }
    }

    /// <summary>Stops handing out keys and wakes every waiting worker with null.</summary>
    public void ShutDown()
    {
        List<TaskCompletionSource<string?>> woken;
        lock (gate)
        {
            shutDown = true;
            woken = [.. waiters];
            waiters.Clear();
            foreach (var d in delayed.Values)
            {
                d.Timer.Dispose();
            }

            delayed.Clear();
        }

        foreach (var w in woken)
        {
            w.TrySetResult(null);
        }
    }

    private void Fire(string key)
    {
        lock (gate)
        {
            delayed.Remove(key, out var d);
            d.Timer?.Dispose();
        }

        Add(key);
    }

    // Under the lock: give the key to a waiting worker, or queue it. Completing the waiter here is safe because
    // its continuations run asynchronously, and it keeps a key from being handed to a waiter being cancelled.
    private void HandOut(string key)
    {
        if (waiters.First is { } w)
        {
            waiters.RemoveFirst();
            Take(key);
            w.Value.TrySetResult(key);
            return;
        }

        ready.AddLast(key);
    }

    private void Take(string key)
    {
        dirty.Remove(key);
        processing.Add(key);
    }
}
