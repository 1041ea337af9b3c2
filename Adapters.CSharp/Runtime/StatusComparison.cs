using Microsoft.FSharp.Collections;
using Ztwim.Adapters.Cluster;
using Ztwim.Kernel;

namespace Ztwim.Adapters.Runtime;

/// <summary>
/// Whether the status a CR carries already is the one the kernel decided. Conditions are a list-map keyed by
/// type: server-side apply keeps the stored order and appends a new type at the end, so the kernel's order and
/// the stored one can differ with nothing to write (found by <c>ztwim-sim fuzz</c>: a restart after create-only
/// mode was switched on rewrote every status).
/// </summary>
public static class StatusComparison
{
    public static bool Same(Json? observed, Json desired) =>
        observed is not null && Canonical(observed).Equals(Canonical(desired));

    /// <summary>The status with every <c>conditions</c> list sorted by type, at any depth.</summary>
    public static Json Canonical(Json json) => json switch
    {
        Json.Object o => Json.NewObject(MapModule.OfSeq(o.Item.Select(kv => Tuple.Create(kv.Key, Member(kv.Key, kv.Value))))),
        Json.Array a => Json.NewArray(ListModule.OfSeq(a.Item.Select(Canonical))),
        _ => json,
    };

    private static Json Member(string name, Json value) =>
        name == "conditions" && value is Json.Array a
            ? Json.NewArray(ListModule.OfSeq(a.Item.Select(Canonical).OrderBy(c => c.Str("type") ?? "", StringComparer.Ordinal)))
            : Canonical(value);
}
