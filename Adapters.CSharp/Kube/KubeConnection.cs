using k8s;

namespace Ztwim.Adapters.Kube;

/// <summary>
/// Where the API server is and how to authenticate to it, as KubernetesClient reads it: a kubeconfig file (its
/// current context, or the one named), or the pod's service account when running in a cluster. Plain-HTTP
/// servers (a kubeconfig whose server is http://...) work too.
/// </summary>
public static class KubeConnection
{
    /// <summary>
    /// The configuration to use: the kubeconfig given, else $KUBECONFIG, else the service account in a pod,
    /// else ~/.kube/config.
    /// </summary>
    public static KubernetesClientConfiguration Configuration(string? kubeconfig, string? context)
    {
        var path = !string.IsNullOrEmpty(kubeconfig) ? kubeconfig : Environment.GetEnvironmentVariable("KUBECONFIG");
        if (!string.IsNullOrEmpty(path))
        {
            // KUBECONFIG may list several files; the first is the one that counts here.
            var first = path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)[0];
            return KubernetesClientConfiguration.BuildConfigFromConfigFile(first, context);
        }

        return KubernetesClientConfiguration.IsInCluster()
            ? KubernetesClientConfiguration.InClusterConfig()
            : KubernetesClientConfiguration.BuildConfigFromConfigFile(KubernetesClientConfiguration.KubeConfigDefaultLocation, context);
    }

    /// <summary>
    /// The process's one client: KubernetesClient's HTTP stack (TLS, client certificates, token refresh)
    /// under the ztwim port. Its own time limit is off: the client sets one per request, and none on watches.
    /// </summary>
    public static KubeClusterClient Connect(KubernetesClientConfiguration config, KubeClientOptions? options = null)
    {
        config.HttpClientTimeout = Timeout.InfiniteTimeSpan;
        var kubernetes = new Kubernetes(config);
        var credentials = kubernetes.Credentials;
        return new KubeClusterClient(
            kubernetes.HttpClient,
            kubernetes.BaseUri,
            credentials is null ? null : credentials.ProcessHttpRequestAsync,
            options);
    }
}
