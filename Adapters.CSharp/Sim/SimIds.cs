using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ztwim.Adapters.Cluster;

namespace Ztwim.Adapters.Sim;

/// <summary>
/// The names and identifiers the server and its controllers make up: uids, generated name suffixes, template
/// hashes and timestamps. All are functions of a counter or of content, never of the machine, so runs repeat.
/// </summary>
internal static class SimIds
{
    // The alphabet Kubernetes uses for generated names (no vowels, no look-alike characters).
    private const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";

    /// <summary>A UUID-shaped uid for the n-th object (version 4 layout, content from a fixed mix of n).</summary>
    public static string Uid(long n)
    {
        var a = Mix((ulong)n);
        var b = Mix(a ^ 0x9E3779B97F4A7C15UL);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{a >> 32:x8}-{(a >> 16) & 0xffff:x4}-4{(a >> 4) & 0xfff:x3}-{8 | (int)(b >> 62):x1}{(b >> 48) & 0xfff:x3}-{b & 0xffffffffffffUL:x12}");
    }

    /// <summary>A five-character suffix for the n-th generated name, as generateName produces.</summary>
    public static string Suffix(long n)
    {
        var x = Mix((ulong)n);
        var sb = new StringBuilder(5);
        for (var i = 0; i < 5; i++)
        {
            sb.Append(Alphabet[(int)(x % (ulong)Alphabet.Length)]);
            x /= (ulong)Alphabet.Length;
        }

        return sb.ToString();
    }

    /// <summary>A short hash of a value (a pod template), as controllers label their revisions.</summary>
    public static string Hash(Ztwim.Kernel.Json value)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(value.Compact()));
        var sb = new StringBuilder(10);
        for (var i = 0; i < 10; i++)
        {
            sb.Append(Alphabet[bytes[i] % Alphabet.Length]);
        }

        return sb.ToString();
    }

    /// <summary>RFC 3339 in seconds, UTC, as metav1.Time prints.</summary>
    public static string Time(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>How error messages name an object: `statefulsets.apps "spire-server"`, `configmaps "x"`.</summary>
    public static string Describe(ResourceType type, string name) =>
        type.Group == "" ? $"{type.Plural} \"{name}\"" : $"{type.Plural}.{type.Group} \"{name}\"";

    /// <summary>How validation errors name an object: `SpireServer.operator.openshift.io "cluster"`.</summary>
    public static string DescribeKind(ResourceType type, string name) =>
        type.Group == "" ? $"{type.Kind} \"{name}\"" : $"{type.Kind}.{type.Group} \"{name}\"";

    // splitmix64: a fixed bijective mix, so consecutive counters give unrelated-looking ids.
    private static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
