using Ztwim.Adapters.Cluster;
using Ztwim.Adapters.Files;
using Ztwim.Kernel;

namespace Ztwim.Adapters.Sim;

/// <summary>
/// Our CRDs (manifests/crds, embedded: the operator's five and the spire.spiffe.io kinds it writes) as the API
/// server uses them: unknown fields are pruned from what a client sends, absent properties whose parent object is
/// present take their schema <c>default</c>, and a CRD that declares a status subresource has one.
/// </summary>
internal static class CrdSchemas
{
    private const string Prefix = "Ztwim.Adapters.Sim.Crds.";

    private static readonly Lazy<IReadOnlyDictionary<(string Group, string Kind), Crd>> Crds = new(Load);

    /// <summary>The openAPIV3Schema of one of our custom kinds, or null for any other kind.</summary>
    public static Json? Find(ResourceType type) => Crds.Value.TryGetValue((type.Group, type.Kind), out var crd) ? crd.Schema : null;

    /// <summary>Whether the kind is one of our custom kinds and its CRD declares a status subresource.</summary>
    public static bool HasStatusSubresource(ResourceType type) => Crds.Value.TryGetValue((type.Group, type.Kind), out var crd) && crd.Status;

    /// <summary>The object without the members its schema does not know (metadata is left as sent).</summary>
    public static Json Prune(Json schema, Json obj)
    {
        var result = JsonAccess.EmptyObject;
        foreach (var (name, value) in JsonMembers.MapOf(obj))
        {
            if (name is "apiVersion" or "kind" or "metadata")
            {
                result = result.Set(name, value);
            }
            else if (schema.Get("properties").Get(name) is { } property)
            {
                result = result.Set(name, PruneValue(property, value));
            }
        }

        return result;
    }

    private static Json PruneValue(Json schema, Json value)
    {
        if (schema.Get("x-kubernetes-preserve-unknown-fields") is Json.Bool { Item: true } && schema.Get("properties") is null)
        {
            return value;
        }

        switch (value)
        {
            case Json.Object o:
                {
                    var preserve = schema.Get("x-kubernetes-preserve-unknown-fields") is Json.Bool { Item: true };
                    var properties = schema.Get("properties");
                    var additional = schema.Get("additionalProperties");
                    var result = JsonAccess.EmptyObject;
                    foreach (var (name, member) in o.Item)
                    {
                        if (properties.Get(name) is { } p)
                        {
                            result = result.Set(name, PruneValue(p, member));
                        }
                        else if (additional is Json.Object a)
                        {
                            result = result.Set(name, PruneValue(a, member));
                        }
                        else if (preserve || additional is Json.Bool { Item: true })
                        {
                            result = result.Set(name, member);
                        }
                    }

                    return result;
                }

            case Json.Array a when schema.Get("items") is { } items:
                return JsonAccess.Array(a.Item.Select(i => PruneValue(items, i)));
            default:
                return value;
        }
    }

    /// <summary>The value with schema defaults filled in where a property is absent and its parent present.</summary>
    public static Json Default(Json schema, Json value)
    {
        switch (value)
        {
            case Json.Object o:
                {
                    var result = value;
                    foreach (var (name, property) in JsonMembers.MapOf(schema.Get("properties")))
                    {
                        if (o.Item.TryGetValue(name, out var member))
                        {
                            result = result.Set(name, Default(property, member));
                        }
                        else if (property.Get("default") is { } d)
                        {
                            result = result.Set(name, Default(property, d));
                        }
                    }

                    if (schema.Get("additionalProperties") is Json.Object additional)
                    {
                        foreach (var (name, member) in o.Item)
                        {
                            result = result.Set(name, Default(additional, member));
                        }
                    }

                    return result;
                }

            case Json.Array a when schema.Get("items") is { } items:
                return JsonAccess.Array(a.Item.Select(i => Default(items, i)));
            default:
                return value;
        }
    }

    /// <summary>The messages of the CEL rules (x-kubernetes-validations) anywhere in a kind's schema.</summary>
    public static IReadOnlySet<string> RuleMessages(ResourceType type) =>
        Crds.Value.TryGetValue((type.Group, type.Kind), out var crd) ? crd.RuleMessages : new HashSet<string>();

    private static IEnumerable<string> RuleMessagesIn(Json schema) =>
        schema switch
        {
            Json.Object o => o.Item.SelectMany(kv => kv.Key == "x-kubernetes-validations" && kv.Value is Json.Array rules
                ? rules.Item.Select(r => r.Str("message")).OfType<string>()
                : RuleMessagesIn(kv.Value)),
            Json.Array a => a.Item.SelectMany(RuleMessagesIn),
            _ => [],
        };

    private sealed record Crd(Json Schema, bool Status, IReadOnlySet<string> RuleMessages);

    private static IReadOnlyDictionary<(string Group, string Kind), Crd> Load()
    {
        var assembly = typeof(CrdSchemas).Assembly;
        var crds = new Dictionary<(string Group, string Kind), Crd>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            var docs = ManifestReader.Read(reader.ReadToEnd());
            if (docs.IsError)
            {
                throw new InvalidOperationException($"embedded CRD {resource}: {docs.ErrorValue}");
            }

            foreach (var crd in docs.ResultValue)
            {
                var group = crd.Str("spec", "group");
                var kind = crd.Str("spec", "names", "kind");
                var version = crd.Items("spec", "versions").FirstOrDefault();
                if (group is not null && kind is not null && version?.At("schema", "openAPIV3Schema") is { } schema)
                {
                    crds[(group, kind)] = new Crd(schema, version.At("subresources", "status") is not null, RuleMessagesIn(schema).ToHashSet());
                }
            }
        }

        return crds;
    }
}
