using Ztwim.Adapters.Cluster;
using Ztwim.Kernel;

namespace Ztwim.Adapters.Sim;

/// <summary>One metadata.managedFields entry: who set which fields, by apply or by update, on which subresource.</summary>
internal sealed record ManagedEntry(string Manager, string Operation, string? Subresource, string ApiVersion, string Time, FieldSet Fields)
{
    public const string Apply = "Apply";
    public const string Update = "Update";

    public bool Is(string manager, string operation, string? subresource) =>
        Manager == manager && Operation == operation && Subresource == subresource;

    public Json ToJson() =>
        JsonAccess.Object(
            [
                ("apiVersion", JsonAccess.Of(ApiVersion)),
                ("fieldsType", JsonAccess.Of("FieldsV1")),
                ("fieldsV1", Fields.ToJson()),
                ("manager", JsonAccess.Of(Manager)),
                ("operation", JsonAccess.Of(Operation)),
                .. Subresource is null ? Array.Empty<(string, Json)>() : [("subresource", JsonAccess.Of(Subresource))],
                ("time", JsonAccess.Of(Time)),
            ]);
}

/// <summary>
/// Reading and writing metadata.managedFields, and the bookkeeping of a non-apply write (create, update,
/// patch): the writer takes the fields it changed from everyone else, and removed fields are nobody's.
/// </summary>
internal static class ManagedFields
{
    public static List<ManagedEntry> Read(Json obj) =>
        [
            .. obj.Items("metadata", "managedFields").Select(e => new ManagedEntry(
                e.Str("manager") ?? "",
                e.Str("operation") ?? ManagedEntry.Update,
                e.Str("subresource"),
                e.Str("apiVersion") ?? "",
                e.Str("time") ?? "",
                FieldSet.FromJson(e.Get("fieldsV1")))),
        ];

    /// <summary>The object with these entries (none: no managedFields member).</summary>
    public static Json Write(Json obj, IEnumerable<ManagedEntry> entries)
    {
        var list = entries.Where(e => !e.Fields.IsEmpty).Select(e => e.ToJson()).ToList();
        return obj.SetMeta("managedFields", list.Count == 0 ? null : JsonAccess.Array(list));
    }

    /// <summary>The entries after <paramref name="manager"/> changed <paramref name="before"/> into <paramref name="after"/> by an update.</summary>
    public static List<ManagedEntry> TrackUpdate(
        List<ManagedEntry> entries, Json before, Json after, Shape shape, string manager, string? subresource, string apiVersion, string now)
    {
        var changed = FieldSet.ChangedObject(before, after, shape);
        var removed = FieldSet.OfObject(before, shape).Minus(FieldSet.OfObject(after, shape));
        if (changed.IsEmpty && removed.IsEmpty)
        {
            return entries;
        }

        var result = new List<ManagedEntry>();
        var found = false;
        foreach (var e in entries)
        {
            if (e.Is(manager, ManagedEntry.Update, subresource))
            {
                found = true;
                result.Add(e with { Fields = e.Fields.Union(changed).Minus(removed), Time = now, ApiVersion = apiVersion });
            }
            else
            {
                var fields = e.Fields.Minus(removed).Minus(changed);
                result.Add(fields.SameAs(e.Fields) ? e : e with { Fields = fields });
            }
        }

        if (!found)
        {
            result.Add(new ManagedEntry(manager, ManagedEntry.Update, subresource, apiVersion, now, changed));
        }

        return [.. result.Where(e => !e.Fields.IsEmpty)];
    }
}
