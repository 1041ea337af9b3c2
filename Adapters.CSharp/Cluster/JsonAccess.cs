using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;
using Ztwim.Kernel;
using Ztwim.Kernel.Render;

namespace Ztwim.Adapters.Cluster;

/// <summary>
/// Reading and editing the kernel's immutable JSON from C#: paths of member names, a new value for every edit.
/// </summary>
public static class JsonAccess
{
    public static readonly Json EmptyObject = Json.NewObject(MapModule.Empty<string, Json>());

    /// <summary>The value at a path of member names, or null when any step is missing.</summary>
    public static Json? At(this Json json, params string[] path)
    {
        var current = json;
        foreach (var name in path)
        {
            if (current is not Json.Object o || !o.Item.TryGetValue(name, out var next))
            {
                return null;
            }

            current = next;
        }

        return current;
    }

    /// <summary>The string at a path, or null.</summary>
    public static string? Str(this Json json, params string[] path) => json.At(path) is Json.String s ? s.Item : null;

    /// <summary>The integer at a path (a number, or a string of digits), or null.</summary>
    public static long? Int(this Json json, params string[] path) =>
        json.At(path) switch
        {
            Json.Number n when decimal.Truncate(n.Item) == n.Item && Math.Abs(n.Item) < 1e18m => (long)n.Item,
            Json.String s when long.TryParse(s.Item, out var v) => v,
            _ => null,
        };

    /// <summary>The members of the object at a path (empty when absent or not an object).</summary>
    public static IReadOnlyDictionary<string, Json> Members(this Json json, params string[] path) =>
        json.At(path) is Json.Object o ? o.Item : new Dictionary<string, Json>();

    /// <summary>The items of the array at a path (empty when absent or not an array).</summary>
    public static IReadOnlyList<Json> Items(this Json json, params string[] path) =>
        json.At(path) is Json.Array a ? [.. a.Item] : [];

    public static Json Of(string s) => Json.NewString(s);

    public static Json Of(long n) => Json.NewNumber(n);

    public static Json Of(bool b) => Json.NewBool(b);

    public static Json Array(IEnumerable<Json> items) => Json.NewArray(ListModule.OfSeq(items));

    public static Json Object(IEnumerable<KeyValuePair<string, Json>> members) =>
        Json.NewObject(MapModule.OfSeq(members.Select(kv => Tuple.Create(kv.Key, kv.Value))));

    public static Json Object(params (string Name, Json Value)[] members) =>
        Json.NewObject(MapModule.OfSeq(members.Select(m => Tuple.Create(m.Name, m.Value))));

    /// <summary>The value with <paramref name="value"/> at <paramref name="path"/>, creating objects on the way.</summary>
    public static Json With(this Json json, string[] path, Json value)
    {
        if (path.Length == 0)
        {
            return value;
        }

        var members = json is Json.Object o ? o.Item : MapModule.Empty<string, Json>();
        var child = members.TryGetValue(path[0], out var c) ? c : EmptyObject;
        return Json.NewObject(members.Add(path[0], child.With(path[1..], value)));
    }

    /// <summary>The value without the member at <paramref name="path"/> (unchanged when it is absent).</summary>
    public static Json Without(this Json json, params string[] path)
    {
        if (path.Length == 0 || json is not Json.Object o || !o.Item.TryGetValue(path[0], out var child))
        {
            return json;
        }

        return path.Length == 1
            ? Json.NewObject(o.Item.Remove(path[0]))
            : Json.NewObject(o.Item.Add(path[0], child.Without(path[1..])));
    }

    /// <summary>The object's metadata.name, namespace, resourceVersion and the like.</summary>
    public static string? Meta(this Json json, string field) => json.Str("metadata", field);

    /// <summary>The object's labels.</summary>
    public static IReadOnlyDictionary<string, string> Labels(this Json json) =>
        json.Members("metadata", "labels")
            .Where(kv => kv.Value is Json.String)
            .ToDictionary(kv => kv.Key, kv => ((Json.String)kv.Value).Item);

    /// <summary>The reference of a whole object (apiVersion, kind, namespace, name).</summary>
    public static ObjectRef RefOf(this Json json)
    {
        var ns = json.Meta("namespace");
        return new ObjectRef(
            json.Str("apiVersion") ?? "",
            json.Str("kind") ?? "",
            string.IsNullOrEmpty(ns) ? FSharpOption<string>.None : FSharpOption<string>.Some(ns),
            json.Meta("name") ?? "");
    }

    /// <summary>A reference built from its parts; <paramref name="ns"/> null for a cluster-scoped object.</summary>
    public static ObjectRef Ref(string apiVersion, string kind, string? ns, string name) =>
        new(apiVersion, kind, ns is null ? FSharpOption<string>.None : FSharpOption<string>.Some(ns), name);

    /// <summary>The namespace of a reference, or null.</summary>
    public static string? NamespaceOf(this ObjectRef r) => FSharpOption<string>.get_IsSome(r.Namespace) ? r.Namespace.Value : null;

    /// <summary>`Kind namespace/name` or `Kind name`, for messages.</summary>
    public static string Show(this ObjectRef r) => r.NamespaceOf() is { } ns ? $"{r.Kind} {ns}/{r.Name}" : $"{r.Kind} {r.Name}";

    /// <summary>Compact JSON text, as the kernel prints it.</summary>
    public static string Compact(this Json json) => JsonText.compact(json);
}
