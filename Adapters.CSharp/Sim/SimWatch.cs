using System.Threading.Channels;
using Ztwim.Adapters.Cluster;
using Ztwim.Kernel;

namespace Ztwim.Adapters.Sim;

/// <summary>
/// One open watch: the changes of one kind (in one namespace, through one label selector) into an unbounded
/// channel. An object that stops matching the selector arrives as Deleted, one that starts matching as Added.
/// </summary>
internal sealed class SimWatch(ResourceType type, string? ns, LabelSelector selector, Action<SimWatch> closed) : IWatch
{
    private readonly Channel<WatchEvent> channel = Channel.CreateUnbounded<WatchEvent>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    public ChannelReader<WatchEvent> Events => channel.Reader;

    public void Deliver(SimChange change)
    {
        if (change.Type.ApiVersion != type.ApiVersion || change.Type.Kind != type.Kind
            || (ns is not null && type.Namespaced && change.Object.Meta("namespace") != ns))
        {
            return;
        }

        var now = selector.Matches(change.Object);
        var before = change.Previous is { } p && selector.Matches(p);
        var e = change.Kind switch
        {
            WatchEventType.Added when now => new WatchEvent(WatchEventType.Added, change.Object),
            WatchEventType.Deleted when now => new WatchEvent(WatchEventType.Deleted, change.Object),
            WatchEventType.Modified when now && before => new WatchEvent(WatchEventType.Modified, change.Object),
            WatchEventType.Modified when now => new WatchEvent(WatchEventType.Added, change.Object),
            // The object as this watcher last matched it, at the resourceVersion of the change.
            WatchEventType.Modified when before => new WatchEvent(
                WatchEventType.Deleted, change.Previous!.SetMeta("resourceVersion", change.Object.Get("metadata").Get("resourceVersion"))),
            _ => null,
        };
        if (e is not null)
        {
            channel.Writer.TryWrite(e);
        }
    }

    public void Bookmark(long resourceVersion)
    {
        var rv = JsonAccess.Of(resourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var marker = JsonAccess.Object(
            ("apiVersion", JsonAccess.Of(type.ApiVersion)),
            ("kind", JsonAccess.Of(type.Kind)),
            ("metadata", JsonAccess.Object(("resourceVersion", rv))));
        channel.Writer.TryWrite(new WatchEvent(WatchEventType.Bookmark, marker));
    }

    /// <summary>Ends the watch with an error (410 Gone) as its last event.</summary>
    public void Fail(ApiError error)
    {
        var status = JsonAccess.Object(
            ("apiVersion", JsonAccess.Of("v1")),
            ("kind", JsonAccess.Of("Status")),
            ("status", JsonAccess.Of("Failure")),
            ("message", JsonAccess.Of(error.Message)),
            ("reason", JsonAccess.Of(error.Reason)),
            ("code", JsonAccess.Of(error.Code)));
        channel.Writer.TryWrite(new WatchEvent(WatchEventType.Error, status, error));
        Close();
    }

    public void Close() => channel.Writer.TryComplete();

    public ValueTask DisposeAsync()
    {
        closed(this);
        Close();
        return ValueTask.CompletedTask;
    }
}
