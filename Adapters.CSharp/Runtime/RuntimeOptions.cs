using Ztwim.Kernel.Render;

namespace Ztwim.Adapters.Runtime;

/// <summary>
/// How the controller runtime runs: the kernel's Mode, concurrent workers (one key is never run twice at once
/// whatever their number), the resync period (every controller is reconciled again that often, from the cache,
/// with no API call), the backoff for failing keys and the seed of its jitter.
/// </summary>
public sealed record RuntimeOptions(Mode Mode)
{
    public int Workers { get; init; } = 2;

    public TimeSpan Resync { get; init; } = TimeSpan.FromMinutes(10);

    public Backoff Backoff { get; init; } = Backoff.Default;

    public int Seed { get; init; }

    /// <summary>The OLM OperatorCondition (in the operator's namespace) to mirror Upgradeable onto; null for none.</summary>
    public string? OperatorConditionName { get; init; }
}
