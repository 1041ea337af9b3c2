namespace Ztwim.Operator.Serving;

/// <summary>Where the process is in its life, for /readyz and the leader metric. Thread-safe.</summary>
public sealed class OperatorState
{
    private volatile bool leading;
    private volatile bool standingBy;
    private volatile bool synced;
    private volatile bool stopping;

    public bool Leading => leading;

    /// <summary>A candidate waiting for the Lease: ready to take over, so ready.</summary>
    public void StandBy() => standingBy = true;

    public void Lead()
    {
        standingBy = false;
        leading = true;
    }

    public void LostLeadership() => leading = false;

    /// <summary>Every informer has synced and the workers run.</summary>
    public void Synced() => synced = true;

    public void Stopping() => stopping = true;

    /// <summary>Ready: the leader once its informers synced, or a standby; not while stopping.</summary>
    public bool Ready => !stopping && ((leading && synced) || standingBy);

    /// <summary>What /readyz says.</summary>
    public string Describe() =>
        stopping ? "stopping"
        : leading ? synced ? "leading, informers synced" : "leading, informers syncing"
        : standingBy ? "standing by for the leader Lease"
        : "starting";
}
