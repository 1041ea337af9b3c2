using Microsoft.FSharp.Collections;
using Ztwim.Adapters.Cluster;
using Ztwim.Adapters.Runtime;
using Ztwim.Adapters.Sim;
using Ztwim.Kernel;
using Ztwim.Kernel.Render;

namespace Ztwim.Adapters.Simulation;

/// <summary>
/// The operator running against the simulated cluster on simulated time: the same controller runtime as in a
/// cluster, with only the client and the clock swapped. Everything runs on one thread in a fixed order, so the
/// same setup, steps and seed give the same trace. The operator can crash and restart (its memory lost, the
/// cluster kept) and run with a changed environment.
/// </summary>
public sealed class Simulation : IRuntimeObserver
{
    private readonly SimulationSetup setup;
    private readonly SimScheduler scheduler = new();
    private readonly List<TraceLine> trace = [];
    private readonly Dictionary<string, string> env;
    private OperatorRuntime? runtime;
    private CancellationTokenSource? running;
    private ITimer? pendingRestart;
    private long lastResourceVersion;
    private DateTimeOffset lastChange;

    public Simulation(SimulationSetup setup)
    {
        this.setup = setup;
        env = new Dictionary<string, string>(setup.Env);
        Clock = new SimClock();
        var options = new SimClusterOptions
        {
            Nodes = SimNode.Workers(setup.Nodes),
            Namespaces = ["default", "kube-system", Mode.Namespace],
            ServedTypes = SimClusterOptions.TypesFor(setup.Platform.IsOpenShift, setup.CertManager),
        };
        Cluster = new SimCluster(Clock, options);
        Operator = new FaultyClient(Cluster.Client("ztwim"), Faults, new Random(setup.Seed), Clock, Crash);
        User = Cluster.Client("kubectl");
        lastChange = Clock.GetUtcNow();
    }

    public SimClock Clock { get; }

    public SimCluster Cluster { get; }

    public Faults Faults { get; } = new();

    /// <summary>The operator's client: its requests by verb and its writes.</summary>
    public FaultyClient Operator { get; }

    /// <summary>A user's client, as kubectl would act; it sees no faults.</summary>
    public IClusterClient User { get; }

    public IReadOnlyList<TraceLine> Trace => trace;

    /// <summary>The operator running now, if any: what its informers hold is what it decides from.</summary>
    public OperatorRuntime? Runtime => running is null ? null : runtime;

    /// <summary>Exceptions that escaped the operator or the cluster: a bug, never part of a passing run.</summary>
    public IReadOnlyList<Exception> Failures => scheduler.Failures;

    public int Reconciles { get; private set; }

    public int Restarts { get; private set; }

    /// <summary>The operator's Mode for its current environment.</summary>
    public Mode Mode => ModeModule.withCertManager(
        setup.CertManager,
        ModeModule.ofEnvironment(setup.Platform, MapModule.OfSeq(env.Select(kv => Tuple.Create(kv.Key, kv.Value)))));

    /// <summary>Whether the operator is running (not crashed or waiting to restart).</summary>
    public bool OperatorUp => running is { IsCancellationRequested: false };

    /// <summary>Starts the operator with the current environment.</summary>
    public void StartOperator()
    {
        pendingRestart?.Dispose();
        pendingRestart = null;
        var options = new RuntimeOptions(Mode)
        {
            Seed = setup.Seed + Restarts,
            Resync = setup.Resync,
            OperatorConditionName = env.TryGetValue("OPERATOR_CONDITION_NAME", out var condition) && condition.Length > 0 ? condition : null,
        };
        var instance = new OperatorRuntime(Operator, Clock, options, this);
        var cts = new CancellationTokenSource();
        runtime = instance;
        running = cts;
        Note("simulation", "start", "operator", $"namespace {options.Mode.Namespace}, create-only {options.Mode.CreateOnly}");
        scheduler.Start(() => instance.RunAsync(cts.Token));
    }

    /// <summary>Stops the operator and starts it again at once (a rollout of its Deployment).</summary>
    public void Restart()
    {
        Stop();
        Restarts++;
        StartOperator();
    }

    /// <summary>Changes the operator's environment (null unsets) and restarts it, as editing its Deployment does.</summary>
    public void SetEnv(IEnumerable<KeyValuePair<string, string?>> changes)
    {
        foreach (var (k, v) in changes)
        {
            if (v is null)
            {
                env.Remove(k);
            }
            else
            {
                env[k] = v;
            }
        }

        Restart();
    }

    private void Stop()
    {
        if (running is { } cts)
        {
            scheduler.Run(cts.Cancel);
        }

        running = null;
    }

    // The crash fault: the process dies now; its pod comes back after the restart delay.
    private void Crash()
    {
        Note("simulation", "crash", "operator", $"restarting in {setup.RestartDelay.TotalSeconds:0}s");
        running?.Cancel();
        running = null;
        pendingRestart = Clock.CreateTimer(
            _ =>
            {
                Restarts++;
                StartOperator();
            },
            null,
            setup.RestartDelay,
            Timeout.InfiniteTimeSpan);
    }

    /// <summary>Runs the simulation for a span of simulated time.</summary>
    public void RunFor(TimeSpan span)
    {
        var until = Clock.GetUtcNow() + span;
        Pump();
        while (Clock.NextDue is { } due && due <= until)
        {
            scheduler.Run(() => Clock.FireNext());
            Pump();
        }

        Clock.MoveTo(until);
    }

    /// <summary>
    /// Runs until the operator has nothing left to do and nothing in the cluster changed for the quiet window;
    /// false when that did not happen within <paramref name="timeout"/>.
    /// </summary>
    public bool RunUntilConverged(TimeSpan timeout)
    {
        var until = Clock.GetUtcNow() + timeout;
        Pump();
        while (true)
        {
            if (IsConverged)
            {
                return true;
            }

            // Idle and waiting only for the quiet window to pass: move to its end rather than to the next timer.
            var quietEnd = lastChange + setup.QuietWindow;
            if (IsIdle && quietEnd <= until && (Clock.NextDue is not { } next || next > quietEnd))
            {
                Clock.MoveTo(quietEnd);
                return IsConverged;
            }

            if (Clock.NextDue is not { } due || due > until)
            {
                Clock.MoveTo(until);
                return IsConverged;
            }

            scheduler.Run(() => Clock.FireNext());
            Pump();
        }
    }

    /// <summary>The operator is up, synced and idle, no retry is pending, and nothing changed for the quiet window.</summary>
    public bool IsConverged => IsIdle && Clock.GetUtcNow() - lastChange >= setup.QuietWindow;

    private bool IsIdle =>
        runtime is { Started: true } r && OperatorUp && r.Queue.IsIdle && r.Queue.NextDelayed is null;

    /// <summary>Runs one user request to completion on the simulation's thread.</summary>
    public ApiResult<T> AsUser<T>(Func<IClusterClient, Task<ApiResult<T>>> request)
    {
        Task<ApiResult<T>>? task = null;
        scheduler.Run(() => task = request(User));
        Pump();
        return task is { IsCompleted: true } ? task.Result : new ApiError(0, "Pending", "the request did not complete");
    }

    /// <summary>Adds a line to the trace (steps, faults, restarts).</summary>
    public void Note(string actor, string verb, string target, string detail) =>
        trace.Add(new TraceLine(Clock.Elapsed, actor, verb, target, detail));

    private void Pump()
    {
        scheduler.Run(() => { });
        if (Cluster.ResourceVersion != lastResourceVersion)
        {
            lastResourceVersion = Cluster.ResourceVersion;
            lastChange = Clock.GetUtcNow();
        }
    }

    /// <summary>Each reconcile of the running operator, once it is done and has queued what comes next.</summary>
    public event Action<ReconcileRecord>? ReconcileDone;

    void IRuntimeObserver.Reconciled(ReconcileRecord record)
    {
        Reconciles++;
        ReconcileDone?.Invoke(record);
        foreach (var w in record.Writes)
        {
            var target = $"{w.Target.ApiVersion} {w.Target.Show()}";
            var detail = w.Error is null ? w.Reason : $"{w.Reason} -> {w.Error}";
            trace.Add(new TraceLine(Clock.Elapsed, record.Controller, w.Verb, target, detail));
        }

        if (record.Outcome is ReconcileOutcome.Error or ReconcileOutcome.Requeue && record.Writes.Count == 0)
        {
            trace.Add(new TraceLine(Clock.Elapsed, record.Controller, "requeue", "", record.Error?.ToString() ?? ""));
        }
    }

    void IRuntimeObserver.InformerError(ResourceType type, string verb, ApiError error)
    {
        // A kind the platform does not serve is expected, not news.
        if (error.Code != 404)
        {
            trace.Add(new TraceLine(Clock.Elapsed, "informer", verb, type.ToString(), error.ToString()));
        }
    }
}
