using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Ztwim.Adapters.Cluster;
using Ztwim.Adapters.Kube;
using Ztwim.Kernel;

namespace Ztwim.Operator.Serving;

/// <summary>What a scraper's request came to: allowed, not authenticated (401), or not allowed (403).</summary>
public enum MetricsAccess
{
    Allowed,
    Unauthenticated,
    Forbidden,
}

/// <summary>
/// Secure metrics as controller-runtime serves them: the scraper's bearer token is checked with a TokenReview,
/// and its user must be allowed <c>get</c> on the non-resource URL <c>/metrics</c> (a SubjectAccessReview; the
/// metrics-reader ClusterRole grants it). Answers are cached for a minute, keyed by a hash of the token; the
/// token itself is never logged or kept.
/// </summary>
public sealed class MetricsAuthorizer(KubeClusterClient client, TimeProvider clock)
{
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, (MetricsAccess Access, DateTimeOffset Until)> cache = new();

    public async Task<MetricsAccess> CheckAsync(string? authorization, CancellationToken ct)
    {
        if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return MetricsAccess.Unauthenticated;
        }

        var token = authorization["Bearer ".Length..].Trim();
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        var now = clock.GetUtcNow();
        if (cache.TryGetValue(key, out var hit) && hit.Until > now)
        {
            return hit.Access;
        }

        var access = await ReviewAsync(token, ct);
        cache[key] = (access, now + Ttl);
        if (cache.Count > 1000)
        {
            foreach (var old in cache.Where(kv => kv.Value.Until <= now).Select(kv => kv.Key).ToList())
            {
                cache.TryRemove(old, out _);
            }
        }

        return access;
    }

    private async Task<MetricsAccess> ReviewAsync(string token, CancellationToken ct)
    {
        var tokenReview = JsonAccess.Object(
            ("apiVersion", JsonAccess.Of("authentication.k8s.io/v1")),
            ("kind", JsonAccess.Of("TokenReview")),
            ("spec", JsonAccess.Object(("token", JsonAccess.Of(token)))));
        var reviewed = await client.ReviewAsync("/apis/authentication.k8s.io/v1/tokenreviews", tokenReview, ct);
        if (!reviewed.IsOk || reviewed.Value.At("status", "authenticated") is not Json.Bool { Item: true })
        {
            return MetricsAccess.Unauthenticated;
        }

        var user = reviewed.Value.At("status", "user") ?? JsonAccess.EmptyObject;
        var spec = new List<(string, Json)>
        {
            ("user", JsonAccess.Of(user.Str("username") ?? "")),
            ("groups", JsonAccess.Array(user.Items("groups"))),
            ("nonResourceAttributes", JsonAccess.Object(("path", JsonAccess.Of("/metrics")), ("verb", JsonAccess.Of("get")))),
        };
        if (user.Str("uid") is { } uid)
        {
            spec.Add(("uid", JsonAccess.Of(uid)));
        }

        if (user.At("extra") is { } extra)
        {
            spec.Add(("extra", extra));
        }

        var accessReview = JsonAccess.Object(
            ("apiVersion", JsonAccess.Of("authorization.k8s.io/v1")),
            ("kind", JsonAccess.Of("SubjectAccessReview")),
            ("spec", JsonAccess.Object([.. spec])));
        var decided = await client.ReviewAsync("/apis/authorization.k8s.io/v1/subjectaccessreviews", accessReview, ct);
        return decided.IsOk && decided.Value.At("status", "allowed") is Json.Bool { Item: true }
            ? MetricsAccess.Allowed
            : MetricsAccess.Forbidden;
    }
}
