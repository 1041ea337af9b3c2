using Ztwim.Kernel;

namespace Ztwim.Adapters.Sim;

/// <summary>RFC 7386 JSON merge patch: objects merge member by member, null removes, anything else replaces.</summary>
public static class MergePatch
{
    public static Json Apply(Json? target, Json patch)
    {
        if (patch is not Json.Object p)
        {
            return patch;
        }

        var result = target is Json.Object ? target : Ztwim.Adapters.Cluster.JsonAccess.EmptyObject;
        foreach (var (name, value) in p.Item)
        {
            result = value.IsNull ? result.Set(name, null) : result.Set(name, Apply(result.Get(name), value));
        }

        return result;
    }
}
