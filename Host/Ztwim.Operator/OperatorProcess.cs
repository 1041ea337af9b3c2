using Serilog;
using Ztwim.Adapters.Kube;
using Ztwim.Adapters.Runtime;
using Ztwim.Kernel.Render;
using Ztwim.Operator.Configuration;
using Ztwim.Operator.Leadership;
using Ztwim.Operator.Observability;
using Ztwim.Operator.Serving;

namespace Ztwim.Operator;

/// <summary>Exit codes: 0 stopped when asked, 1 leadership lost or the runtime failed, 2 bad configuration, 3 no API server.</summary>
public static class ExitCodes
{
    public const int Stopped = 0;
    public const int Failed = 1;
    public const int BadConfiguration = 2;
    public const int NoApiServer = 3;
}

/// <summary>
/// The operator's life: discover the platform, serve probes and metrics, wait for the leader Lease, run the
/// controller runtime, and stop. On SIGTERM it stops taking work, lets the reconcile in flight finish (up to the
/// grace period), releases the Lease and exits 0; on losing the Lease it stops reconciling at once and exits 1,
/// so that its pod restarts as a standby and never acts as a second leader.
/// </summary>
public sealed class OperatorProcess(OperatorSettings settings, KubeClusterClient client, ILogger log)
{
    /// <summary>The upstream operator's election ID: the two operators never lead at once during a migration.</summary>
    public const string LeaseName = "24a59323.operator.openshift.io";

    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(20);

    public OperatorState State { get; } = new();

    public OperatorMetrics Metrics { get; } = new(ControllerKeys.All);

    /// <summary>OpenShift when the cluster serves Routes and SCCs, else plain Kubernetes.</summary>
    public static Platform PlatformOf(IReadOnlySet<string> groups) =>
        groups.Contains("route.openshift.io") && groups.Contains("security.openshift.io") ? Platform.OpenShift : Platform.Kubernetes;

    /// <summary>Whether the cluster serves cert-manager's API: on plain Kubernetes it then keeps the serving certificates.</summary>
    public static bool ServesCertManager(IReadOnlySet<string> groups) => groups.Contains("cert-manager.io");

    public async Task<int> RunAsync(CancellationToken stop)
    {
        var groups = await DiscoverAsync(stop);
        if (groups is null)
        {
            return stop.IsCancellationRequested ? ExitCodes.Stopped : ExitCodes.NoApiServer;
        }

        var platform = PlatformOf(groups);
        var mode = settings.ModeFor(platform, ServesCertManager(groups));
        log.Information(
            "Starting in namespace {Namespace} on {Platform} (cert-manager {CertManager}): create-only {CreateOnly}, proxy {ProxySet}, trusted CA bundle {TrustedCaBundle}, leader election {LeaderElect}",
            mode.Namespace,
            platform.IsOpenShift ? "OpenShift" : "Kubernetes",
            mode.CertManager ? "served" : "not served",
            mode.CreateOnly,
            mode.Proxy.HttpProxy is not null || mode.Proxy.HttpsProxy is not null,
            mode.TrustedCaBundleConfigMap?.Value,
            settings.LeaderElect);

        await using var server = ProbeServer.Build(settings, State, Metrics, new MetricsAuthorizer(client, TimeProvider.System));
        try
        {
            await server.StartAsync(CancellationToken.None);
        }
        catch (IOException e)
        {
            log.Fatal("Cannot serve probes or metrics: {Reason}", e.Message);
            return ExitCodes.Failed;
        }

        log.Information("Serving probes on {Health} and metrics on {Metrics} ({Scheme})",
            settings.HealthAddress?.ToString() ?? "off", settings.MetricsAddress?.ToString() ?? "off", settings.MetricsSecure ? "https" : "http");
        try
        {
            return await LeadAndRunAsync(mode, stop);
        }
        finally
        {
            State.Stopping();
            await server.StopAsync(CancellationToken.None);
        }
    }

    private async Task<int> LeadAndRunAsync(Mode mode, CancellationToken stop)
    {
        LeaderElector? elector = null;
        // Without leader election the Lease is never lost: "held" completes (true) only when asked to stop.
        var held = WaitAsync(stop).ContinueWith(_ => true, TaskScheduler.Default);
        using var holding = CancellationTokenSource.CreateLinkedTokenSource(stop);
        Metrics.Leading = () => State.Leading;
        if (settings.LeaderElect)
        {
            var identity = $"{Environment.MachineName}_{Guid.NewGuid()}";
            elector = new LeaderElector(client, TimeProvider.System, settings.LeaseNamespace, LeaseName, identity, LeaseTimings.Default);
            string? lastLeader = null;
            elector.LeaderObserved += holder =>
            {
                if (holder != lastLeader)
                {
                    lastLeader = holder;
                    log.Information("Standing by: {Holder} holds the Lease {Namespace}/{Lease}", holder, settings.LeaseNamespace, LeaseName);
                }
            };
            State.StandBy();
            log.Information("Waiting for the Lease {Namespace}/{Lease} as {Identity}", settings.LeaseNamespace, LeaseName, identity);
            if (!await elector.AcquireAsync(stop))
            {
                return ExitCodes.Stopped;
            }

            log.Information("Became the leader: Lease {Namespace}/{Lease}", settings.LeaseNamespace, LeaseName);
            held = elector.HoldAsync(holding.Token);
        }

        State.Lead();
        using var abort = new CancellationTokenSource();
        using var stopRuntime = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var runtime = new OperatorRuntime(client, TimeProvider.System, new RuntimeOptions(mode) { OperatorConditionName = settings.OperatorConditionName }, new Observers(Metrics, new ReconcileLog(log)));
        Metrics.Crs = () => runtime.Informers.Take(Adapters.Cluster.ResourceTypes.OperatorCrs.Count).SelectMany(i => i.Objects().Select(kv => kv.Value));
        var running = runtime.RunAsync(stopRuntime.Token, abort.Token);
        var synced = WatchSyncAsync(runtime, stopRuntime.Token);

        var first = await Task.WhenAny(running, held, WaitAsync(stop));
        if (first == held && !await held)
        {
            // Another replica may already be acting: not one more write from here.
            State.LostLeadership();
            await abort.CancelAsync();
            await stopRuntime.CancelAsync();
            log.Fatal("Lost the leader Lease {Namespace}/{Lease}: stopping at once", settings.LeaseNamespace, LeaseName);
            await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None));
            return ExitCodes.Failed;
        }

        if (first == running && !stop.IsCancellationRequested)
        {
            await holding.CancelAsync();
            var failure = running.Exception?.GetBaseException();
            log.Fatal(failure, "The controller runtime stopped by itself");
            return ExitCodes.Failed;
        }

        log.Information("Stopping: finishing the reconcile in flight (up to {Grace} s)", Grace.TotalSeconds);
        State.Stopping();
        await stopRuntime.CancelAsync();
        if (await Task.WhenAny(running, Task.Delay(Grace, CancellationToken.None)) != running)
        {
            log.Warning("The reconcile in flight did not finish within {Grace} s: cancelling it", Grace.TotalSeconds);
            await abort.CancelAsync();
            await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None));
        }

        await synced.ContinueWith(_ => { }, TaskScheduler.Default);
        await holding.CancelAsync();
        await held;
        if (elector is not null)
        {
            using var release = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await elector.ReleaseAsync(release.Token);
            log.Information("Released the Lease {Namespace}/{Lease}", settings.LeaseNamespace, LeaseName);
        }

        log.Information("Stopped after {Reconciles} reconciles", runtime.Reconciles);
        return ExitCodes.Stopped;
    }

    private async Task WatchSyncAsync(OperatorRuntime runtime, CancellationToken ct)
    {
        while (!runtime.Started && !ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        if (runtime.Started)
        {
            State.Synced();
            log.Information("Informers synced: {Informers} informers, {Served} served by this cluster",
                runtime.Informers.Count(), runtime.Informers.Count(i => i.Served));
        }
    }

    // Discovery, retried for a minute: an API server that is still coming up is not a configuration error.
    private async Task<IReadOnlySet<string>?> DiscoverAsync(CancellationToken stop)
    {
        for (var attempt = 1; !stop.IsCancellationRequested; attempt++)
        {
            var groups = await client.ServedGroupsAsync(stop);
            if (groups.IsOk)
            {
                return groups.Value;
            }

            if (attempt >= 12 || groups.Error!.Code is 401 or 403)
            {
                log.Fatal("API discovery failed: {Error}", groups.Error!.ToString());
                return null;
            }

            log.Warning("API discovery failed (attempt {Attempt}): {Error}", attempt, groups.Error!.ToString());
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(5), stop);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }

        return null;
    }

    private static Task WaitAsync(CancellationToken ct) => Task.Delay(Timeout.InfiniteTimeSpan, ct).ContinueWith(_ => { }, TaskScheduler.Default);
}
