using Serilog;
using Serilog.Events;
using Ztwim.Adapters.Cluster;
using Ztwim.Adapters.Runtime;

namespace Ztwim.Operator.Observability;

/// <summary>
/// One log line per reconcile: controller, duration, the writes it sent (verb and object, never a body, so no
/// Secret's value can reach the log) and the outcome; a failed one is a warning. Informer errors are warnings, except 410 which is routine.
/// </summary>
public sealed class ReconcileLog(ILogger log) : IRuntimeObserver
{
    public void Reconciled(ReconcileRecord record)
    {
        var actions = record.Writes
            .Select(w => w.Error is null ? $"{w.Verb} {w.Target.Show()}" : $"{w.Verb} {w.Target.Show()} failed: {w.Error.Code} {w.Error.Reason}")
            .ToArray();
        var level = record.Outcome == ReconcileOutcome.Error ? LogEventLevel.Warning : LogEventLevel.Information;
        log.Write(
            level,
            "Reconciled {Controller} in {DurationMs:0.0} ms: {Outcome}, {WriteCount} writes {Actions}, requeue after {RequeueAfter}, error {Error}",
            record.Controller,
            record.Duration.TotalMilliseconds,
            record.Outcome,
            actions.Length,
            actions,
            record.RequeueAfter,
            record.Error?.ToString());
    }

    public void InformerError(ResourceType type, string verb, ApiError error) =>
        log.Write(
            error.Code == 410 ? LogEventLevel.Debug : LogEventLevel.Warning,
            "Informer {Kind} {Verb} failed: {Code} {Reason}: {Message}",
            type.Kind,
            verb,
            error.Code,
            error.Reason,
            error.Message);
}

/// <summary>Every observer in turn.</summary>
public sealed class Observers(params IRuntimeObserver[] observers) : IRuntimeObserver
{
    public void ReconcileStarted(string controller)
    {
        foreach (var o in observers)
        {
            o.ReconcileStarted(controller);
        }
    }

    public void Reconciled(ReconcileRecord record)
    {
        foreach (var o in observers)
        {
            o.Reconciled(record);
        }
    }

    public void InformerError(ResourceType type, string verb, ApiError error)
    {
        foreach (var o in observers)
        {
            o.InformerError(type, verb, error);
        }
    }
}
