using Microsoft.FSharp.Collections;
using Ztwim.Adapters.Cluster;
using Ztwim.Kernel;
using Ztwim.Kernel.Api;

namespace Ztwim.Adapters.Sim;

/// <summary>
/// Validation of the operator's five CRs on every write, by the kernel's own rules (one source of truth):
/// the admission-time errors of <c>Crs.parse</c>, and on update the transition rules of
/// <c>Immutability.violations</c>. A rejection reads as the API server's 422:
/// <c>SpireServer.operator.openshift.io "cluster" is invalid: spec.persistence.size: Invalid value: "abc": ...</c>.
/// </summary>
internal static class Admission
{
    public static ApiError? Check(ResourceType type, Json? before, Json after)
    {
        if (type.ApiVersion != ResourceTypes.OperatorApiVersion)
        {
            return null;
        }

        var parsed = Crs.parse(after);
        FSharpList<FieldError> errors;
        if (parsed.IsError)
        {
            errors = FieldErrorModule.atAdmission(parsed.ErrorValue);
        }
        else if (before is not null && Crs.parse(before) is { IsOk: true } old)
        {
            errors = Immutability.violations(old.ResultValue, parsed.ResultValue);
        }
        else
        {
            errors = FSharpList<FieldError>.Empty;
        }

        if (errors.IsEmpty)
        {
            return null;
        }

        var rules = CrdSchemas.RuleMessages(type);
        var causes = errors.Select(e => Cause(e, rules)).ToList();
        var detail = causes.Count == 1 ? causes[0] : $"[{string.Join(", ", causes)}]";
        return ApiError.Invalid($"{SimIds.DescribeKind(type, after.Meta("name") ?? "")} is invalid: {detail}");
    }

    private const string OneOf = "must be one of: ";
    private const string Pattern = "must match the pattern ";

    // field.Invalid / field.Required / field.NotSupported as the API server prints them.
    private static string Cause(FieldError e, IReadOnlySet<string> ruleMessages)
    {
        // A CEL rule's failure names its field and says its message, without the value.
        if (ruleMessages.Contains(e.Message))
        {
            return $"{e.Path}: Invalid value: {e.Message}";
        }

        if (e.Value is null)
        {
            return e.Message.Contains("required", StringComparison.OrdinalIgnoreCase)
                ? $"{e.Path}: Required value: {e.Message}"
                : $"{e.Path}: Invalid value: \"object\": {e.Message}";
        }

        var shown = e.Value.Value switch
        {
            Json.Object => "\"object\"",
            Json.Array => "\"array\"",
            var v => v.Compact(),
        };

        // The kernel's words for the schema's enum and pattern checks, in the API server's.
        if (e.Message.StartsWith(OneOf, StringComparison.Ordinal))
        {
            var supported = e.Message[OneOf.Length..].Split(", ").Select(v => $"\"{v}\"");
            return $"{e.Path}: Unsupported value: {shown}: supported values: {string.Join(", ", supported)}";
        }

        if (e.Message.StartsWith(Pattern, StringComparison.Ordinal))
        {
            return $"{e.Path}: Invalid value: {shown}: {e.Path} in body should match '{e.Message[Pattern.Length..]}'";
        }

        return $"{e.Path}: Invalid value: {shown}: {e.Message}";
    }
}
