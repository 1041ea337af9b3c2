using Ztwim.Kernel;
using Ztwim.Kernel.Render;

namespace Ztwim.Adapters.Cluster;

/// <summary>A Kubernetes Event about an object, as the operator records it.</summary>
public sealed record EventRecord(ObjectRef Regarding, string Type, string Reason, string Message);

/// <summary>
/// The port to a Kubernetes API server. Objects are the kernel's JSON values, whole (apiVersion, kind,
/// metadata, ...). Every method answers with a value or the server's error; none throws for an API error.
/// Two implementations: the real API through KubernetesClient, and the simulated cluster.
/// </summary>
public interface IClusterClient
{
    /// <summary>Lists a type, in one namespace or all (null), optionally filtered by a label selector.</summary>
    Task<ApiResult<ObjectList>> ListAsync(ResourceType type, string? ns, string? labelSelector, CancellationToken ct);

    /// <summary>
    /// Watches a type from a resourceVersion (with bookmarks); 410 Gone when it is compacted away. Callers pass the
    /// resourceVersion of a list they took in: "" or "0" means "from now" in the simulation, while a real server
    /// first replays every existing object as ADDED, so neither is a safe place to start without a list.
    /// </summary>
    Task<ApiResult<IWatch>> WatchAsync(ResourceType type, string? ns, string? labelSelector, string resourceVersion, CancellationToken ct);

    Task<ApiResult<Json>> GetAsync(ObjectRef r, CancellationToken ct);

    /// <summary>POST: 409 AlreadyExists when the name is taken.</summary>
    Task<ApiResult<Json>> CreateAsync(Json obj, CancellationToken ct);

    /// <summary>PUT of the whole object: 409 Conflict when its metadata.resourceVersion is not the current one.</summary>
    Task<ApiResult<Json>> UpdateAsync(Json obj, CancellationToken ct);

    /// <summary>A JSON merge patch (RFC 7386), as kubectl patch --type merge sends.</summary>
    Task<ApiResult<Json>> MergePatchAsync(ObjectRef r, Json patch, CancellationToken ct);

    /// <summary>Server-side apply of the fields in <paramref name="obj"/> (which carries apiVersion and kind).</summary>
    Task<ApiResult<Json>> ApplyAsync(Json obj, string fieldManager, bool force, CancellationToken ct);

    /// <summary>Server-side apply to the status subresource.</summary>
    Task<ApiResult<Json>> ApplyStatusAsync(Json obj, string fieldManager, bool force, CancellationToken ct);

    /// <summary>
    /// DELETE (background propagation): true when the object is gone now, false while finalizers hold it (it has a
    /// deletionTimestamp and goes when the last finalizer is removed); NotFound when it was already gone.
    /// </summary>
    Task<ApiResult<bool>> DeleteAsync(ObjectRef r, CancellationToken ct);

    /// <summary>
    /// DELETE only if the object is still the one described: same uid and, when given, same resourceVersion;
    /// otherwise 409 Conflict and nothing is deleted (the API's DeleteOptions.preconditions).
    /// </summary>
    Task<ApiResult<bool>> DeleteAsync(ObjectRef r, DeletePreconditions preconditions, CancellationToken ct);

    Task<ApiResult<bool>> RecordEventAsync(EventRecord e, CancellationToken ct);
}
