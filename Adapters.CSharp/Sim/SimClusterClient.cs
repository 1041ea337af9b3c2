using Ztwim.Adapters.Cluster;
using Ztwim.Kernel;
using Ztwim.Kernel.Render;

namespace Ztwim.Adapters.Sim;

/// <summary>
/// One client of the simulated cluster (the operator, a user with kubectl, a test): every request is counted
/// by verb, answered synchronously (the returned Task is complete), and its non-apply writes are recorded in
/// managedFields under the client's name. Make one with <see cref="SimCluster.Client"/>.
/// </summary>
public sealed class SimClusterClient : IClusterClient
{
    private readonly SimCluster cluster;

    internal SimClusterClient(SimCluster cluster, string name)
    {
        this.cluster = cluster;
        Name = name;
    }

    /// <summary>The client's name: its field manager for create, update and patch, its component for events.</summary>
    public string Name { get; }

    public RequestCounts Requests { get; } = new();

    public Task<ApiResult<ObjectList>> ListAsync(ResourceType type, string? ns, string? labelSelector, CancellationToken ct) =>
        Answer("list", ct, () => cluster.Api.List(type, ns, labelSelector));

    public Task<ApiResult<IWatch>> WatchAsync(ResourceType type, string? ns, string? labelSelector, string resourceVersion, CancellationToken ct) =>
        Answer("watch", ct, () => cluster.Api.Watch(type, ns, labelSelector, resourceVersion));

    public Task<ApiResult<Json>> GetAsync(ObjectRef r, CancellationToken ct) => Answer("get", ct, () => cluster.Api.Get(r));

    public Task<ApiResult<Json>> CreateAsync(Json obj, CancellationToken ct) => Answer("create", ct, () => cluster.Api.Create(obj, Name));

    public Task<ApiResult<Json>> UpdateAsync(Json obj, CancellationToken ct) => Answer("update", ct, () => cluster.Api.Update(obj, Name, false));

    public Task<ApiResult<Json>> MergePatchAsync(ObjectRef r, Json patch, CancellationToken ct) =>
        Answer("patch", ct, () => cluster.Api.Patch(r, patch, Name, false));

    public Task<ApiResult<Json>> ApplyAsync(Json obj, string fieldManager, bool force, CancellationToken ct) =>
        Answer("apply", ct, () => cluster.Api.Apply(obj, fieldManager, force, false));

    public Task<ApiResult<Json>> ApplyStatusAsync(Json obj, string fieldManager, bool force, CancellationToken ct) =>
        Answer("status", ct, () => cluster.Api.Apply(obj, fieldManager, force, true));

    /// <summary>PUT of the status subresource (outside the port: only the served API needs it); 409 on a stale resourceVersion.</summary>
    public Task<ApiResult<Json>> UpdateStatusAsync(Json obj, CancellationToken ct) =>
        Answer("status", ct, () => cluster.Api.Update(obj, Name, true));

    /// <summary>A JSON merge patch of the status subresource (outside the port: only the served API needs it).</summary>
    public Task<ApiResult<Json>> MergePatchStatusAsync(ObjectRef r, Json patch, CancellationToken ct) =>
        Answer("status", ct, () => cluster.Api.Patch(r, patch, Name, true));

    public Task<ApiResult<bool>> DeleteAsync(ObjectRef r, CancellationToken ct) => Answer("delete", ct, () => cluster.Api.Delete(r));

    public Task<ApiResult<bool>> DeleteAsync(ObjectRef r, DeletePreconditions preconditions, CancellationToken ct) =>
        Answer("delete", ct, () => cluster.Api.Delete(r, preconditions));

    public Task<ApiResult<bool>> RecordEventAsync(EventRecord e, CancellationToken ct) =>
        Answer("event", ct, () => cluster.Events.Record(e, Name));

    private Task<ApiResult<T>> Answer<T>(string verb, CancellationToken ct, Func<ApiResult<T>> handle)
    {
        if (ct.IsCancellationRequested)
        {
            return Task.FromCanceled<ApiResult<T>>(ct);
        }

        Requests.Count(verb);
        return Task.FromResult(handle());
    }
}
