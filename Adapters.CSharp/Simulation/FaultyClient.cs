using Ztwim.Adapters.Cluster;
using Ztwim.Kernel;
using Ztwim.Kernel.Render;

namespace Ztwim.Adapters.Simulation;

/// <summary>
/// The operator's view of the simulated cluster: every request passes through the switched-on faults, and
/// is counted by verb. A crash fault calls <paramref name="crash"/> right after a write went through, so the
/// operator dies between two writes with the first one done.
/// </summary>
public sealed class FaultyClient(IClusterClient inner, Faults faults, Random random, TimeProvider clock, Action crash)
    : IClusterClient
{
    private readonly SortedDictionary<string, int> requests = [];

    /// <summary>Requests by verb: get, list, watch, create, update, patch, apply, status, delete, event.</summary>
    public IReadOnlyDictionary<string, int> Requests => requests;

    /// <summary>Writes so far: every request that asks the server to change an object.</summary>
    public int Writes => Verbs.Writes.Sum(v => requests.GetValueOrDefault(v));

    public Task<ApiResult<ObjectList>> ListAsync(ResourceType type, string? ns, string? labelSelector, CancellationToken ct) =>
        Request("list", ct, () => inner.ListAsync(type, ns, labelSelector, ct));

    public async Task<ApiResult<IWatch>> WatchAsync(
        ResourceType type, string? ns, string? labelSelector, string resourceVersion, CancellationToken ct)
    {
        var opened = await Request("watch", ct, () => inner.WatchAsync(type, ns, labelSelector, resourceVersion, ct));
        if (!opened.IsOk)
        {
            return opened;
        }

        if (faults.Strikes("watch-expire", random))
        {
            await opened.Value.DisposeAsync();
            return ApiError.Gone($"too old resource version: {resourceVersion}");
        }

        return ApiResult<IWatch>.Ok(new FaultyWatch(opened.Value, faults, random, clock));
    }

    public Task<ApiResult<Json>> GetAsync(ObjectRef r, CancellationToken ct) => Request("get", ct, () => inner.GetAsync(r, ct));

    public Task<ApiResult<Json>> CreateAsync(Json obj, CancellationToken ct) => Write("create", ct, () => inner.CreateAsync(obj, ct));

    public Task<ApiResult<Json>> UpdateAsync(Json obj, CancellationToken ct) => Write("update", ct, () => inner.UpdateAsync(obj, ct));

    public Task<ApiResult<Json>> MergePatchAsync(ObjectRef r, Json patch, CancellationToken ct) =>
        Write("patch", ct, () => inner.MergePatchAsync(r, patch, ct));

    public Task<ApiResult<Json>> ApplyAsync(Json obj, string fieldManager, bool force, CancellationToken ct) =>
        Write("apply", ct, () => inner.ApplyAsync(obj, fieldManager, force, ct));

    public Task<ApiResult<Json>> ApplyStatusAsync(Json obj, string fieldManager, bool force, CancellationToken ct) =>
        Write("status", ct, () => inner.ApplyStatusAsync(obj, fieldManager, force, ct));

    public Task<ApiResult<bool>> DeleteAsync(ObjectRef r, CancellationToken ct) => Write("delete", ct, () => inner.DeleteAsync(r, ct));

    public Task<ApiResult<bool>> DeleteAsync(ObjectRef r, DeletePreconditions preconditions, CancellationToken ct) =>
        Write("delete", ct, () => inner.DeleteAsync(r, preconditions, ct));

    public Task<ApiResult<bool>> RecordEventAsync(EventRecord e, CancellationToken ct) =>
        Request("event", ct, () => inner.RecordEventAsync(e, ct));

    private async Task<ApiResult<T>> Write<T>(string verb, CancellationToken ct, Func<Task<ApiResult<T>>> send)
    {
        if (faults.Strikes("conflict", random))
        {
            Count(verb);
            return ApiError.Conflict("the object");
        }

        var result = await Request(verb, ct, send);
        if (result.IsOk && faults.Strikes("crash", random))
        {
            crash();
        }

        return result;
    }

    private async Task<ApiResult<T>> Request<T>(string verb, CancellationToken ct, Func<Task<ApiResult<T>>> send)
    {
        Count(verb);
        if (ct.IsCancellationRequested)
        {
            return new ApiError(0, "Canceled", "the operator stopped");
        }

        if (faults.Strikes("api-500", random))
        {
            return new ApiError(500, "InternalError", "Internal error occurred: injected");
        }

        if (faults.Strikes("api-503", random))
        {
            return new ApiError(503, "ServiceUnavailable", "the server is currently unable to handle the request");
        }

        if (faults.Strikes("api-429", random))
        {
            return new ApiError(429, "TooManyRequests", "the server has received too many requests", TimeSpan.FromSeconds(2));
        }

        if (faults.Strikes("api-timeout", random))
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(30), clock, ct);
            }
            catch (OperationCanceledException)
            {
            }

            return new ApiError(504, "Timeout", "the request timed out");
        }

        return await send();
    }

    private void Count(string verb) => requests[verb] = requests.GetValueOrDefault(verb) + 1;
}

/// <summary>The request verbs, and which of them write.</summary>
public static class Verbs
{
    public static readonly IReadOnlyList<string> Writes = ["create", "update", "patch", "apply", "status", "delete"];
}
