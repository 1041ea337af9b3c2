using System.Text.RegularExpressions;
using Ztwim.Adapters.Cluster;
using Ztwim.Kernel;

namespace Ztwim.Adapters.Sim;

/// <summary>
/// A label selector in the API's text form: requirements joined by commas (all must hold), each one of
/// <c>k=v</c>, <c>k==v</c>, <c>k!=v</c>, <c>k</c>, <c>!k</c>, <c>k in (a,b)</c>, <c>k notin (a,b)</c>.
/// As in Kubernetes, <c>k!=v</c> and <c>notin</c> also match objects without the label.
/// </summary>
public sealed partial class LabelSelector
{
    private readonly IReadOnlyList<Func<IReadOnlyDictionary<string, string>, bool>> requirements;

    private LabelSelector(IReadOnlyList<Func<IReadOnlyDictionary<string, string>, bool>> requirements, string text)
    {
        this.requirements = requirements;
        Text = text;
    }

    public static readonly LabelSelector Everything = new([], "");

    public string Text { get; }

    [GeneratedRegex(@"^([^\s=!(),]+)\s+(in|notin)\s*\(([^()]*)\)$")]
    private static partial Regex SetRequirement();

    [GeneratedRegex(@"^[^\s=!(),]+$")]
    private static partial Regex Key();

    /// <summary>Parses a selector; null or blank selects everything; a malformed one is a 400.</summary>
    public static ApiResult<LabelSelector> Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return ApiResult<LabelSelector>.Ok(Everything);
        }

        var parsed = new List<Func<IReadOnlyDictionary<string, string>, bool>>();
        foreach (var part in SplitTopLevel(text))
        {
            var r = part.Trim();
            if (ParseRequirement(r) is { } req)
            {
                parsed.Add(req);
            }
            else
            {
                return ApiError.BadRequest($"unable to parse requirement: {r}");
            }
        }

        return ApiResult<LabelSelector>.Ok(new LabelSelector(parsed, text));
    }

    public bool Matches(IReadOnlyDictionary<string, string> labels) => requirements.All(r => r(labels));

    public bool Matches(Json obj) => requirements.Count == 0 || Matches(obj.Labels());

    public override string ToString() => Text;

    private static Func<IReadOnlyDictionary<string, string>, bool>? ParseRequirement(string r)
    {
        if (SetRequirement().Match(r) is { Success: true } m)
        {
            var key = m.Groups[1].Value;
            var values = m.Groups[3].Value.Split(',').Select(v => v.Trim()).ToHashSet(StringComparer.Ordinal);
            return m.Groups[2].Value == "in"
                ? l => l.TryGetValue(key, out var v) && values.Contains(v)
                : l => !l.TryGetValue(key, out var v) || !values.Contains(v);
        }

        if (r.StartsWith('!'))
        {
            var key = r[1..].Trim();
            return Key().IsMatch(key) ? l => !l.ContainsKey(key) : null;
        }

        foreach (var (op, equal) in new[] { ("!=", false), ("==", true), ("=", true) })
        {
            var at = r.IndexOf(op, StringComparison.Ordinal);
            if (at > 0)
            {
                var key = r[..at].Trim();
                var value = r[(at + op.Length)..].Trim();
                if (!Key().IsMatch(key) || value.IndexOfAny([' ', '=', '!', '(', ')', ',']) >= 0)
                {
                    return null;
                }

                return equal
                    ? l => l.TryGetValue(key, out var v) && v == value
                    : l => !l.TryGetValue(key, out var v) || v != value;
            }
        }

        return Key().IsMatch(r) ? l => l.ContainsKey(r) : null;
    }

    // Commas inside `in (a,b)` belong to the requirement.
    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            depth += text[i] switch
            {
                '(' => 1,
                ')' => -1,
                _ => 0,
            };
            if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }

        yield return text[start..];
    }
}
