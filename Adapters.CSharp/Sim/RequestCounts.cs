using System.Globalization;

namespace Ztwim.Adapters.Sim;

/// <summary>
/// The requests one client made, by verb (get, list, watch, create, update, patch, apply, status, delete,
/// event), failed ones included. Writes are create + update + patch + apply + status + delete; events are
/// counted apart.
/// </summary>
public sealed class RequestCounts
{
    public static readonly IReadOnlyList<string> Verbs =
        ["get", "list", "watch", "create", "update", "patch", "apply", "status", "delete", "event"];

    private static readonly HashSet<string> WriteVerbs = ["create", "update", "patch", "apply", "status", "delete"];

    private readonly SortedDictionary<string, long> counts = new(StringComparer.Ordinal);

    public long this[string verb] => counts.TryGetValue(verb, out var n) ? n : 0;

    /// <summary>Every write request (create, update, patch, apply, status, delete).</summary>
    public long Writes => counts.Where(kv => WriteVerbs.Contains(kv.Key)).Sum(kv => kv.Value);

    public long Total => counts.Values.Sum();

    /// <summary>The counts by verb, verbs never used left out, in ordinal order.</summary>
    public IReadOnlyDictionary<string, long> ByVerb => new SortedDictionary<string, long>(counts, StringComparer.Ordinal);

    /// <summary>A frozen copy, to compare with later.</summary>
    public RequestCounts Snapshot()
    {
        var copy = new RequestCounts();
        foreach (var (verb, n) in counts)
        {
            copy.counts[verb] = n;
        }

        return copy;
    }

    /// <summary>The requests made since <paramref name="earlier"/> (a snapshot of these counts).</summary>
    public RequestCounts Since(RequestCounts earlier)
    {
        var diff = new RequestCounts();
        foreach (var (verb, n) in counts)
        {
            if (n - earlier[verb] != 0)
            {
                diff.counts[verb] = n - earlier[verb];
            }
        }

        return diff;
    }

    internal void Count(string verb) => counts[verb] = this[verb] + 1;

    /// <summary>`apply=3 get=1 (writes 3)`, verbs in the order of <see cref="Verbs"/>.</summary>
    public override string ToString() =>
        string.Join(" ", Verbs.Where(v => this[v] > 0).Select(v => string.Create(CultureInfo.InvariantCulture, $"{v}={this[v]}")))
        + string.Create(CultureInfo.InvariantCulture, $" (writes {Writes})");
}
