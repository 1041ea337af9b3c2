namespace Ztwim.Adapters.Cluster;

/// <summary>One kind the API serves: its apiVersion, kind, plural (the REST path segment) and scope.</summary>
public sealed record ResourceType(string ApiVersion, string Kind, string Plural, bool Namespaced)
{
    /// <summary>The API group ("" for the core group).</summary>
    public string Group => ApiVersion.Contains('/') ? ApiVersion[..ApiVersion.IndexOf('/')] : "";

    /// <summary>The version within the group.</summary>
    public string Version => ApiVersion.Contains('/') ? ApiVersion[(ApiVersion.IndexOf('/') + 1)..] : ApiVersion;

    public override string ToString() => $"{ApiVersion} {Kind}";
}
