using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;
using Ztwim.Kernel;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Ztwim.Adapters.Files;

/// <summary>
/// Reads manifests (multi-document YAML, or JSON) into the kernel's JSON values. Plain scalars resolve as
/// kubectl's YAML reader resolves them (YAML 1.1: <c>yes</c> and <c>on</c> are booleans), so that an unquoted
/// string boolean is reported by the kernel instead of silently becoming a string.
/// </summary>
public static partial class ManifestReader
{
    [GeneratedRegex("^(y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON)$")]
    private static partial Regex TrueWords();

    [GeneratedRegex("^(n|N|no|No|NO|false|False|FALSE|off|Off|OFF)$")]
    private static partial Regex FalseWords();

    [GeneratedRegex("^(~|null|Null|NULL)?$")]
    private static partial Regex NullWords();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex NumberWords();

    /// <summary>The documents of a manifest text; an error names the line and column.</summary>
    public static FSharpResult<FSharpList<Json>, string> Read(string text)
    {
        // JSON gets System.Text.Json's exact numbers and positions; a text that only looks like JSON (a YAML
        // flow collection) is read as YAML, and if both fail the JSON error is the clearer one.
        var trimmed = text.TrimStart();
        if (trimmed.StartsWith('{') || trimmed.StartsWith('['))
        {
            var json = JsonText.parse(text);
            if (json.IsOk)
            {
                return FSharpResult<FSharpList<Json>, string>.NewOk(ListModule.OfSeq(Unwrap(json.ResultValue)));
            }

            var yaml = ReadYaml(text);
            return yaml.IsOk ? yaml : FSharpResult<FSharpList<Json>, string>.NewError(json.ErrorValue);
        }

        return ReadYaml(text);
    }

    private static FSharpResult<FSharpList<Json>, string> ReadYaml(string text)
    {
        var parser = new TrackingParser(new Parser(new StringReader(text)));
        try
        {
            var stream = new YamlStream();
            stream.Load(parser);
            var docs = stream.Documents
                .Select(d => new Converter().ToJson(d.RootNode, 0))
                .Where(j => !j.IsNull)
                .SelectMany(Unwrap);
            return FSharpResult<FSharpList<Json>, string>.NewOk(ListModule.OfSeq(docs));
        }
        catch (YamlException ex)
        {
            var reason = ex.InnerException?.Message ?? ex.Message;
            var cut = reason.IndexOf("):", StringComparison.Ordinal);
            if (reason.StartsWith("(Line", StringComparison.Ordinal) && cut > 0)
            {
                reason = reason[(cut + 2)..].Trim();
            }

            return FSharpResult<FSharpList<Json>, string>.NewError(
                $"line {ex.Start.Line}, column {ex.Start.Column}: {reason}");
        }
        catch (UnsupportedShapeException ex)
        {
            return FSharpResult<FSharpList<Json>, string>.NewError(
                $"line {ex.At.Line}, column {ex.At.Column}: {ex.Message}");
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet gives up on some malformed input (bad tags, broken scalars) without a position:
            // report where the last well-formed token ended.
            return FSharpResult<FSharpList<Json>, string>.NewError(
                $"line {parser.LastGood.Line}, column {parser.LastGood.Column}: malformed YAML after this point");
        }
    }

    /// <summary>Remembers where the last event that parsed ended.</summary>
    private sealed class TrackingParser(IParser inner) : IParser
    {
        public Mark LastGood { get; private set; } = Mark.Empty;

        public YamlDotNet.Core.Events.ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            var moved = inner.MoveNext();
            if (moved && inner.Current != null)
            {
                LastGood = inner.Current.End;
            }

            return moved;
        }
    }

    // A `kind: List` (what `kubectl get -o yaml` prints) holds its objects in `items`.
    private static IEnumerable<Json> Unwrap(Json doc)
    {
        var kind = JsonModule.tryField("kind", doc);
        var items = JsonModule.tryField("items", doc);
        if (kind != null && kind.Value is Json.String { Item: "List" } && items != null && items.Value is Json.Array list)
        {
            return list.Item;
        }

        return [doc];
    }

    /// <summary>
    /// Turns a YAML node graph into JSON. Aliases can make the graph cyclic or exponentially large, and
    /// nesting can be deep: each is refused with a position instead of exhausting the stack or memory.
    /// </summary>
    private sealed class Converter
    {
        private const int MaxDepth = 200;
        private const int MaxNodes = 1_000_000;
        private readonly HashSet<YamlNode> path = new(ReferenceEqualityComparer.Instance);
        private int nodes;

        public Json ToJson(YamlNode node, int depth)
        {
            if (depth > MaxDepth)
            {
                throw new UnsupportedShapeException(node.Start, $"nested deeper than {MaxDepth} levels");
            }

            if (++nodes > MaxNodes)
            {
                throw new UnsupportedShapeException(node.Start, $"more than {MaxNodes} values once aliases are expanded");
            }

            if (!path.Add(node))
            {
                throw new UnsupportedShapeException(node.Start, "an alias refers to a node that contains it");
            }

            try
            {
                return node switch
                {
                    YamlMappingNode map => Json.NewObject(MapModule.OfSeq(map.Children.Select(kv =>
                        Tuple.Create(Key(kv.Key), ToJson(kv.Value, depth + 1))))),
                    YamlSequenceNode seq => Json.NewArray(ListModule.OfSeq(seq.Children.Select(c => ToJson(c, depth + 1)))),
                    YamlScalarNode scalar => Scalar(scalar),
                    _ => Json.Null,
                };
            }
            finally
            {
                path.Remove(node);
            }
        }

        // JSON (and so Kubernetes) objects have string keys only; YAML also allows lists and maps as keys.
        private static string Key(YamlNode key) => key is YamlScalarNode scalar
            ? scalar.Value ?? ""
            : throw new UnsupportedShapeException(key.Start, "a mapping key must be a string");
    }

    private sealed class UnsupportedShapeException(Mark at, string reason) : Exception(reason)
    {
        public Mark At { get; } = at;
    }

    private static Json Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain)
        {
            return Json.NewString(value);
        }

        if (NullWords().IsMatch(value))
        {
            return Json.Null;
        }

        if (TrueWords().IsMatch(value))
        {
            return Json.NewBool(true);
        }

        if (FalseWords().IsMatch(value))
        {
            return Json.NewBool(false);
        }

        if (NumberWords().IsMatch(value)
            && decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return Json.NewNumber(number);
        }

        return Json.NewString(value);
    }
}
