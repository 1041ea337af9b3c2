using Ztwim.Adapters.Cluster;
using Ztwim.Kernel;

namespace Ztwim.Adapters.Kube;

/// <summary>API discovery: which groups the server serves (the aggregated <c>/apis</c> list).</summary>
public sealed partial class KubeClusterClient
{
    /// <summary>The names of the API groups the server serves, beside the core group.</summary>
    public async Task<ApiResult<IReadOnlySet<string>>> ServedGroupsAsync(CancellationToken ct)
    {
        var result = await SendAsync(HttpMethod.Get, "/apis", null, null, ct);
        if (!result.IsOk)
        {
            return result.Cast<IReadOnlySet<string>>();
        }

        IReadOnlySet<string> names = result.Value.Items("groups").Select(g => g.Str("name")).OfType<string>().ToHashSet();
        return ApiResult<IReadOnlySet<string>>.Ok(names);
    }
}

/// <summary>Reviews the API server makes for us: who a bearer token belongs to, and what they may do.</summary>
public sealed partial class KubeClusterClient
{
    /// <summary>POSTs a review object (TokenReview, SubjectAccessReview) to its path and returns the answer.</summary>
    public Task<ApiResult<Json>> ReviewAsync(string path, Json review, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, path, review, "application/json", ct);
}
