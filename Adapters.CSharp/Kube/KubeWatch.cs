using System.Threading.Channels;
using Ztwim.Adapters.Cluster;
using Ztwim.Kernel;

namespace Ztwim.Adapters.Kube;

/// <summary>
/// An open watch response, read line by line (one JSON event a line). An ERROR event's Status is delivered as
/// <see cref="WatchEventType.Error"/> with its <see cref="ApiError"/> (410 Gone included) and ends the watch, so
/// that the informer relists. A stream silent for longer than the idle limit (no event, no bookmark) is treated
/// as a dead connection and closed. A line that is not an event ends the watch too: the informer resumes from
/// the last resourceVersion it saw.
/// </summary>
internal sealed class KubeWatch : IWatch
{
    private readonly Channel<WatchEvent> channel = Channel.CreateUnbounded<WatchEvent>(new() { SingleReader = true });
    private readonly CancellationTokenSource stop;
    private readonly HttpResponseMessage response;
    private readonly Task pump;

    public KubeWatch(HttpResponseMessage response, TimeSpan idleLimit, CancellationToken ct)
    {
        this.response = response;
        stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        pump = Task.Run(() => PumpAsync(idleLimit, stop.Token), CancellationToken.None);
    }

    public ChannelReader<WatchEvent> Events => channel.Reader;

    private async Task PumpAsync(TimeSpan idleLimit, CancellationToken ct)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            using var reader = new StreamReader(stream);
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
            while (true)
            {
                idle.CancelAfter(idleLimit);
                var line = await reader.ReadLineAsync(idle.Token);
                if (line is null)
                {
                    return;
                }

                if (line.Length == 0)
                {
                    continue;
                }

                if (Parse(line) is not { } e)
                {
                    return;
                }

                channel.Writer.TryWrite(e);
                if (e.Type == WatchEventType.Error)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException)
        {
            // The connection closed or went silent: the watcher resumes from its last resourceVersion.
        }
        finally
        {
            channel.Writer.TryComplete();
            response.Dispose();
        }
    }

    /// <summary>One line of a watch stream as an event, or null when it is not one.</summary>
    internal static WatchEvent? Parse(string line)
    {
        if (JsonText.parse(line) is not { IsOk: true } parsed || parsed.ResultValue.At("object") is not { } obj)
        {
            return null;
        }

        return parsed.ResultValue.Str("type") switch
        {
            "ADDED" => new WatchEvent(WatchEventType.Added, obj),
            "MODIFIED" => new WatchEvent(WatchEventType.Modified, obj),
            "DELETED" => new WatchEvent(WatchEventType.Deleted, obj),
            "BOOKMARK" => new WatchEvent(WatchEventType.Bookmark, obj),
            "ERROR" => new WatchEvent(WatchEventType.Error, obj, KubeErrors.FromStatusObject(obj)),
            _ => null,
        };
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await pump;
        }
        catch (OperationCanceledException)
        {
        }

        stop.Dispose();
    }
}
