namespace Ztwim.Adapters.Simulation;

/// <summary>
/// The faults a simulated cluster can inject into the operator's traffic, each switched on by name with a
/// rate (the chance per request, per watch event, or per write). All draws come from the run's seed.
/// </summary>
public sealed class Faults
{
    /// <summary>Every fault by name, with what it does.</summary>
    public static readonly IReadOnlyDictionary<string, string> Known = new SortedDictionary<string, string>
    {
        ["api-500"] = "a request fails with 500 InternalError",
        ["api-503"] = "a request fails with 503 ServiceUnavailable",
        ["api-429"] = "a request is throttled: 429 TooManyRequests with Retry-After",
        ["api-timeout"] = "a request hangs for 30 s, then fails with 504 Timeout",
        ["conflict"] = "a write fails with 409 Conflict",
        ["watch-disconnect"] = "an open watch is closed before delivering an event",
        ["watch-expire"] = "a watch is answered with 410 Gone (its resourceVersion compacted away)",
        ["event-drop"] = "a watch event is lost",
        ["event-duplicate"] = "a watch event is delivered twice",
        ["event-reorder"] = "a watch event is delivered after the one that follows it",
        ["event-delay"] = "a watch event is delivered 1 to 5 s late",
        ["stale-read"] = "the informer lags: every event of a watch is delivered 3 s late",
        ["crash"] = "the operator crashes right after a write (memory lost, cluster kept)",
    };

    private readonly SortedDictionary<string, double> rates = [];
    private readonly SortedDictionary<string, int> injected = [];

    /// <summary>Switches a fault on at a rate in (0, 1]; an unknown name is an error naming the known ones.</summary>
    public string? On(string name, double rate)
    {
        if (!Known.ContainsKey(name))
        {
            return $"unknown fault {name}: known faults are {string.Join(", ", Known.Keys)}";
        }

        if (rate is <= 0 or > 1 || double.IsNaN(rate))
        {
            return $"fault {name}: rate must be in (0, 1], not {rate}";
        }

        rates[name] = rate;
        return null;
    }

    public void Off(string name) => rates.Remove(name);

    public void AllOff() => rates.Clear();

    /// <summary>The faults switched on, with their rates.</summary>
    public IReadOnlyDictionary<string, double> Active => rates;

    /// <summary>How often each fault was injected so far.</summary>
    public IReadOnlyDictionary<string, int> Injected => injected;

    /// <summary>Draws whether <paramref name="name"/> strikes now (no draw when it is off, so turning one fault on
    /// does not shift the others' draws more than necessary).</summary>
    public bool Strikes(string name, Random random)
    {
        if (!rates.TryGetValue(name, out var rate) || random.NextDouble() >= rate)
        {
            return false;
        }

        injected[name] = injected.GetValueOrDefault(name) + 1;
        return true;
    }
}
