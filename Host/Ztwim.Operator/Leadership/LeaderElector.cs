using System.Globalization;
using Ztwim.Adapters.Cluster;
using Ztwim.Kernel;
using Ztwim.Kernel.Render;

namespace Ztwim.Operator.Leadership;

/// <summary>client-go's default timings: a lease lasts 15 s, the leader renews every 2 s and gives up after 10 s.</summary>
public sealed record LeaseTimings(TimeSpan LeaseDuration, TimeSpan RenewDeadline, TimeSpan RetryPeriod)
{
    public static readonly LeaseTimings Default = new(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2));
}

/// <summary>
/// Leader election on a coordination.k8s.io/v1 Lease, as client-go does it: a candidate takes the Lease when it
/// is free or its holder has not renewed it for a lease duration (measured on our own clock from when we last
/// saw it change, so clock skew between nodes does not matter), the leader renews it every retry period, and a
/// leader that cannot renew within the renew deadline has lost it. Writes are updates with the resourceVersion
/// read, so two candidates never both win. Releasing empties the holder so that a standby takes over at once.
/// </summary>
public sealed class LeaderElector(IClusterClient client, TimeProvider clock, string ns, string name, string identity, LeaseTimings timings)
{
    private static readonly ResourceType LeaseType = ResourceTypes.Find("coordination.k8s.io/v1", "Lease")!;
    private string? observedRecord;
    private DateTimeOffset observedAt;

    public string Identity => identity;

    /// <summary>Raised with the holder's identity when we see another candidate lead.</summary>
    public event Action<string>? LeaderObserved;

    private ObjectRef Ref => new("coordination.k8s.io/v1", "Lease", Microsoft.FSharp.Core.FSharpOption<string>.Some(ns), name);

    /// <summary>Waits until this candidate holds the Lease; false when cancelled first.</summary>
    public async Task<bool> AcquireAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            if (await TryAcquireOrRenewAsync(ct))
            {
                return true;
            }

            try
            {
                await Task.Delay(timings.RetryPeriod, clock, ct);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>
    /// Renews the Lease until cancelled (true: still the leader, the caller may release) or until a renewal has
    /// not succeeded within the renew deadline (false: leadership is lost).
    /// </summary>
    public async Task<bool> HoldAsync(CancellationToken ct)
    {
        var lastRenew = clock.GetUtcNow();
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(timings.RetryPeriod, clock, ct);
            }
            catch (OperationCanceledException)
            {
                return true;
            }

            if (await TryAcquireOrRenewAsync(ct))
            {
                lastRenew = clock.GetUtcNow();
            }
            else if (ct.IsCancellationRequested)
            {
                return true;
            }
            else if (otherLeader || clock.GetUtcNow() - lastRenew >= timings.RenewDeadline)
            {
                return false;
            }
        }

        return true;
    }

    // Whether the last attempt found another candidate holding a live Lease: a leader that sees it has lost.
    private bool otherLeader;

    /// <summary>Gives the Lease up (holder emptied, duration 1 s) if we still hold it; best effort.</summary>
    public async Task ReleaseAsync(CancellationToken ct)
    {
        var current = await client.GetAsync(Ref, ct);
        if (!current.IsOk || current.Value.Str("spec", "holderIdentity") != identity)
        {
            return;
        }

        var now = MicroTime(clock.GetUtcNow());
        var released = current.Value
            .With(["spec", "holderIdentity"], JsonAccess.Of(""))
            .With(["spec", "leaseDurationSeconds"], JsonAccess.Of(1))
            .With(["spec", "renewTime"], JsonAccess.Of(now))
            .With(["spec", "acquireTime"], JsonAccess.Of(now));
        await client.UpdateAsync(released, ct);
    }

    /// <summary>One attempt: true when we hold the Lease afterwards.</summary>
    public async Task<bool> TryAcquireOrRenewAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var nowText = MicroTime(now);
        var current = await client.GetAsync(Ref, ct);
        if (!current.IsOk)
        {
            if (current.Error!.Code != 404)
            {
                return false;
            }

            var lease = JsonAccess.Object(
                ("apiVersion", JsonAccess.Of("coordination.k8s.io/v1")),
                ("kind", JsonAccess.Of("Lease")),
                ("metadata", JsonAccess.Object(("name", JsonAccess.Of(name)), ("namespace", JsonAccess.Of(ns)))),
                ("spec", Spec(nowText, nowText, 0)));
            var created = await client.CreateAsync(lease, ct);
            Observe(created.IsOk ? created.Value : null, now);
            return created.IsOk;
        }

        var obj = current.Value;
        var holder = obj.Str("spec", "holderIdentity") ?? "";
        Observe(obj, now);
        var duration = TimeSpan.FromSeconds(obj.Int("spec", "leaseDurationSeconds") ?? (long)timings.LeaseDuration.TotalSeconds);
        if (holder.Length > 0 && holder != identity && observedAt + duration > now)
        {
            otherLeader = true;
            LeaderObserved?.Invoke(holder);
            return false;
        }

        otherLeader = false;
        var transitions = obj.Int("spec", "leaseTransitions") ?? 0;
        var ours = holder == identity;
        var acquire = ours ? obj.Str("spec", "acquireTime") ?? nowText : nowText;
        var updated = obj.With(["spec"], Spec(acquire, nowText, ours ? transitions : transitions + 1));
        var result = await client.UpdateAsync(updated, ct);
        if (result.IsOk)
        {
            Observe(result.Value, now);
        }

        return result.IsOk;
    }

    private Json Spec(string acquireTime, string renewTime, long transitions) =>
        JsonAccess.Object(
            ("holderIdentity", JsonAccess.Of(identity)),
            ("leaseDurationSeconds", JsonAccess.Of((long)timings.LeaseDuration.TotalSeconds)),
            ("acquireTime", JsonAccess.Of(acquireTime)),
            ("renewTime", JsonAccess.Of(renewTime)),
            ("leaseTransitions", JsonAccess.Of(transitions)));

    // The holder's record changes whenever it renews; when it last changed is when we last knew it alive.
    private void Observe(Json? lease, DateTimeOffset now)
    {
        if (lease is null)
        {
            return;
        }

        var record = $"{lease.Str("spec", "holderIdentity")}|{lease.Str("spec", "renewTime")}|{lease.Int("spec", "leaseTransitions")}";
        if (record != observedRecord)
        {
            observedRecord = record;
            observedAt = now;
        }
    }

    /// <summary>metav1.MicroTime's text form.</summary>
    public static string MicroTime(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
