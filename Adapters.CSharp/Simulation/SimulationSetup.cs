using Ztwim.Kernel.Render;

namespace Ztwim.Adapters.Simulation;

/// <summary>What a simulation starts from: the cluster's nodes and platform, the operator's environment and the seed.</summary>
public sealed record SimulationSetup
{
    public int Nodes { get; init; } = 3;

    public Platform Platform { get; init; } = Platform.OpenShift;

    /// <summary>Whether the cluster serves cert-manager.io (and runs a simulated cert-manager).</summary>
    public bool CertManager { get; init; }

    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    public int Seed { get; init; }

    /// <summary>How long a crashed operator takes to come back (the pod restarting).</summary>
    public TimeSpan RestartDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long nothing may change for a run to count as converged.</summary>
    public TimeSpan QuietWindow { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The operator's resync period.</summary>
    public TimeSpan Resync { get; init; } = TimeSpan.FromMinutes(10);
}
