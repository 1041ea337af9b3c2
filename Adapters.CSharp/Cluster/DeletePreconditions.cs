using Ztwim.Kernel;

namespace Ztwim.Adapters.Cluster;

/// <summary>
/// What a DELETE requires of the object it removes (Kubernetes' DeleteOptions.preconditions): the uid and the
/// resourceVersion read. A decision taken on a stale read then fails with 409 rather than removing an object
/// that has changed since, say, one a user took our label off.
/// </summary>
public sealed record DeletePreconditions(string? Uid, string? ResourceVersion)
{
    /// <summary>The preconditions of an object as it was read.</summary>
    public static DeletePreconditions Of(Json observed) => new(observed.Meta("uid"), observed.Meta("resourceVersion"));
}
