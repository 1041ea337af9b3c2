using Ztwim.Adapters.Cluster;
using Ztwim.Kernel;

namespace Ztwim.Adapters.Sim;

/// <summary>
/// The kubelets: a pod bound to a node becomes Running and Ready a fixed delay after it is created, unless a
/// failure is injected for its workload (ImagePullBackOff, CrashLoopBackOff, or any other waiting reason):
/// then it stays not Ready with that reason. Injecting a failure hits the workload's existing pods at once;
/// clearing it lets them become Ready after the delay.
/// </summary>
internal sealed class Kubelet
{
    public const string Manager = "kubelet";

    private readonly ObjectStore store;
    private readonly Pods pods;
    private readonly Scheduler scheduler;
    private readonly TimeSpan delay;
    private readonly SortedDictionary<(string Ns, string Workload), string> failures = new();

    public Kubelet(ObjectStore store, Pods pods, Scheduler scheduler, TimeSpan delay)
    {
        this.store = store;
        this.pods = pods;
        this.scheduler = scheduler;
        this.delay = delay;
        store.Subscribe(OnChange);
    }

    public void Inject(string ns, string workload, string reason)
    {
        failures[(ns, workload)] = reason;
        Recheck(ns, workload, TimeSpan.Zero);
    }

    public void Clear(string ns, string workload)
    {
        if (failures.Remove((ns, workload)))
        {
            Recheck(ns, workload, delay);
        }
    }

    private void OnChange(SimChange change)
    {
        if (change.Kind == WatchEventType.Added && change.Type == Pods.Pod && change.Object.Str("spec", "nodeName") is not null
            && change.Object.Meta("uid") is { } uid)
        {
            scheduler.After(delay, () => Sync(uid));
        }
    }

    private void Recheck(string ns, string workload, TimeSpan after)
    {
        foreach (var pod in store.List(Pods.Pod, ns).Where(p => Pods.ControllerOf(p)?.Str("name") == workload))
        {
            var uid = pod.Meta("uid")!;
            scheduler.After(after, () => Sync(uid));
        }
    }

    private void Sync(string uid)
    {
        if (store.ByUid(uid) is not { } pod || pod.Meta("deletionTimestamp") is not null || pod.Str("spec", "nodeName") is null)
        {
            return;
        }

        var workload = Pods.ControllerOf(pod)?.Str("name") ?? "";
        failures.TryGetValue((pod.Meta("namespace") ?? "", workload), out var reason);
        if ((reason ?? "Ready") == State(pod))
        {
            return;
        }

        pods.WriteStatus(pod, reason is null ? Running(pod) : Failing(pod, reason), Manager);
    }

    private static string State(Json pod) =>
        Pods.IsReady(pod) ? "Ready" : pod.Items("status", "containerStatuses").Select(c => c.Str("state", "waiting", "reason")).FirstOrDefault() ?? "Pending";

    private Json Running(Json pod)
    {
        var now = JsonAccess.Of(scheduler.NowText);
        var containers = pod.Items("spec", "containers").Select(c => JsonAccess.Object(
            ("name", JsonAccess.Of(c.Str("name") ?? "")),
            ("image", JsonAccess.Of(c.Str("image") ?? "")),
            ("imageID", JsonAccess.Of("")),
            ("ready", JsonAccess.Of(true)),
            ("started", JsonAccess.Of(true)),
            ("restartCount", JsonAccess.Of(0)),
            ("state", JsonAccess.Object(("running", JsonAccess.Object(("startedAt", now))))))).ToList();
        return Base(pod, "Running", true, containers);
    }

    private Json Failing(Json pod, string reason)
    {
        var crash = reason == "CrashLoopBackOff";
        var containers = pod.Items("spec", "containers").Select(c =>
        {
            var name = c.Str("name") ?? "";
            var image = c.Str("image") ?? "";
            var message = reason switch
            {
                "ImagePullBackOff" => $"Back-off pulling image \"{image}\"",
                "CrashLoopBackOff" => $"back-off 5m0s restarting failed container={name} pod={pod.Meta("name")}",
                _ => reason,
            };
            var status = JsonAccess.Object(
                ("name", JsonAccess.Of(name)),
                ("image", JsonAccess.Of(image)),
                ("imageID", JsonAccess.Of("")),
                ("ready", JsonAccess.Of(false)),
                ("started", JsonAccess.Of(false)),
                ("restartCount", JsonAccess.Of(crash ? 5 : 0)),
                ("state", JsonAccess.Object(("waiting", JsonAccess.Object(("reason", JsonAccess.Of(reason)), ("message", JsonAccess.Of(message)))))));
            return crash
                ? status.Set("lastState", JsonAccess.Object(("terminated", JsonAccess.Object(
                    ("exitCode", JsonAccess.Of(1)), ("reason", JsonAccess.Of("Error")), ("finishedAt", JsonAccess.Of(scheduler.NowText))))))
                : status;
        }).ToList();
        return Base(pod, crash ? "Running" : "Pending", false, containers);
    }

    private Json Base(Json pod, string phase, bool ready, List<Json> containers)
    {
        var now = JsonAccess.Of(scheduler.NowText);
        var notReady = $"containers with unready status: [{string.Join(" ", containers.Select(c => c.Str("name")))}]";
        Json Condition(string type, bool status) =>
            JsonAccess.Object(
            [
                ("type", JsonAccess.Of(type)),
                ("status", JsonAccess.Of(status ? "True" : "False")),
                ("lastTransitionTime", now),
                .. status ? Array.Empty<(string, Json)>() : [("reason", JsonAccess.Of("ContainersNotReady")), ("message", JsonAccess.Of(notReady))],
            ]);
        var hash = SimIds.Hash(JsonAccess.Of(pod.Meta("uid") ?? ""));
        return JsonAccess.Object(
            ("phase", JsonAccess.Of(phase)),
            ("conditions", JsonAccess.Array([Condition("Initialized", true), Condition("Ready", ready), Condition("ContainersReady", ready), Condition("PodScheduled", true)])),
            ("containerStatuses", JsonAccess.Array(containers)),
            ("podIP", JsonAccess.Of($"10.128.{hash[0] % 250}.{(hash[1] % 250) + 2}")),
            ("startTime", JsonAccess.Of(pod.Meta("creationTimestamp") ?? scheduler.NowText)),
            ("qosClass", JsonAccess.Of("BestEffort")));
    }
}
