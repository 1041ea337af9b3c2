using System.Diagnostics;
using Ztwim.Adapters.Cluster;
using Ztwim.Adapters.Runtime;
using Ztwim.Kernel;

namespace Ztwim.Operator.Observability;

/// <summary>
/// The operator's metrics, fed by the runtime as it goes: controller-runtime's names and labels (so dashboards
/// made for the upstream operator keep working) and ztwim's own — operand readiness per CR, writes by kind, verb
/// and result, informer errors, leadership. Rendered in the Prometheus text format on each scrape.
/// </summary>
public sealed class OperatorMetrics : IRuntimeObserver
{
    /// <summary>controller-runtime's reconcile_time_seconds buckets.</summary>
    public static readonly double[] Buckets =
    [
        0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5, 1.75,
        2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
    ];

    private readonly object gate = new();
    private readonly Dictionary<(string Controller, string Result), long> reconciles = [];
    private readonly Dictionary<string, long> errors = [];
    private readonly Dictionary<string, Histogram> times = [];
    private readonly Dictionary<string, int> active = [];
    private readonly Dictionary<(string Kind, string Verb, string Result), long> writes = [];
    private readonly Dictionary<(string Kind, string Verb, string Code), long> informerErrors = [];
    private readonly IReadOnlyList<string> controllers;

    public OperatorMetrics(IReadOnlyList<string> controllers)
    {
        this.controllers = controllers;
        foreach (var c in controllers)
        {
            active[c] = 0;
            errors[c] = 0;
            times[c] = new Histogram();
        }
    }

    /// <summary>The CRs as the informers hold them now (null before the runtime starts).</summary>
    public Func<IEnumerable<Json>>? Crs { get; set; }

    /// <summary>Whether this replica leads (1), stands by (0).</summary>
    public Func<bool>? Leading { get; set; }

    public void ReconcileStarted(string controller)
    {
        lock (gate)
        {
            active[controller] = active.GetValueOrDefault(controller) + 1;
        }
    }

    public void Reconciled(ReconcileRecord record)
    {
        var result = record.Outcome switch
        {
            ReconcileOutcome.Success when record.RequeueAfter is not null => "requeue_after",
            ReconcileOutcome.Success => "success",
            ReconcileOutcome.Requeue => "requeue",
            ReconcileOutcome.Error => "error",
            _ => null,
        };
        lock (gate)
        {
            active[record.Controller] = Math.Max(0, active.GetValueOrDefault(record.Controller) - 1);
            if (result is null)
            {
                return;
            }

            Bump(reconciles, (record.Controller, result));
            if (result == "error")
            {
                Bump(errors, record.Controller);
            }

            if (!times.TryGetValue(record.Controller, out var h))
            {
                times[record.Controller] = h = new Histogram();
            }

            h.Observe(record.Duration.TotalSeconds);
            foreach (var w in record.Writes)
            {
                Bump(writes, (w.Target.Kind, w.Verb, w.Error is null ? "ok" : "error"));
            }
        }
    }

    public void InformerError(ResourceType type, string verb, ApiError error)
    {
        lock (gate)
        {
            Bump(informerErrors, (type.Kind, verb, error.Code.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    /// <summary>Every metric, in the Prometheus text format.</summary>
    public string Render()
    {
        var text = new PrometheusText();
        lock (gate)
        {
            text.Family("controller_runtime_reconcile_total", "counter", "Total number of reconciliations per controller");
            foreach (var c in controllers.Union(reconciles.Keys.Select(k => k.Controller)))
            {
                foreach (var r in new[] { "error", "requeue", "requeue_after", "success" })
                {
                    text.Sample("controller_runtime_reconcile_total", reconciles.GetValueOrDefault((c, r)), ("controller", c), ("result", r));
                }
            }

            text.Family("controller_runtime_reconcile_errors_total", "counter", "Total number of reconciliation errors per controller");
            foreach (var (c, n) in errors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                text.Sample("controller_runtime_reconcile_errors_total", n, ("controller", c));
            }

            text.Family("controller_runtime_reconcile_time_seconds", "histogram", "Length of time per reconciliation per controller");
            foreach (var (c, h) in times.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                h.Write(text, "controller_runtime_reconcile_time_seconds", c);
            }

            text.Family("controller_runtime_active_workers", "gauge", "Number of currently used workers per controller");
            foreach (var (c, n) in active.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                text.Sample("controller_runtime_active_workers", n, ("controller", c));
            }

            // One key never runs twice at once, so each controller reconciles at most once at a time.
            text.Family("controller_runtime_max_concurrent_reconciles", "gauge", "Maximum number of concurrent reconciles per controller");
            foreach (var c in controllers)
            {
                text.Sample("controller_runtime_max_concurrent_reconciles", 1, ("controller", c));
            }

            text.Family("ztwim_writes_total", "counter", "Writes the operator sent to the API server, by kind, verb and result");
            foreach (var ((kind, verb, result), n) in writes.OrderBy(kv => kv.Key))
            {
                text.Sample("ztwim_writes_total", n, ("kind", kind), ("verb", verb), ("result", result));
            }

            text.Family("ztwim_informer_errors_total", "counter", "Failed list and watch requests of the informers, by kind, verb and HTTP code");
            foreach (var ((kind, verb, code), n) in informerErrors.OrderBy(kv => kv.Key))
            {
                text.Sample("ztwim_informer_errors_total", n, ("kind", kind), ("verb", verb), ("code", code));
            }
        }

        text.Family("ztwim_operand_ready", "gauge", "1 when the CR's Ready condition is True, 0 otherwise, per CR");
        foreach (var cr in (Crs?.Invoke() ?? []).OrderBy(o => o.Str("kind"), StringComparer.Ordinal))
        {
            var ready = cr.Items("status", "conditions").Any(c => c.Str("type") == "Ready" && c.Str("status") == "True");
            text.Sample("ztwim_operand_ready", ready ? 1 : 0, ("kind", cr.Str("kind") ?? ""), ("name", cr.Meta("name") ?? ""));
        }

        text.Family("ztwim_leader", "gauge", "1 when this replica holds the leader Lease");
        text.Sample("ztwim_leader", Leading?.Invoke() == true ? 1 : 0);

        using var process = Process.GetCurrentProcess();
        text.Family("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds")
            .Sample("process_cpu_seconds_total", process.TotalProcessorTime.TotalSeconds);
        text.Family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes")
            .Sample("process_resident_memory_bytes", process.WorkingSet64);
        text.Family("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds")
            .Sample("process_start_time_seconds", new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0);
        text.Family("dotnet_gc_heap_bytes", "gauge", "Bytes of the managed heap")
            .Sample("dotnet_gc_heap_bytes", GC.GetTotalMemory(false));
        return text.ToString();
    }

    private static void Bump<TKey>(Dictionary<TKey, long> counts, TKey key)
        where TKey : notnull => counts[key] = counts.GetValueOrDefault(key) + 1;

    private sealed class Histogram
    {
        private readonly long[] counts = new long[Buckets.Length];
        private long total;
        private double sum;

        public void Observe(double seconds)
        {
            for (var i = 0; i < Buckets.Length; i++)
            {
                if (seconds <= Buckets[i])
                {
                    counts[i]++;
                }
            }

            total++;
            sum += seconds;
        }

        public void Write(PrometheusText text, string name, string controller)
        {
            for (var i = 0; i < Buckets.Length; i++)
            {
                text.Sample(name + "_bucket", counts[i], ("controller", controller), ("le", PrometheusText.Number(Buckets[i])));
            }

            text.Sample(name + "_bucket", total, ("controller", controller), ("le", "+Inf"));
            text.Sample(name + "_sum", sum, ("controller", controller));
            text.Sample(name + "_count", total, ("controller", controller));
        }
    }
}
