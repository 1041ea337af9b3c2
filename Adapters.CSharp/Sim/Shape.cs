using Ztwim.Adapters.Cluster;
using Ztwim.Kernel;

namespace Ztwim.Adapters.Sim;

/// <summary>How the server merges a list: replaced whole, merged item by item on key fields, or as a set of values.</summary>
internal enum ListKind
{
    Atomic,
    Map,
    Set,
}

/// <summary>
/// The merge structure of a kind at one place in its objects, what server-side apply needs from the schema:
/// which lists merge by which keys, which maps are atomic. Built-in kinds answer from a table of the
/// Kubernetes types' merge keys; the operator's CRs answer from their CRD schema.
/// </summary>
internal abstract class Shape
{
    public abstract Shape Field(string name);

    public abstract Shape Items { get; }

    public abstract ListKind ListKind { get; }

    public abstract IReadOnlyList<string> ListKeys { get; }

    public abstract bool AtomicMap { get; }

    /// <summary>The root shape of a kind.</summary>
    public static Shape For(ResourceType type) =>
        CrdSchemas.Find(type) is { } schema ? new CrdShape(schema, type.Kind, true) : new BuiltinShape(type.Kind, []);

    /// <summary>The key of an item of a keyed list (its key fields, a defaulted protocol filled in), or null.</summary>
    public Json? KeyOf(Json item)
    {
        if (item is not Json.Object || ListKeys.Count == 0)
        {
            return null;
        }

        var members = new List<(string, Json)>();
        foreach (var key in ListKeys)
        {
            var v = item.Get(key) ?? (key == "protocol" ? JsonAccess.Of("TCP") : null);
            if (v is null)
            {
                return null;
            }

            members.Add((key, v));
        }

        return JsonAccess.Object([.. members]);
    }

    /// <summary>The path elements (<c>k:{...}</c>) of a keyed list's items, or null when the list does not merge
    /// by key here (atomic, or an item lacks a key field).</summary>
    public string[]? KeyElements(Json list)
    {
        if (ListKind != ListKind.Map || list is not Json.Array a)
        {
            return null;
        }

        var elements = new string[a.Item.Length];
        var i = 0;
        foreach (var item in a.Item)
        {
            if (KeyOf(item) is not { } key)
            {
                return null;
            }

            elements[i++] = FieldSet.KeyElement(key);
        }

        return elements;
    }
}

/// <summary>The merge keys of the built-in Kubernetes types (their patchMergeKey / listMapKey markers).</summary>
internal sealed class BuiltinShape(string kind, string[] path) : Shape
{
    private const string Item = "[]";

    private string[]? keys;
    private bool keysKnown;

    public override Shape Field(string name) => new BuiltinShape(kind, [.. path, name]);

    public override Shape Items => new BuiltinShape(kind, [.. path, Item]);

    public override ListKind ListKind => CachedKeys() is { } ? ListKind.Map : IsSet() ? ListKind.Set : ListKind.Atomic;

    public override IReadOnlyList<string> ListKeys => CachedKeys() ?? [];

    public override bool AtomicMap =>
        path.Length > 0 && path[^1] is "nodeSelector" or "selector" or "labelSelector" or "namespaceSelector";

    private bool IsSet() => path is ["metadata", "finalizers"];

    private string[]? CachedKeys()
    {
        if (!keysKnown)
        {
            keys = Keys();
            keysKnown = true;
        }

        return keys;
    }

    private string[]? Keys()
    {
        if (path.Length == 0)
        {
            return null;
        }

        var last = path[^1];
        var parentIsContainer = path.Length >= 3 && path[^2] == Item && path[^3] is "containers" or "initContainers" or "ephemeralContainers";
        return last switch
        {
            "containers" or "initContainers" or "ephemeralContainers" => ["name"],
            "ports" when parentIsContainer => ["containerPort", "protocol"],
            "ports" when kind == "Service" && path is ["spec", "ports"] => ["port", "protocol"],
            "volumes" or "env" or "imagePullSecrets" or "resourceClaims" => ["name"],
            "volumeMounts" => ["mountPath"],
            "volumeDevices" => ["devicePath"],
            "hostAliases" => ["ip"],
            "topologySpreadConstraints" => ["topologyKey", "whenUnsatisfiable"],
            "ownerReferences" when path is ["metadata", "ownerReferences"] => ["uid"],
            "conditions" when path[0] == "status" => ["type"],
            "webhooks" when kind is "ValidatingWebhookConfiguration" or "MutatingWebhookConfiguration" => ["name"],
            _ => null,
        };
    }
}

/// <summary>A place in a CRD's openAPIV3Schema: x-kubernetes-list-type / -list-map-keys / -map-type.</summary>
internal sealed class CrdShape(Json schema, string kind, bool root) : Shape
{
    public override Shape Field(string name)
    {
        if (root && name == "metadata")
        {
            return new BuiltinShape(kind, ["metadata"]);
        }

        if (schema.Get("properties").Get(name) is { } property)
        {
            return new CrdShape(property, kind, false);
        }

        return schema.Get("additionalProperties") is Json.Object additional
            ? new CrdShape(additional, kind, false)
            : new CrdShape(JsonAccess.EmptyObject, kind, false);
    }

    public override Shape Items => new CrdShape(schema.Get("items") ?? JsonAccess.EmptyObject, kind, false);

    public override ListKind ListKind =>
        schema.Str("x-kubernetes-list-type") switch
        {
            "map" => ListKind.Map,
            "set" => ListKind.Set,
            _ => ListKind.Atomic,
        };

    public override IReadOnlyList<string> ListKeys =>
        [.. schema.Items("x-kubernetes-list-map-keys").OfType<Json.String>().Select(s => s.Item)];

    public override bool AtomicMap => schema.Str("x-kubernetes-map-type") == "atomic";
}
