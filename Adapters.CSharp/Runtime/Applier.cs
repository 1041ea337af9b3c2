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
public sealed class Applier(IClusterClient client, TimeProvider clock, bool createOnly = false, ObjectRef? operatorCondition = null)
{
    public const string FieldManager = "ztwim";

    // Read-your-own-writes: what we last sent to each object, and the resourceVersion the object had in our
    // cache when we sent it. While the cache still holds that version, the informer has not caught up with our
    // write, and sending the same body again would only repeat it. resourceVersions are compared for equality
    // only, as the API requires of opaque values.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<ObjectRef, (Json Body, string? SeenVersion)> sent = new();

    private bool AlreadySent(ObjectRef target, Json body, Json? observed) =>
        sent.TryGetValue(target, out var last)
        && last.Body.Equals(body)
        && observed?.Meta("resourceVersion") == last.SeenVersion;

    // A POST records its fields under an Update entry, which a later apply never removes: a field dropped from
    // the desired object would stay forever (found by ztwim-sim fuzz). So objects are created by apply, which
    // owns every field from the start. In create-only mode a POST it stays: it fails on an object that exists
    // (an apply would take it over), and nothing is applied later.
    private bool CreatesByApply(Json? cr) => !createOnly && (cr is null || !Kernel.Reconcile.DecisionModule.createOnly(cr));

    public async Task<ApplyResult> ExecuteAsync(
        string controller,
        Json? cr,
        Decision decision,
        IReadOnlyDictionary<ObjectRef, Json> observed,
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
            var seen = observed.TryGetValue(target, out var o) ? o : null;
            if (action is Kernel.Plan.Action.Apply pending && AlreadySent(target, pending.Item2, seen))
            {
                continue;
            }
            var (verb, result) = action switch
            {
                Kernel.Plan.Action.Create c when CreatesByApply(cr) => ("create", await CreateByApply(target, c.Item2, ct)),
                Kernel.Plan.Action.Create c => ("create", await client.CreateAsync(c.Item2, ct)),
                Kernel.Plan.Action.Apply a => ("apply", await client.ApplyAsync(a.Item2, FieldManager, true, ct)),
                Kernel.Plan.Action.Adopt a => ("adopt", await client.ApplyAsync(a.Item2, FieldManager, true, ct)),
                Kernel.Plan.Action.Delete => ("delete", await Deleted(target, seen, ct)),
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
                if (action is Kernel.Plan.Action.Apply done)
                {
                    sent[target] = (done.Item2, seen?.Meta("resourceVersion"));
                }

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

        // Serving certificates the kernel asks for (plain Kubernetes): a missing Secret is created (one of the
        // user's by that name is met as a create meets any object: found, and left alone); one of ours is
        // renewed in place.
        foreach (var certificate in decision.Certificates)
        {
            var secret = ServingCertificateIssuer.SecretFor(certificate, clock.GetUtcNow());
            var target = secret.RefOf();
            var renew = observed.ContainsKey(target);
            var result = renew
                ? await client.ApplyAsync(secret, FieldManager, true, ct)
                : await client.CreateAsync(secret, ct);
            var verb = renew ? "apply" : "create";
            writes.Add(new WriteRecord(controller, verb, target, renew ? "serving certificate expiring" : "serving certificate missing", result.Error));
            if (ct.IsCancellationRequested)
            {
                return Stop(ReconcileOutcome.Cancelled, null);
            }

            if (result.Error is { } error)
            {
                if (error.Reason == "AlreadyExists" && await client.GetAsync(target, ct) is { IsOk: true } existing)
                {
                    found.Add(existing.Value);
                }

                return Stop(error.IsRace ? ReconcileOutcome.Requeue : ReconcileOutcome.Error, error);
            }
        }

        if (cr is not null && FSharpOption<Json>.get_IsSome(decision.Status))
        {
            var status = decision.Status.Value;
            var crRef = cr.RefOf();
            if (!StatusComparison.Same(cr.At("status"), status) && !AlreadySent(crRef, status, cr))
            {
                // The resourceVersion read makes the write conditional: a status decided from a spec the user has
                // changed since (a stale cache, a delayed event) is refused with 409 and decided again, rather
                // than reporting on a generation that is no longer there.
                var body = JsonAccess.Object(
                    ("apiVersion", cr.At("apiVersion")!),
                    ("kind", cr.At("kind")!),
                    ("metadata", JsonAccess.Object(
                        ("name", JsonAccess.Of(cr.Meta("name") ?? "")),
                        ("resourceVersion", JsonAccess.Of(cr.Meta("resourceVersion") ?? "")))),
                    ("status", status));
                var result = await client.ApplyStatusAsync(body, FieldManager, true, ct);
                writes.Add(new WriteRecord(controller, "status", crRef, "status differs", result.Error));
                if (result.IsOk)
                {
                    sent[crRef] = (status, cr.Meta("resourceVersion"));
                }

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

        if (operatorCondition is not null && cr?.Str("kind") == "ZeroTrustWorkloadIdentityManager"
            && FSharpOption<Json>.get_IsSome(decision.Status)
            && await MirrorUpgradeableAsync(controller, decision.Status.Value, writes, ct) is { } failed)
        {
            return Stop(failed.IsRace ? ReconcileOutcome.Requeue : ReconcileOutcome.Error, failed);
        }

        return Stop(ReconcileOutcome.Success, null);
    }

    // Upgradeable onto OLM's OperatorCondition, when it exists (404: not installed by OLM, nothing to tell).
    private async Task<ApiError?> MirrorUpgradeableAsync(string controller, Json status, List<WriteRecord> writes, CancellationToken ct)
    {
        var current = await client.GetAsync(operatorCondition!, ct);
        if (!current.IsOk)
        {
            return current.Error!.Code == 404 ? null : current.Error;
        }

        var body = Kernel.Reconcile.OperatorCondition.mirror(status, current.Value);
        if (!FSharpOption<Json>.get_IsSome(body))
        {
            return null;
        }

        var result = await client.ApplyAsync(body.Value, FieldManager, true, ct);
        writes.Add(new WriteRecord(controller, "apply", operatorCondition!, "Upgradeable differs", result.Error));
        return result.Error;
    }

    // An apply creates what is missing, but would also take over an object our informers cannot see (one
    // without our label) without the kernel's adoption and immutability checks (found by ztwim-sim fuzz: an
    // unlabelled ConfigMap got a changed clusterName). So look first, and meet an existing object as a POST would.
    private async Task<ApiResult<Json>> CreateByApply(ObjectRef target, Json body, CancellationToken ct)
    {
        var existing = await client.GetAsync(target, ct);
        if (existing.IsOk)
        {
            return ApiError.AlreadyExists(target.Show());
        }

        return existing.Error?.Code == 404 ? await client.ApplyAsync(body, FieldManager, true, ct) : existing;
    }

    // Only the object the kernel decided on, as read: one changed since (relabelled by a user, replaced) makes the
    // DELETE fail with 409, and the next reconcile decides on what is there now.
    private async Task<ApiResult<Json>> Deleted(ObjectRef target, Json? seen, CancellationToken ct)
    {
        var result = seen is null
            ? await client.DeleteAsync(target, ct)
            : await client.DeleteAsync(target, DeletePreconditions.Of(seen), ct);
        return result.IsOk ? ApiResult<Json>.Ok(Json.Null) : result.Cast<Json>();
    }
}
