using Ztwim.Adapters.Cluster;
using Ztwim.Kernel.Render;

namespace Ztwim.Adapters.Runtime;

/// <summary>How one reconcile ended.</summary>
public enum ReconcileOutcome
{
    /// <summary>Every write went through.</summary>
    Success,

    /// <summary>The cluster moved under us (409, 404, AlreadyExists): look again soon, not a failure.</summary>
    Requeue,

    /// <summary>A write failed: retried after the backoff.</summary>
    Error,

    /// <summary>The operator stopped in the middle.</summary>
    Cancelled,
}

/// <summary>One write the applier sent and what the server answered.</summary>
public sealed record WriteRecord(string Controller, string Verb, ObjectRef Target, string Reason, ApiError? Error);

/// <summary>One reconcile: which controller, when, how long, what it wrote, how it ended, when it looks again.</summary>
public sealed record ReconcileRecord(
    string Controller,
    DateTimeOffset Start,
    TimeSpan Duration,
    IReadOnlyList<WriteRecord> Writes,
    ReconcileOutcome Outcome,
    ApiError? Error,
    TimeSpan? RequeueAfter);

/// <summary>What the runtime reports as it goes: the operator logs it and counts it; the simulator traces it.</summary>
public interface IRuntimeObserver
{
    /// <summary>A worker took a controller key; <see cref="Reconciled"/> follows when it is done.</summary>
    void ReconcileStarted(string controller)
    {
    }

    void Reconciled(ReconcileRecord record);

    void InformerError(ResourceType type, string verb, ApiError error);
}

/// <summary>An observer that ignores everything.</summary>
public sealed class NoObserver : IRuntimeObserver
{
    public static readonly NoObserver Instance = new();

    public void Reconciled(ReconcileRecord record)
    {
    }

    public void InformerError(ResourceType type, string verb, ApiError error)
    {
    }
}
