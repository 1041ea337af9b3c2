using Ztwim.Adapters.Cluster;
using Ztwim.Kernel;

namespace Ztwim.Adapters.Sim;

/// <summary>
/// The defaults the API server fills into built-in kinds that an operator meets (workload, pod template,
/// container, port, probe, volume and Service defaults), so that an operator comparing desired with observed
/// sees the same extra fields it sees on a real cluster. Only absent members are filled.
/// </summary>
internal static class BuiltinDefaults
{
    public static Json Apply(ResourceType type, Json obj)
    {
        var spec = obj.Get("spec");
        if (spec is null)
        {
            return obj;
        }

        return (type.Group, type.Kind) switch
        {
            ("apps", "Deployment") => obj.Set("spec", Template(Fill(spec,
                ("replicas", JsonAccess.Of(1)),
                ("revisionHistoryLimit", JsonAccess.Of(10)),
                ("progressDeadlineSeconds", JsonAccess.Of(600)),
                ("strategy", JsonAccess.Object(
                    ("type", JsonAccess.Of("RollingUpdate")),
                    ("rollingUpdate", JsonAccess.Object(("maxSurge", JsonAccess.Of("25%")), ("maxUnavailable", JsonAccess.Of("25%"))))))))),
            ("apps", "StatefulSet") => obj.Set("spec", Template(Fill(spec,
                ("replicas", JsonAccess.Of(1)),
                ("revisionHistoryLimit", JsonAccess.Of(10)),
                ("podManagementPolicy", JsonAccess.Of("OrderedReady")),
                ("persistentVolumeClaimRetentionPolicy", JsonAccess.Object(
                    ("whenDeleted", JsonAccess.Of("Retain")), ("whenScaled", JsonAccess.Of("Retain")))),
                ("updateStrategy", JsonAccess.Object(
                    ("type", JsonAccess.Of("RollingUpdate")),
                    ("rollingUpdate", JsonAccess.Object(("partition", JsonAccess.Of(0))))))))),
            ("apps", "DaemonSet") => obj.Set("spec", Template(Fill(spec,
                ("revisionHistoryLimit", JsonAccess.Of(10)),
                ("updateStrategy", JsonAccess.Object(
                    ("type", JsonAccess.Of("RollingUpdate")),
                    ("rollingUpdate", JsonAccess.Object(("maxSurge", JsonAccess.Of(0)), ("maxUnavailable", JsonAccess.Of(1))))))))),
            ("", "Pod") => obj.Set("spec", PodSpec(spec)),
            ("", "Service") => obj.Set("spec", Service(obj, spec)),
            ("", "PersistentVolumeClaim") => obj.Set("spec", Fill(spec, ("volumeMode", JsonAccess.Of("Filesystem")))),
            _ => obj,
        };
    }

    /// <summary>The status a kind starts with when created (a pod is Pending until a kubelet runs it).</summary>
    public static Json? InitialStatus(ResourceType type) =>
        (type.Group, type.Kind) switch
        {
            ("", "Pod") => JsonAccess.Object(("phase", JsonAccess.Of("Pending")), ("qosClass", JsonAccess.Of("BestEffort"))),
            ("", "PersistentVolumeClaim") => JsonAccess.Object(("phase", JsonAccess.Of("Pending"))),
            _ => null,
        };

    private static Json Template(Json spec) =>
        spec.Get("template") is { } template && template.Get("spec") is { } podSpec
            ? spec.Set("template", template.Set("spec", PodSpec(podSpec)))
            : spec;

    private static Json PodSpec(Json spec)
    {
        spec = Fill(spec,
            ("restartPolicy", JsonAccess.Of("Always")),
            ("dnsPolicy", JsonAccess.Of("ClusterFirst")),
            ("schedulerName", JsonAccess.Of("default-scheduler")),
            ("securityContext", JsonAccess.EmptyObject),
            ("terminationGracePeriodSeconds", JsonAccess.Of(30)));
        foreach (var list in new[] { "containers", "initContainers" })
        {
            if (spec.Get(list) is Json.Array a)
            {
                spec = spec.Set(list, JsonAccess.Array(a.Item.Select(Container)));
            }
        }

        if (spec.Get("volumes") is Json.Array volumes)
        {
            spec = spec.Set("volumes", JsonAccess.Array(volumes.Item.Select(Volume)));
        }

        return spec;
    }

    private static Json Container(Json c)
    {
        var image = c.Str("image") ?? "";
        var tagged = image.Contains('@') || (image.LastIndexOf(':') > image.LastIndexOf('/') && !image.EndsWith(":latest", StringComparison.Ordinal));
        c = Fill(c,
            ("terminationMessagePath", JsonAccess.Of("/dev/termination-log")),
            ("terminationMessagePolicy", JsonAccess.Of("File")),
            ("imagePullPolicy", JsonAccess.Of(tagged ? "IfNotPresent" : "Always")));
        if (c.Get("ports") is Json.Array ports)
        {
            c = c.Set("ports", JsonAccess.Array(ports.Item.Select(p => Fill(p, ("protocol", JsonAccess.Of("TCP"))))));
        }

        foreach (var probe in new[] { "livenessProbe", "readinessProbe", "startupProbe" })
        {
            if (c.Get(probe) is { } p)
            {
                p = Fill(p,
                    ("timeoutSeconds", JsonAccess.Of(1)),
                    ("periodSeconds", JsonAccess.Of(10)),
                    ("successThreshold", JsonAccess.Of(1)),
                    ("failureThreshold", JsonAccess.Of(3)));
                if (p.Get("httpGet") is { } http)
                {
                    p = p.Set("httpGet", Fill(http, ("scheme", JsonAccess.Of("HTTP"))));
                }

                c = c.Set(probe, p);
            }
        }

        return c;
    }

    private static Json Volume(Json v)
    {
        foreach (var source in new[] { "configMap", "secret" })
        {
            if (v.Get(source) is { } s)
            {
                v = v.Set(source, Fill(s, ("defaultMode", JsonAccess.Of(420))));
            }
        }

        return v;
    }

    private static Json Service(Json obj, Json spec)
    {
        var type = spec.Str("type") ?? "ClusterIP";
        spec = Fill(spec, ("type", JsonAccess.Of(type)), ("sessionAffinity", JsonAccess.Of("None")));
        if (type != "ExternalName")
        {
            // A stable address per Service, so that a Service re-created with the same name gets it back.
            var hash = SimIds.Hash(JsonAccess.Of($"{obj.Meta("namespace")}/{obj.Meta("name")}"));
            var ip = spec.Str("clusterIP") ?? $"10.96.{hash[0] % 250}.{(hash[1] % 250) + 2}";
            spec = Fill(spec,
                ("clusterIP", JsonAccess.Of(ip)),
                ("clusterIPs", JsonAccess.Array([JsonAccess.Of(ip)])),
                ("ipFamilies", JsonAccess.Array([JsonAccess.Of("IPv4")])),
                ("ipFamilyPolicy", JsonAccess.Of("SingleStack")),
                ("internalTrafficPolicy", JsonAccess.Of("Cluster")));
        }

        if (spec.Get("ports") is Json.Array ports)
        {
            spec = spec.Set("ports", JsonAccess.Array(ports.Item.Select(p =>
                Fill(p, ("protocol", JsonAccess.Of("TCP")), ("targetPort", p.Get("port") ?? JsonAccess.Of(0))))));
        }

        return spec;
    }

    private static Json Fill(Json obj, params (string Name, Json Value)[] defaults)
    {
        foreach (var (name, value) in defaults)
        {
            if (obj.Get(name) is null)
            {
                obj = obj.Set(name, value);
            }
        }

        return obj;
    }
}
