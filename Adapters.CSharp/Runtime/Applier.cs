using Microsoft.FSharp.Core;
using Ztwim.Adapters.Cluster;
using Ztwim.Kernel;
using Ztwim.Kernel.Plan;
using Ztwim.Kernel.Reconcile;
using Ztwim.Kernel.Render;

namespace Ztwim.Adapters.Runtime;

/// <summary>What executing a decision came to.</summary>
public sealed record ApplyResult(IReadOnlyList<WriteRecord> Writes, ReconcileOutcome Outcome, ApiError? Error)
{
    /// <summary>The objects found to exist when we tried to create them: the next reconcile must see them.</summary>
    public IReadOnlyList<Json> FoundExisting { get; init; } = [];
}

/// <summary>
/// Executes a kernel decision against the cluster, in order: creates, server-side applies (field manager
/// <c>ztwim</c>, forced: we own our fields), adoptions, deletions, then the CR's status when it differs from
/// the one observed, then events. A race (409 Conflict or AlreadyExists, 404 NotFound) stops the decision and
/// asks for a requeue: the next reconcile sees the cluster as it now is. Any other error stops it too and is
/// retried with backoff. A Create that meets an existing object reads it, so that the next reconcile can adopt
/// it even though the label-filtered informers cannot see it.
/// </summary>
public sealed class Applier(IClusterClient client)
{
    public const string FieldManager = "ztwim";

    public async Task<ApplyResult> ExecuteAsync(
        string controller,
        Json? cr,
        Decision decision,
        CancellationToken ct)
    {
        List<WriteRecord> writes = [];
        List<Json> found = [];

        ApplyResult Stop(ReconcileOutcome outcome, ApiError? error) =>
            new(writes, outcome, error) { FoundExisting = found };

        foreach (var action in decision.Actions)
        {
            var target = ActionModule.@ref(action);
            var reason = ActionModule.reason(action);
            var (verb, result) = action switch
            {
                Kernel.Plan.Action.Create c => ("create", await client.CreateAsync(c.Item2, ct)),
                Kernel.Plan.Action.Apply a => ("apply", await client.ApplyAsync(a.Item2, FieldManager, true, ct)),
                Kernel.Plan.Action.Adopt a => ("adopt", await client.ApplyAsync(a.Item2, FieldManager, true, ct)),
                Kernel.Plan.Action.Delete => ("delete", await Deleted(target, ct)),
                _ => ("unknown", ApiResult<Json>.Fail(ApiError.BadRequest("unknown action"))),
            };

            if (ct.IsCancellationRequested)
            {
                writes.Add(new WriteRecord(controller, verb, target, reason, result.Error));
                return Stop(ReconcileOutcome.Cancelled, null);
            }

            // Deleting what is already gone is what we wanted.
            var error = verb == "delete" && result.Error?.Code == 404 ? null : result.Error;
            writes.Add(new WriteRecord(controller, verb, target, reason, error));
            if (error is null)
            {
                continue;
            }

            if (verb == "create" && error.Reason == "AlreadyExists")
            {
                var existing = await client.GetAsync(target, ct);
                if (existing.IsOk)
                {
                    found.Add(existing.Value);
                }
            }

            return Stop(error.IsRace ? ReconcileOutcome.Requeue : ReconcileOutcome.Error, error);
        }

        if (cr is not null && FSharpOption<Json>.get_IsSome(decision.Status))
        {
            var status = decision.Status.Value;
            if (!Equals(cr.At("status"), status))
            {
                var body = JsonAccess.Object(
                    ("apiVersion", cr.At("apiVersion")!),
                    ("kind", cr.At("kind")!),
                    ("metadata", JsonAccess.Object(("name", JsonAccess.Of(cr.Meta("name") ?? "")))),
                    ("status", status));
                var result = await client.ApplyStatusAsync(body, FieldManager, true, ct);
                writes.Add(new WriteRecord(controller, "status", cr.RefOf(), "status differs", result.Error));
                if (ct.IsCancellationRequested)
                {
                    return Stop(ReconcileOutcome.Cancelled, null);
                }

                if (result.Error is { } error)
                {
                    return Stop(error.IsRace ? ReconcileOutcome.Requeue : ReconcileOutcome.Error, error);
                }
            }
        }

        return Stop(ReconcileOutcome.Success, null);
    }

    private async Task<ApiResult<Json>> Deleted(ObjectRef target, CancellationToken ct)
    {
        var result = await client.DeleteAsync(target, ct);
        return result.IsOk ? ApiResult<Json>.Ok(Json.Null) : result.Cast<Json>();
    }
}
