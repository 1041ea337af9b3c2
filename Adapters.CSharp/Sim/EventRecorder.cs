using System.Globalization;
using Ztwim.Adapters.Cluster;
using Ztwim.Kernel;

namespace Ztwim.Adapters.Sim;

/// <summary>
/// Stores v1 Events in the regarding object's namespace ("default" for a cluster-scoped one). A repeat of the
/// same event (same object, type, reason, message and source) bumps its count and lastTimestamp instead, as
/// client-go's event correlator does.
/// </summary>
internal sealed class EventRecorder(ObjectStore store, ApiServer api, Scheduler scheduler)
{
    private static readonly ResourceType EventType = ResourceTypes.Find("v1", "Event")!;
    private long sequence;

    public ApiResult<bool> Record(EventRecord e, string component)
    {
        var r = e.Regarding;
        var ns = r.NamespaceOf() ?? "default";
        var regarding = api.Get(r);
        var involved = JsonAccess.Object(
        [
            ("apiVersion", JsonAccess.Of(r.ApiVersion)),
            ("kind", JsonAccess.Of(r.Kind)),
            ("name", JsonAccess.Of(r.Name)),
            .. r.NamespaceOf() is { } n ? [("namespace", JsonAccess.Of(n))] : Array.Empty<(string, Json)>(),
            .. regarding.IsOk && regarding.Value.Meta("uid") is { } uid ? [("uid", JsonAccess.Of(uid))] : Array.Empty<(string, Json)>(),
        ]);
        var now = scheduler.NowText;
        var repeat = store.List(EventType, ns).FirstOrDefault(x =>
            Equals(x.Get("involvedObject"), involved) && x.Str("type") == e.Type && x.Str("reason") == e.Reason
            && x.Str("message") == e.Message && x.Str("source", "component") == component);
        if (repeat is not null)
        {
            var bumped = repeat
                .Set("count", JsonAccess.Of((repeat.Int("count") ?? 1) + 1))
                .Set("lastTimestamp", JsonAccess.Of(now));
            var updated = api.Update(bumped, component, false);
            return updated.IsOk ? ApiResult<bool>.Ok(true) : updated.Cast<bool>();
        }

        var stamp = (scheduler.Now.ToUnixTimeMilliseconds() * 1_000_000) + (++sequence);
        var ev = JsonAccess.Object(
            ("apiVersion", JsonAccess.Of("v1")),
            ("kind", JsonAccess.Of("Event")),
            ("metadata", JsonAccess.Object(
                ("name", JsonAccess.Of($"{r.Name}.{stamp.ToString("x", CultureInfo.InvariantCulture)}")),
                ("namespace", JsonAccess.Of(ns)))),
            ("involvedObject", involved),
            ("type", JsonAccess.Of(e.Type)),
            ("reason", JsonAccess.Of(e.Reason)),
            ("message", JsonAccess.Of(e.Message)),
            ("count", JsonAccess.Of(1)),
            ("firstTimestamp", JsonAccess.Of(now)),
            ("lastTimestamp", JsonAccess.Of(now)),
            ("source", JsonAccess.Object(("component", JsonAccess.Of(component)))),
            ("reportingComponent", JsonAccess.Of(component)));
        var created = api.Create(ev, component);
        return created.IsOk ? ApiResult<bool>.Ok(true) : created.Cast<bool>();
    }
}
