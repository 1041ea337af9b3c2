namespace Ztwim.Adapters.Sim;

/// <summary>A taint on a simulated node (effect NoSchedule, PreferNoSchedule or NoExecute).</summary>
public sealed record SimTaint(string Key, string Value, string Effect);

/// <summary>A node of the simulated cluster: its name, labels and taints. It is stored as a v1 Node.</summary>
public sealed record SimNode(string Name, IReadOnlyDictionary<string, string> Labels, IReadOnlyList<SimTaint> Taints)
{
    /// <summary>A Linux worker node with the labels a kubelet gives itself.</summary>
    public static SimNode Worker(string name, params SimTaint[] taints) =>
        new(
            name,
            new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["kubernetes.io/hostname"] = name,
                ["kubernetes.io/os"] = "linux",
                ["node-role.kubernetes.io/worker"] = "",
            },
            taints);

    /// <summary>Workers named node-1 .. node-<paramref name="count"/>, untainted.</summary>
    public static IReadOnlyList<SimNode> Workers(int count) => [.. Enumerable.Range(1, count).Select(i => Worker($"node-{i}"))];

    /// <summary>The same node with one more label.</summary>
    public SimNode WithLabel(string key, string value) =>
        this with { Labels = new SortedDictionary<string, string>(Labels.ToDictionary(), StringComparer.Ordinal) { [key] = value } };
}
