using Ztwim.Adapters.Cluster;
using Ztwim.Kernel;

namespace Ztwim.Adapters.Sim;

/// <summary>
/// Server-side apply of one manager's fields into the stored object part (main resource or status): sent
/// fields merge in (objects recursively, keyed lists by key, other lists whole); fields the manager owned
/// and no longer sends are removed unless another manager owns them; a sent field another manager owns
/// with a different value is a conflict (409) unless forced, when ownership moves to the applier.
/// </summary>
internal static class ServerSideApply
{
    public sealed record Outcome(Json Part, List<ManagedEntry> Entries);

    public static ApiResult<Outcome> Apply(
        Json currentPart,
        Json appliedPart,
        List<ManagedEntry> entries,
        Shape shape,
        string manager,
        bool force,
        string? subresource,
        string apiVersion,
        string now)
    {
        var sent = FieldSet.OfObject(appliedPart, shape);
        var conflicts = new List<(ManagedEntry Entry, IReadOnlyList<string> Path)>();
        foreach (var e in entries.Where(e => e.Manager != manager))
        {
            foreach (var path in sent.Intersect(e.Fields).Paths())
            {
                if (path.Count > 0 && path[^1].StartsWith("f:", StringComparison.Ordinal)
                    && !Equals(ValueAt(appliedPart, path, shape), ValueAt(currentPart, path, shape)))
                {
                    conflicts.Add((e, path));
                }
            }
        }

        if (conflicts.Count > 0 && !force)
        {
            return new ApiError(409, "Conflict", ConflictMessage(conflicts));
        }

        var updated = entries
            .Select(e =>
            {
                var lost = conflicts.Where(c => ReferenceEquals(c.Entry, e)).Select(c => c.Path).ToList();
                return lost.Count == 0 ? e : e with { Fields = e.Fields.Minus(FieldSet.OfPaths(lost)) };
            })
            .ToList();

        var mine = updated.FirstOrDefault(e => e.Is(manager, ManagedEntry.Apply, subresource));
        var others = updated.Where(e => !ReferenceEquals(e, mine)).Aggregate(new FieldSet(), (acc, e) => acc.Union(e.Fields));
        var removed = (mine?.Fields ?? new FieldSet()).Minus(sent.WithParents()).Minus(others);

        var merged = Merge(currentPart, appliedPart, shape);
        merged = Remove(merged, removed, shape) ?? JsonAccess.EmptyObject;

        var entry = mine is not null && mine.Fields.SameAs(sent)
            ? mine
            : new ManagedEntry(manager, ManagedEntry.Apply, subresource, apiVersion, now, sent);
        var result = new List<ManagedEntry>();
        foreach (var e in updated)
        {
            result.Add(ReferenceEquals(e, mine) ? entry : e);
        }

        if (mine is null)
        {
            result.Add(entry);
        }

        return ApiResult<Outcome>.Ok(new Outcome(merged, [.. result.Where(e => !e.Fields.IsEmpty)]));
    }

    /// <summary>The applied value merged into the current one.</summary>
    public static Json Merge(Json? current, Json applied, Shape shape)
    {
        if (current is null)
        {
            return applied;
        }

        switch (applied)
        {
            case Json.Object a when current is Json.Object && !shape.AtomicMap:
                {
                    var result = current;
                    foreach (var (name, value) in a.Item)
                    {
                        result = result.Set(name, Merge(current.Get(name), value, shape.Field(name)));
                    }

                    return result;
                }

            case Json.Array a when shape.KeyElements(applied) is { } appliedKeys && shape.KeyElements(current) is { } currentKeys:
                {
                    var byKey = new Dictionary<string, Json>(StringComparer.Ordinal);
                    var n = 0;
                    foreach (var item in a.Item)
                    {
                        byKey[appliedKeys[n++]] = item;
                    }

                    var used = new HashSet<string>(StringComparer.Ordinal);
                    var items = new List<Json>();
                    var m = 0;
                    foreach (var item in ((Json.Array)current).Item)
                    {
                        var key = currentKeys[m++];
                        if (byKey.TryGetValue(key, out var sent) && used.Add(key))
                        {
                            items.Add(Merge(item, sent, shape.Items));
                        }
                        else
                        {
                            items.Add(item);
                        }
                    }

                    n = 0;
                    foreach (var item in a.Item)
                    {
                        if (used.Add(appliedKeys[n++]))
                        {
                            items.Add(item);
                        }
                    }

                    return JsonAccess.Array(items);
                }

            case Json.Array a when shape.ListKind == ListKind.Set && current is Json.Array c:
                return JsonAccess.Array([.. c.Item, .. a.Item.Where(i => !c.Item.Contains(i)).Distinct()]);

            default:
                return applied;
        }
    }

    /// <summary>The value without the fields in <paramref name="removed"/>; null when the value itself goes.
    /// An object or list left empty by the removal goes too.</summary>
    public static Json? Remove(Json value, FieldSet removed, Shape shape)
    {
        if (removed.Self)
        {
            return null;
        }

        if (removed.IsEmpty)
        {
            return value;
        }

        switch (value)
        {
            case Json.Object:
                {
                    var result = value;
                    foreach (var (element, child) in removed.Children)
                    {
                        if (!element.StartsWith("f:", StringComparison.Ordinal))
                        {
                            continue;
                        }

                        var name = element[2..];
                        if (result.Get(name) is not { } member)
                        {
                            continue;
                        }

                        var left = Remove(member, child, shape.Field(name));
                        result = result.Set(name, left is null || (IsEmpty(left) && !IsEmpty(member)) ? null : left);
                    }

                    return result;
                }

            case Json.Array a when shape.KeyElements(value) is { } keys:
                return JsonAccess.Array(a.Item
                    .Select((item, i) => removed.Children.TryGetValue(keys[i], out var child) ? Remove(item, child, shape.Items) : item)
                    .OfType<Json>());

            case Json.Array a when shape.ListKind == ListKind.Set:
                return JsonAccess.Array(a.Item.Where(i => !(removed.Children.TryGetValue(FieldSet.ValueElement(i), out var c) && c.Self)));

            default:
                return value;
        }
    }

    /// <summary>The value at a field path, or null when any step is missing.</summary>
    public static Json? ValueAt(Json? value, IReadOnlyList<string> path, Shape shape)
    {
        foreach (var element in path)
        {
            if (value is null)
            {
                return null;
            }

            if (element.StartsWith("f:", StringComparison.Ordinal))
            {
                var name = element[2..];
                value = value.Get(name);
                shape = shape.Field(name);
            }
            else if (element.StartsWith("k:", StringComparison.Ordinal) && value is Json.Array a)
            {
                var s = shape;
                value = a.Item.FirstOrDefault(i => s.KeyOf(i) is { } k && FieldSet.KeyElement(k) == element);
                shape = shape.Items;
            }
            else if (element.StartsWith("v:", StringComparison.Ordinal) && value is Json.Array set)
            {
                value = set.Item.FirstOrDefault(i => FieldSet.ValueElement(i) == element);
            }
            else
            {
                return null;
            }
        }

        return value;
    }

    private static bool IsEmpty(Json j) => j is Json.Object o ? o.Item.IsEmpty : j is Json.Array a && a.Item.IsEmpty;

    // The API server's wording: "Apply failed with 1 conflict: conflict with "m" using apps/v1: .spec.replicas".
    private static string ConflictMessage(List<(ManagedEntry Entry, IReadOnlyList<string> Path)> conflicts)
    {
        static string Who(ManagedEntry e) =>
            e.Operation == ManagedEntry.Update ? $"\"{e.Manager}\" using {e.ApiVersion}" : $"\"{e.Manager}\"";

        var n = conflicts.Count;
        var head = $"Apply failed with {n} conflict{(n == 1 ? "" : "s")}: ";
        if (n == 1)
        {
            return head + $"conflict with {Who(conflicts[0].Entry)}: {FieldSet.Display(conflicts[0].Path)}";
        }

        var groups = conflicts
            .GroupBy(c => Who(c.Entry), StringComparer.Ordinal)
            .Select(g => $"conflicts with {g.Key}:\n" + string.Concat(g.Select(c => $"- {FieldSet.Display(c.Path)}\n")));
        return head + string.Concat(groups);
    }
}
