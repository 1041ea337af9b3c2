using Microsoft.FSharp.Collections;
using Ztwim.Adapters.Cluster;
using Ztwim.Kernel.Render;
using Ztwim.Kernel.Status;

namespace Ztwim.Adapters.Runtime;

/// <summary>
/// Records the kernel's events about a CR, each distinct event once per operator lifetime: the kernel says
/// what is true on every reconcile (a TTL warning stays true), and repeating it on every resync would make
/// a steady cluster noisy.
/// </summary>
public sealed class EventRecorder(IClusterClient client)
{
    private readonly HashSet<(ObjectRef, string, string, string)> recorded = [];

    public async Task RecordAsync(ObjectRef regarding, FSharpList<Event> events, CancellationToken ct)
    {
        foreach (var e in events)
        {
            if (recorded.Add((regarding, e.Type, e.Reason, e.Message)))
            {
                var result = await client.RecordEventAsync(new EventRecord(regarding, e.Type, e.Reason, e.Message), ct);
                if (!result.IsOk)
                {
                    // Events are best effort; a failed one is tried again on a later reconcile.
                    recorded.Remove((regarding, e.Type, e.Reason, e.Message));
                }
            }
        }
    }
}
