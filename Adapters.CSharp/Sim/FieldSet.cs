using System.Text;
using Ztwim.Adapters.Cluster;
using Ztwim.Kernel;

namespace Ztwim.Adapters.Sim;

/// <summary>
/// A set of field paths, as managedFields records them (FieldsV1): a tree whose edges are path elements
/// (<c>f:name</c> a member, <c>k:{"name":"c"}</c> a keyed list item, <c>v:"x"</c> a set value) and whose marked
/// nodes are the owned fields (a leaf, or <c>.</c> for a list item itself).
/// </summary>
internal sealed class FieldSet
{
    private readonly SortedDictionary<string, FieldSet> children = new(StringComparer.Ordinal);

    // A set is built once (Of, OfPaths, FromJson, the set operations) and never changed after it is read,
    // so its JSON can be kept.
    private Json? json;

    public bool Self { get; private set; }

    public bool IsEmpty => !Self && children.Count == 0;

    public IReadOnlyDictionary<string, FieldSet> Children => children;

    public static FieldSet Leaf() => new() { Self = true };

    public static string FieldElement(string name) => "f:" + name;

    public static string KeyElement(Json key) => "k:" + key.Compact();

    public static string ValueElement(Json value) => "v:" + value.Compact();

    private void Add(string element, FieldSet child)
    {
        if (!child.IsEmpty)
        {
            children[element] = children.TryGetValue(element, out var existing) ? existing.Union(child) : child;
        }
    }

    /// <summary>The fields of an object part (its members, recursively), as an applier or creator sends them.</summary>
    public static FieldSet OfObject(Json part, Shape shape)
    {
        var set = new FieldSet();
        foreach (var (name, value) in JsonMembers.MapOf(part))
        {
            set.Add(FieldElement(name), Of(value, shape.Field(name)));
        }

        return set;
    }

    private static FieldSet Of(Json value, Shape shape)
    {
        switch (value)
        {
            case Json.Object o when !o.Item.IsEmpty && !shape.AtomicMap:
                return OfObject(value, shape);
            case Json.Array a when !a.Item.IsEmpty && shape.KeyElements(value) is { } keys:
                {
                    var set = new FieldSet();
                    var items = shape.Items;
                    var i = 0;
                    foreach (var item in a.Item)
                    {
                        var child = Of(item, items);
                        child.Self = true;
                        set.Add(keys[i++], child);
                    }

                    return set;
                }

            case Json.Array a when !a.Item.IsEmpty && shape.ListKind == ListKind.Set:
                {
                    var set = new FieldSet();
                    foreach (var item in a.Item)
                    {
                        set.Add(ValueElement(item), Leaf());
                    }

                    return set;
                }

            default:
                return Leaf();
        }
    }

    /// <summary>The fields an update changed or added going from <paramref name="before"/> to <paramref name="after"/>.</summary>
    public static FieldSet ChangedObject(Json before, Json after, Shape shape)
    {
        var set = new FieldSet();
        foreach (var (name, value) in JsonMembers.MapOf(after))
        {
            set.Add(FieldElement(name), Changed(before.Get(name), value, shape.Field(name)));
        }

        return set;
    }

    private static FieldSet Changed(Json? before, Json after, Shape shape)
    {
        if (before is null)
        {
            return Of(after, shape);
        }

        switch (after)
        {
            case Json.Object o when !o.Item.IsEmpty && !shape.AtomicMap && before is Json.Object:
                return ChangedObject(before, after, shape);
            case Json.Array a when shape.KeyElements(after) is { } keys && shape.KeyElements(before) is { } oldKeys:
                {
                    var set = new FieldSet();
                    var old = new Dictionary<string, Json>(StringComparer.Ordinal);
                    var j = 0;
                    foreach (var item in ((Json.Array)before).Item)
                    {
                        old[oldKeys[j++]] = item;
                    }

                    var i = 0;
                    foreach (var item in a.Item)
                    {
                        var element = keys[i++];
                        FieldSet child;
                        if (old.TryGetValue(element, out var was))
                        {
                            child = Changed(was, item, shape.Items);
                        }
                        else
                        {
                            child = Of(item, shape.Items);
                            child.Self = true;
                        }

                        set.Add(element, child);
                    }

                    return set;
                }

            case Json.Array a when shape.ListKind == ListKind.Set && before is Json.Array b:
                {
                    var set = new FieldSet();
                    foreach (var item in a.Item.Where(i => !b.Item.Contains(i)))
                    {
                        set.Add(ValueElement(item), Leaf());
                    }

                    return set;
                }

            default:
                return after.Equals(before) ? new FieldSet() : Leaf();
        }
    }

    public FieldSet Union(FieldSet other)
    {
        var result = new FieldSet { Self = Self || other.Self };
        foreach (var (e, c) in children)
        {
            result.Add(e, c);
        }

        foreach (var (e, c) in other.children)
        {
            result.Add(e, c);
        }

        return result;
    }

    public FieldSet Minus(FieldSet other)
    {
        var result = new FieldSet { Self = Self && !other.Self };
        foreach (var (e, c) in children)
        {
            result.Add(e, other.children.TryGetValue(e, out var o) ? c.Minus(o) : c);
        }

        return result;
    }

    /// <summary>The set with every field that has members owned itself too (structured-merge-diff's
    /// EnsureNamedFieldsAreMembers): a manager that owned an empty object and now sends it filled still sends it.</summary>
    public FieldSet WithParents() => WithParents(true);

    private FieldSet WithParents(bool root)
    {
        var result = new FieldSet { Self = Self || (!root && children.Count > 0) };
        foreach (var (e, c) in children)
        {
            result.Add(e, c.WithParents(false));
        }

        return result;
    }

    public FieldSet Intersect(FieldSet other)
    {
        var result = new FieldSet { Self = Self && other.Self };
        foreach (var (e, c) in children)
        {
            if (other.children.TryGetValue(e, out var o))
            {
                result.Add(e, c.Intersect(o));
            }
        }

        return result;
    }

    /// <summary>Every owned path, as its elements from the root.</summary>
    public IEnumerable<IReadOnlyList<string>> Paths()
    {
        if (Self)
        {
            yield return [];
        }

        foreach (var (e, c) in children)
        {
            foreach (var rest in c.Paths())
            {
                yield return [e, .. rest];
            }
        }
    }

    /// <summary>The set holding exactly these paths.</summary>
    public static FieldSet OfPaths(IEnumerable<IReadOnlyList<string>> paths)
    {
        var set = new FieldSet();
        foreach (var path in paths)
        {
            var node = set;
            foreach (var e in path)
            {
                if (!node.children.TryGetValue(e, out var next))
                {
                    next = new FieldSet();
                    node.children[e] = next;
                }

                node = next;
            }

            node.Self = true;
        }

        return set;
    }

    /// <summary>The FieldsV1 JSON: members per element, <c>"."</c> for an owned node with children, <c>{}</c> for a leaf.</summary>
    public Json ToJson() => json ??= BuildJson();

    /// <summary>Whether both sets hold the same paths.</summary>
    public bool SameAs(FieldSet other) =>
        ReferenceEquals(this, other)
        || (Self == other.Self && children.Count == other.children.Count
            && children.All(kv => other.children.TryGetValue(kv.Key, out var o) && kv.Value.SameAs(o)));

    private Json BuildJson()
    {
        var members = children.Select(kv => new KeyValuePair<string, Json>(kv.Key, kv.Value.ToJson())).ToList();
        if (Self && children.Count > 0)
        {
            members.Add(new(".", JsonAccess.EmptyObject));
        }

        return JsonAccess.Object(members);
    }

    public static FieldSet FromJson(Json? fields)
    {
        var set = new FieldSet();
        foreach (var (e, c) in JsonMembers.MapOf(fields))
        {
            if (e == ".")
            {
                set.Self = true;
            }
            else if (c.IsEmptyObject())
            {
                set.children[e] = Leaf();
            }
            else
            {
                set.Add(e, FromJson(c));
            }
        }

        // Stored fields are this class's own output, so they are already the set's JSON.
        set.json = fields is Json.Object ? fields : null;
        return set;
    }

    /// <summary>A path as conflict messages print it: <c>.spec.containers[name="c"].image</c>.</summary>
    public static string Display(IEnumerable<string> path)
    {
        var sb = new StringBuilder();
        foreach (var e in path)
        {
            if (e.StartsWith("f:", StringComparison.Ordinal))
            {
                sb.Append('.').Append(e[2..]);
            }
            else if (e.StartsWith("k:", StringComparison.Ordinal) && JsonText.parse(e[2..]) is { IsOk: true } key)
            {
                sb.Append('[')
                    .Append(string.Join(",", JsonMembers.MapOf(key.ResultValue).Select(kv => $"{kv.Key}={kv.Value.Compact()}")))
                    .Append(']');
            }
            else if (e.StartsWith("v:", StringComparison.Ordinal))
            {
                sb.Append("[=").Append(e[2..]).Append(']');
            }
            else
            {
                sb.Append('[').Append(e).Append(']');
            }
        }

        return sb.ToString();
    }
}
