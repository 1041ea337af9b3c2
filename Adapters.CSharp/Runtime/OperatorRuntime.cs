using System.Diagnostics;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;
using Ztwim.Adapters.Cluster;
using Ztwim.Kernel;
using Ztwim.Kernel.Api;
using Ztwim.Kernel.Reconcile;
using Ztwim.Kernel.Render;

namespace Ztwim.Adapters.Runtime;

/// <summary>
/// The controller runtime the operator runs, in the cluster and in the simulator alike: informers for the
/// five CRs and the owned kinds feed a work queue; workers take a controller key, give the kernel an immutable
/// snapshot of what the informers hold, and hand its decision to the applier. Errors are retried with backoff;
/// a requeue the kernel asks for is honoured; every controller is reconciled again each resync period.
/// Everything it knows is in memory: a restart starts it again from a list.
/// </summary>
public sealed class OperatorRuntime
{
    private readonly IClusterClient client;
    private readonly TimeProvider clock;
    private readonly RuntimeOptions options;
    private readonly IRuntimeObserver observer;
    private readonly Applier applier;
    private readonly EventRecorder events;
    private readonly List<Informer> crInformers;
    private readonly List<Informer> ownedInformers;
    private readonly Dictionary<ObjectRef, Json> foundExisting = [];
    private readonly object gate = new();
    private bool started;

    public OperatorRuntime(IClusterClient client, TimeProvider clock, RuntimeOptions options, IRuntimeObserver observer)
    {
        this.client = client;
        this.clock = clock;
        this.options = options;
        this.observer = observer;
        applier = new Applier(
            client,
            clock,
            options.Mode.CreateOnly,
            options.OperatorConditionName is { } condition
                ? JsonAccess.Ref(Kernel.Reconcile.OperatorCondition.apiVersion, Kernel.Reconcile.OperatorCondition.kind, options.Mode.Namespace, condition)
                : null);
        events = new EventRecorder(client);
        Queue = new WorkQueue(clock, options.Backoff, new Random(options.Seed));
        crInformers = [.. ResourceTypes.OperatorCrs.Select(t => new Informer(client, clock, t, null, null, observer))];
        ownedInformers =
        [
            .. ResourceTypes.Owned.Select(t =>
                new Informer(client, clock, t, t.Namespaced ? options.Mode.Namespace : null, ControllerKeys.ManagedBySelector, observer)),
        ];

        foreach (var informer in crInformers)
        {
            informer.Changed += (_, obj) => EnqueueAll(ControllerKeys.ForCr(obj.Str("kind") ?? ""));
        }

        foreach (var informer in ownedInformers)
        {
            informer.Changed += (_, obj) =>
            {
                lock (gate)
                {
                    foundExisting.Remove(obj.RefOf());
                }

                EnqueueAll(ControllerKeys.ForOwned(obj));
            };
        }
    }

    public WorkQueue Queue { get; }

    /// <summary>Every informer, CRs first.</summary>
    public IEnumerable<Informer> Informers => crInformers.Concat(ownedInformers);

    /// <summary>Reconciles run so far.</summary>
    public int Reconciles { get; private set; }

    /// <summary>Whether every informer has synced and the workers run.</summary>
    public bool Started => started;

    /// <summary>Runs until cancelled: informers, then (once they synced) the workers and the resync timer.</summary>
    public Task RunAsync(CancellationToken ct) => RunAsync(ct, ct);

    /// <summary>
    /// Runs until <paramref name="ct"/> is cancelled, then lets the reconciles in flight finish: only
    /// <paramref name="abort"/> cancels those (the in-cluster operator's graceful shutdown on SIGTERM).
    /// </summary>
    public async Task RunAsync(CancellationToken ct, CancellationToken abort)
    {
        var informerTasks = Informers.Select(i => i.RunAsync(ct)).ToList();
        var synced = Task.WhenAll(Informers.Select(i => i.Synced));
        // Not Task.Delay(…, clock, ct): its cancellation completes asynchronously on the thread pool, which
        // would resume this method off the caller's context (in the simulation, off its single thread).
        var cancelled = new TaskCompletionSource();
        using (ct.Register(() => cancelled.TrySetResult()))
        {
            await Task.WhenAny(synced, cancelled.Task);
        }

        if (ct.IsCancellationRequested)
        {
            Queue.ShutDown();
            await Task.WhenAll(informerTasks);
            return;
        }

        started = true;
        EnqueueAll(ControllerKeys.All);
        using var resync = clock.CreateTimer(_ => EnqueueAll(ControllerKeys.All), null, options.Resync, options.Resync);
        using var stop = ct.Register(Queue.ShutDown);
        var workers = Enumerable.Range(0, options.Workers).Select(_ => WorkAsync(ct, abort)).ToList();
        await Task.WhenAll(workers.Concat(informerTasks));
    }

    private void EnqueueAll(IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            Queue.Add(key);
        }
    }

    private async Task WorkAsync(CancellationToken ct, CancellationToken abort)
    {
        while (await Queue.GetAsync(ct) is { } key)
        {
            try
            {
                await ReconcileAsync(key, abort);
            }
            finally
            {
                Queue.Done(key);
            }
        }
    }

    /// <summary>The kernel's inputs for one controller, from what the informers hold now.</summary>
    public Inputs Snapshot(string key)
    {
        var crs = crInformers
            .SelectMany(i => i.Objects())
            .Where(kv => kv.Key.Name == KindModule.singletonName && KindModule.tryParse(kv.Key.Kind) is not null)
            .Select(kv => Tuple.Create(KindModule.tryParse(kv.Key.Kind).Value, kv.Value));
        var observed = ownedInformers.SelectMany(i => i.Objects()).ToDictionary(kv => kv.Key, kv => kv.Value);
        lock (gate)
        {
            foreach (var (r, o) in foundExisting)
            {
                observed.TryAdd(r, o);
            }
        }

        return new Inputs(
            ControllerKeys.KindOf(key),
            MapModule.OfSeq(crs),
            MapModule.OfSeq(observed.Select(kv => Tuple.Create(kv.Key, kv.Value))),
            options.Mode,
            clock.GetUtcNow());
    }

    // Objects found by a failed create are outside the label-filtered informers: read them again before each
    // reconcile, or what the kernel sees of them (a workload's health) stays as it was when they were found
    // (found by ztwim-sim fuzz: an unlabelled StatefulSet in create-only mode was "update in progress" forever).
    private async Task RefreshFoundAsync(CancellationToken ct)
    {
        List<ObjectRef> refs;
        lock (gate)
        {
            refs = [.. foundExisting.Keys];
        }

        foreach (var r in refs)
        {
            var fresh = await client.GetAsync(r, ct);
            lock (gate)
            {
                if (fresh.IsOk)
                {
                    foundExisting[r] = fresh.Value;
                }
                else if (fresh.Error?.Code == 404)
                {
                    foundExisting.Remove(r);
                }
            }
        }
    }

    private async Task ReconcileAsync(string key, CancellationToken ct)
    {
        observer.ReconcileStarted(key);
        var start = clock.GetUtcNow();
        var watch = Stopwatch.StartNew();
        await RefreshFoundAsync(ct);
        var inputs = Snapshot(key);
        var decision = Ztwim.Kernel.Reconcile.Reconcile.reconcile(inputs);
        var kind = ControllerKeys.KindOf(key);
        var cr = inputs.Crs.TryFind(kind) is { } found ? found.Value : null;
        var result = await applier.ExecuteAsync(key, cr, decision, inputs.Observed, ct);
        Reconciles++;

        lock (gate)
        {
            foreach (var o in result.FoundExisting)
            {
                foundExisting[o.RefOf()] = o;
            }
        }

        TimeSpan? requeue = null;
        switch (result.Outcome)
        {
            case ReconcileOutcome.Success:
                Queue.Forget(key);
                if (cr is not null)
                {
                    await events.RecordAsync(cr.RefOf(), decision.Events, ct);
                }

                if (FSharpOption<TimeSpan>.get_IsSome(decision.RequeueAfter))
                {
                    requeue = decision.RequeueAfter.Value;
                    Queue.AddAfter(key, requeue.Value);
                }

                break;
            case ReconcileOutcome.Requeue:
                requeue = Queue.AddRateLimited(key);
                break;
            case ReconcileOutcome.Error:
                // A 429's Retry-After is a floor under the backoff, not a replacement for it.
                requeue = Queue.AddRateLimited(key, result.Error?.RetryAfter);
                break;
            case ReconcileOutcome.Cancelled:
                break;
        }

        observer.Reconciled(new ReconcileRecord(key, start, watch.Elapsed, result.Writes, result.Outcome, result.Error, requeue));
    }
}
