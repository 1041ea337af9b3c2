using System.Threading.Channels;
using Ztwim.Kernel;

namespace Ztwim.Adapters.Cluster;

/// <summary>The kinds of event a watch delivers, as the API server names them.</summary>
public enum WatchEventType
{
    Added,
    Modified,
    Deleted,

    /// <summary>Carries only a resourceVersion (in metadata) to resume from.</summary>
    Bookmark,

    /// <summary>The server ends the watch with a Status: for 410 Gone the watcher must list again.</summary>
    Error,
}

/// <summary>One watch event: the object as it is now (as it was last, for Deleted), or the error.</summary>
public sealed record WatchEvent(WatchEventType Type, Json Object, ApiError? Error = null);

/// <summary>
/// An open watch. The reader completes when the server or the connection closes it; a watcher then resumes
/// from the last resourceVersion it saw. Disposing it closes it from our side.
/// </summary>
public interface IWatch : IAsyncDisposable
{
    ChannelReader<WatchEvent> Events { get; }
}

/// <summary>A list answer: the items and the collection's resourceVersion, where a watch resumes.</summary>
public sealed record ObjectList(IReadOnlyList<Json> Items, string ResourceVersion);
