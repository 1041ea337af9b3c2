namespace Ztwim.Adapters.Simulation;

/// <summary>
/// One line of a simulation's trace: simulated time since the start, who acted (a controller, the user, the
/// simulation itself), the verb, the object and why.
/// </summary>
public sealed record TraceLine(TimeSpan At, string Actor, string Verb, string Target, string Detail)
{
    /// <summary>`00:01:02.500 SpireServer apply apps/v1 StatefulSet ns/name: reason`.</summary>
    public override string ToString()
    {
        var at = $"{(int)At.TotalHours:00}:{At.Minutes:00}:{At.Seconds:00}.{At.Milliseconds:000}";
        var target = Target.Length > 0 ? " " + Target : "";
        var detail = Detail.Length > 0 ? ": " + Detail : "";
        return $"{at} {Actor,-27} {Verb,-8}{target}{detail}";
    }
}
