namespace Ztwim.Operator.Configuration;

/// <summary>
/// Go-style flags, as the upstream operator takes them: <c>--name=value</c>, <c>--name value</c>, and a bare
/// <c>--name</c> for a boolean flag (one dash works too). Unknown flags are errors.
/// </summary>
public sealed class CommandLine
{
    /// <summary>The flags the operator knows, and whether each is a boolean.</summary>
    public static readonly IReadOnlyDictionary<string, bool> Known = new Dictionary<string, bool>
    {
        ["kubeconfig"] = false,
        ["context"] = false,
        ["leader-elect"] = true,
        ["leader-election-namespace"] = false,
        ["v"] = false,
        ["metrics-bind-address"] = false,
        ["metrics-secure"] = true,
        ["metrics-cert-dir"] = false,
        ["health-probe-bind-address"] = false,
        ["help"] = true,
    };

    private readonly Dictionary<string, string> values;

    private CommandLine(Dictionary<string, string> values) => this.values = values;

    public string? this[string name] => values.TryGetValue(name, out var v) ? v : null;

    public bool Has(string name) => values.ContainsKey(name);

    /// <summary>The flags of the arguments, or the errors that make them unusable.</summary>
    public static (CommandLine? Flags, IReadOnlyList<string> Errors) Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>();
        var errors = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith('-') || arg == "-" || arg == "--")
            {
                errors.Add($"unexpected argument '{arg}': the operator takes flags only (--help lists them)");
                continue;
            }

            var text = arg.TrimStart('-');
            var eq = text.IndexOf('=');
            var name = eq < 0 ? text : text[..eq];
            if (!Known.TryGetValue(name, out var isBool))
            {
                errors.Add($"unknown flag --{name} (--help lists the flags)");
                continue;
            }

            if (eq >= 0)
            {
                values[name] = text[(eq + 1)..];
            }
            else if (isBool)
            {
                values[name] = "true";
            }
            else if (i + 1 < args.Count)
            {
                values[name] = args[++i];
            }
            else
            {
                errors.Add($"flag --{name} needs a value");
            }
        }

        return errors.Count == 0 ? (new CommandLine(values), errors) : (null, errors);
    }

    public const string Usage = """
        ztwim-operator: deploys SPIRE and keeps it running.

        Flags:
          --kubeconfig FILE                  kubeconfig to use (default $KUBECONFIG, else the pod's service account)
          --context NAME                     kubeconfig context (default: its current context)
          --leader-elect[=true|false]        leader election on a Lease (default true)
          --leader-election-namespace NS     namespace of the Lease (default OPERATOR_NAMESPACE)
          --v N                              log verbosity: 0-2 information, 3-4 debug, 5+ verbose (default 2, or LOG_LEVEL)
          --metrics-bind-address ADDR        metrics address, ":8443" by default, "0" turns metrics off (or METRICS_BIND_ADDRESS)
          --metrics-secure[=true|false]      serve metrics over HTTPS (or METRICS_SECURE; default true)
          --metrics-cert-dir DIR             tls.crt and tls.key for metrics (default: a self-signed certificate)
          --health-probe-bind-address ADDR   /healthz and /readyz address (default ":8081")

        Environment: OPERATOR_NAMESPACE (required), RELATED_IMAGE_*, CREATE_ONLY_MODE, HTTP_PROXY, HTTPS_PROXY, NO_PROXY,
        TRUSTED_CA_BUNDLE_CONFIGMAP, OPERATOR_CONDITION_NAME, METRICS_BIND_ADDRESS, METRICS_SECURE, LOG_LEVEL.
        """;
}
