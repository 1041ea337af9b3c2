using Microsoft.FSharp.Collections;
using Ztwim.Adapters.Cluster;
using Ztwim.Kernel;

namespace Ztwim.Adapters.Sim;

/// <summary>Member-level edits of the kernel's immutable JSON objects, the few JsonAccess does not have.</summary>
internal static class JsonMembers
{
    public static FSharpMap<string, Json> MapOf(Json? json) =>
        json is Json.Object o ? o.Item : MapModule.Empty<string, Json>();

    /// <summary>The object with <paramref name="name"/> set to <paramref name="value"/>, or removed when null.</summary>
    public static Json Set(this Json json, string name, Json? value)
    {
        var members = MapOf(json);
        return Json.NewObject(value is null ? members.Remove(name) : members.Add(name, value));
    }

    /// <summary>The member, or null.</summary>
    public static Json? Get(this Json? json, string name) =>
        json is Json.Object o && o.Item.TryGetValue(name, out var v) ? v : null;

    /// <summary>metadata.<paramref name="field"/> set (or removed when null).</summary>
    public static Json SetMeta(this Json json, string field, Json? value) =>
        json.Set("metadata", (json.Get("metadata") ?? JsonAccess.EmptyObject).Set(field, value));

    public static bool IsEmptyObject(this Json json) => json is Json.Object o && o.Item.IsEmpty;

    public static Json Obj(FSharpMap<string, Json> members) => Json.NewObject(members);
}
