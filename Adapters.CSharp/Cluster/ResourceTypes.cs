namespace Ztwim.Adapters.Cluster;

/// <summary>
/// Every kind the operator reads or writes, and the ones the simulated cluster's own controllers use (pods,
/// nodes, claims, events, leases). Which of them exist on a given cluster is discovery's business.
/// </summary>
public static class ResourceTypes
{
    public const string OperatorApiVersion = "operator.openshift.io/v1alpha1";

    public static readonly ResourceType ZeroTrustWorkloadIdentityManager =
        new(OperatorApiVersion, "ZeroTrustWorkloadIdentityManager", "zerotrustworkloadidentitymanagers", false);
    public static readonly ResourceType SpireServer = new(OperatorApiVersion, "SpireServer", "spireservers", false);
    public static readonly ResourceType SpireAgent = new(OperatorApiVersion, "SpireAgent", "spireagents", false);
    public static readonly ResourceType SpiffeCSIDriver = new(OperatorApiVersion, "SpiffeCSIDriver", "spiffecsidrivers", false);
    public static readonly ResourceType SpireOIDCDiscoveryProvider =
        new(OperatorApiVersion, "SpireOIDCDiscoveryProvider", "spireoidcdiscoveryproviders", false);

    /// <summary>The five singleton CRs, in the documented order of creation.</summary>
    public static readonly IReadOnlyList<ResourceType> OperatorCrs =
        [ZeroTrustWorkloadIdentityManager, SpireServer, SpireAgent, SpiffeCSIDriver, SpireOIDCDiscoveryProvider];

    /// <summary>The kinds the operator creates (its operands), watched with the managed-by label.</summary>
    public static readonly IReadOnlyList<ResourceType> Owned =
    [
        new("v1", "ServiceAccount", "serviceaccounts", true),
        new("v1", "Service", "services", true),
        new("v1", "ConfigMap", "configmaps", true),
        new("v1", "Secret", "secrets", true),
        new("apps/v1", "StatefulSet", "statefulsets", true),
        new("apps/v1", "DaemonSet", "daemonsets", true),
        new("apps/v1", "Deployment", "deployments", true),
        new("rbac.authorization.k8s.io/v1", "Role", "roles", true),
        new("rbac.authorization.k8s.io/v1", "RoleBinding", "rolebindings", true),
        new("rbac.authorization.k8s.io/v1", "ClusterRole", "clusterroles", false),
        new("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "clusterrolebindings", false),
        new("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations", false),
        new("storage.k8s.io/v1", "CSIDriver", "csidrivers", false),
        new("spire.spiffe.io/v1alpha1", "ClusterSPIFFEID", "clusterspiffeids", false),
        new("spire.spiffe.io/v1alpha1", "ClusterFederatedTrustDomain", "clusterfederatedtrustdomains", false),
        new("route.openshift.io/v1", "Route", "routes", true),
        new("security.openshift.io/v1", "SecurityContextConstraints", "securitycontextconstraints", false),
        new("cert-manager.io/v1", "Issuer", "issuers", true),
        new("cert-manager.io/v1", "Certificate", "certificates", true),
    ];

    /// <summary>Kinds the cluster itself runs on; the operator reads none of them but the PVC rule needs claims.</summary>
    public static readonly IReadOnlyList<ResourceType> Infrastructure =
    [
        new("v1", "Pod", "pods", true),
        new("v1", "Node", "nodes", false),
        new("v1", "PersistentVolumeClaim", "persistentvolumeclaims", true),
        new("v1", "Event", "events", true),
        new("v1", "Namespace", "namespaces", false),
        new("coordination.k8s.io/v1", "Lease", "leases", true),
        new("operators.coreos.com/v2", "OperatorCondition", "operatorconditions", true),
    ];

    /// <summary>Every type above.</summary>
    public static readonly IReadOnlyList<ResourceType> All = [.. OperatorCrs, .. Owned, .. Infrastructure];

    private static readonly Dictionary<(string, string), ResourceType> ByKind =
        All.ToDictionary(t => (t.ApiVersion, t.Kind));

    /// <summary>The type of an apiVersion and kind, if it is one of ours.</summary>
    public static ResourceType? Find(string apiVersion, string kind) =>
        ByKind.TryGetValue((apiVersion, kind), out var t) ? t : null;

    /// <summary>The type of a group and plural (how REST paths name it), if it is one of ours.</summary>
    public static ResourceType? FindByPlural(string group, string plural) =>
        All.FirstOrDefault(t => t.Group == group && t.Plural == plural);
}
