using System.Text;
using Ztwim.Adapters.Cluster;

namespace Ztwim.Adapters.Kube;

/// <summary>
/// The REST paths of the Kubernetes API: <c>/api/v1/...</c> for the core group, <c>/apis/GROUP/VERSION/...</c>
/// for the others, <c>namespaces/NS/</c> for a namespaced type, then the plural, the name and a subresource.
/// </summary>
public static class KubePaths
{
    /// <summary>The collection of a type, in one namespace or (null) across all of them.</summary>
    public static string Collection(ResourceType type, string? ns)
    {
        var root = type.Group == "" ? $"/api/{type.Version}" : $"/apis/{type.Group}/{type.Version}";
        return type.Namespaced && !string.IsNullOrEmpty(ns)
            ? $"{root}/namespaces/{Uri.EscapeDataString(ns)}/{type.Plural}"
            : $"{root}/{type.Plural}";
    }

    /// <summary>One object of a type, optionally a subresource of it (<c>status</c>).</summary>
    public static string Item(ResourceType type, string? ns, string name, string? subresource = null)
    {
        var path = $"{Collection(type, ns)}/{Uri.EscapeDataString(name)}";
        return subresource is null ? path : $"{path}/{subresource}";
    }

    /// <summary>A path with query parameters (null values left out), each escaped.</summary>
    public static string WithQuery(string path, params (string Name, string? Value)[] query)
    {
        var sb = new StringBuilder(path);
        var first = true;
        foreach (var (name, value) in query)
        {
            if (value is null)
            {
                continue;
            }

            sb.Append(first ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
            first = false;
        }

        return sb.ToString();
    }
}
