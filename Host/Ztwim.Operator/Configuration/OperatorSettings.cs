using System.Text.RegularExpressions;
using Microsoft.FSharp.Collections;
using Serilog.Events;
using Ztwim.Kernel.Render;

namespace Ztwim.Operator.Configuration;

/// <summary>
/// Everything the operator process is told at start-up, from its flags and environment as upstream reads
/// them, checked once: a malformed value is an error that names its variable, so a bad Deployment fails at
/// once and says why instead of running with a surprise.
/// </summary>
public sealed record OperatorSettings
{
    /// <summary>The operand images (upstream's RELATED_IMAGE_* names).</summary>
    public static readonly IReadOnlyList<string> ImageVariables =
    [
        "RELATED_IMAGE_SPIRE_SERVER", "RELATED_IMAGE_SPIRE_AGENT", "RELATED_IMAGE_SPIFFE_CSI_DRIVER",
        "RELATED_IMAGE_SPIRE_OIDC_DISCOVERY_PROVIDER", "RELATED_IMAGE_SPIRE_CONTROLLER_MANAGER",
        "RELATED_IMAGE_NODE_DRIVER_REGISTRAR", "RELATED_IMAGE_SPIFFE_CSI_INIT_CONTAINER",
    ];

    /// <summary>The environment variables that shape the kernel's Mode (upstream's names).</summary>
    public static readonly IReadOnlyList<string> ModeVariables =
    [
        "OPERATOR_NAMESPACE", "CREATE_ONLY_MODE", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "TRUSTED_CA_BUNDLE_CONFIGMAP",
        "CERT_MANAGER_ISSUER",
        .. ImageVariables,
    ];

    public required string Namespace { get; init; }

    /// <summary>The Mode variables as set (for <see cref="ModeFor"/>).</summary>
    public required IReadOnlyDictionary<string, string> ModeEnvironment { get; init; }

    public string? OperatorConditionName { get; init; }

    /// <summary>Where metrics are served; null when they are off.</summary>
    public BindAddress? MetricsAddress { get; init; }

    public bool MetricsSecure { get; init; } = true;

    public string? MetricsCertDir { get; init; }

    public BindAddress? HealthAddress { get; init; }

    public bool LeaderElect { get; init; } = true;

    public required string LeaseNamespace { get; init; }

    public LogEventLevel LogLevel { get; init; } = LogEventLevel.Information;

    public string? Kubeconfig { get; init; }

    public string? Context { get; init; }

    /// <summary>Things worth a warning at start-up that do not stop it.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The kernel's Mode on the platform discovery found, with or without the cert-manager.io API.</summary>
    public Mode ModeFor(Platform platform, bool certManager = false) =>
        ModeModule.withCertManager(
            certManager,
            ModeModule.ofEnvironment(platform, MapModule.OfSeq(ModeEnvironment.Select(kv => Tuple.Create(kv.Key, kv.Value)))));

    private static readonly Regex Dns1123Label = new("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", RegexOptions.CultureInvariant);

    private static readonly Regex Dns1123Subdomain =
        new(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", RegexOptions.CultureInvariant);

    // A registry host, path and tag or digest: no spaces, no scheme, nothing a container runtime would refuse outright.
    private static readonly Regex ImageReference = new(@"^[A-Za-z0-9][A-Za-z0-9._\-/:@+]*$", RegexOptions.CultureInvariant);

    /// <summary>The settings of these flags and environment, or every error found (each names its flag or variable).</summary>
    public static (OperatorSettings? Settings, IReadOnlyList<string> Errors) From(CommandLine flags, IReadOnlyDictionary<string, string> env)
    {
        var errors = new List<string>();
        var warnings = new List<string>();
        string? Env(string name) => env.TryGetValue(name, out var v) ? v : null;

        var ns = Env("OPERATOR_NAMESPACE")?.Trim();
        if (string.IsNullOrEmpty(ns))
        {
            errors.Add("OPERATOR_NAMESPACE is not set: it names the namespace the operator runs in and deploys SPIRE to");
        }
        else if (!IsLabel(ns))
        {
            errors.Add($"OPERATOR_NAMESPACE '{ns}' is not a namespace name (lower-case letters, digits and '-', at most 63)");
        }
        else if (ForbiddenNamespace(ns) is { } why)
        {
            errors.Add($"OPERATOR_NAMESPACE '{ns}': {why}");
        }

        if (Env("CREATE_ONLY_MODE") is { } createOnly && !IsBool(createOnly, allowEmpty: true))
        {
            errors.Add($"CREATE_ONLY_MODE '{createOnly}' is neither true nor false");
        }

        foreach (var name in new[] { "HTTP_PROXY", "HTTPS_PROXY" })
        {
            if (Env(name) is { Length: > 0 } proxy && !IsProxyUrl(proxy))
            {
                errors.Add($"{name} is not a proxy URL (http://HOST:PORT, https://HOST:PORT or HOST:PORT)");
            }
        }

        if (Env("NO_PROXY") is { Length: > 0 } noProxy && noProxy.Split(',').Any(e => e.Trim().Contains(' ')))
        {
            errors.Add("NO_PROXY is not a comma-separated list of hosts, domains and CIDRs");
        }

        if (Env("TRUSTED_CA_BUNDLE_CONFIGMAP") is { Length: > 0 } bundle && !IsSubdomain(bundle))
        {
            errors.Add($"TRUSTED_CA_BUNDLE_CONFIGMAP '{bundle}' is not a ConfigMap name");
        }

        if (Env("CERT_MANAGER_ISSUER") is { Length: > 0 } issuer && ModeModule.certManagerIssuer(issuer) is { IsError: true } bad)
        {
            errors.Add($"CERT_MANAGER_ISSUER '{issuer}' {bad.ErrorValue}");
        }

        if (Env("OPERATOR_CONDITION_NAME") is { Length: > 0 } condition && !IsSubdomain(condition))
        {
            errors.Add($"OPERATOR_CONDITION_NAME '{condition}' is not an OperatorCondition name");
        }

        foreach (var name in ImageVariables)
        {
            if (Env(name) is not { } image)
            {
                continue;
            }

            if (image.Length == 0)
            {
                warnings.Add($"{name} is set but empty: the operand's image is empty, as upstream");
            }
            else if (!ImageReference.IsMatch(image))
            {
                errors.Add($"{name} '{image}' is not an image reference");
            }
        }

        var metricsText = flags["metrics-bind-address"] ?? Env("METRICS_BIND_ADDRESS") ?? ":8443";
        var metricsSource = flags.Has("metrics-bind-address") ? "--metrics-bind-address" : "METRICS_BIND_ADDRESS";
        BindAddress? metrics = null;
        if (metricsText.Trim() != "0")
        {
            var (address, error) = BindAddress.Parse(metricsText.Trim());
            if (error is not null)
            {
                errors.Add($"{metricsSource} {error}");
            }

            metrics = address;
        }

        var secureText = flags["metrics-secure"] ?? Env("METRICS_SECURE");
        var secureSource = flags.Has("metrics-secure") ? "--metrics-secure" : "METRICS_SECURE";
        if (secureText is not null && !IsBool(secureText, allowEmpty: true))
        {
            errors.Add($"{secureSource} '{secureText}' is neither true nor false");
        }

        var healthText = flags["health-probe-bind-address"] ?? ":8081";
        BindAddress? health = null;
        if (healthText.Trim() != "0")
        {
            var (address, error) = BindAddress.Parse(healthText.Trim());
            if (error is not null)
            {
                errors.Add($"--health-probe-bind-address {error}");
            }

            health = address;
        }

        var leaderText = flags["leader-elect"] ?? "true";
        if (!IsBool(leaderText, allowEmpty: false))
        {
            errors.Add($"--leader-elect '{leaderText}' is neither true nor false");
        }

        var leaseNs = flags["leader-election-namespace"] ?? ns ?? "";
        if (flags.Has("leader-election-namespace") && !IsLabel(leaseNs))
        {
            errors.Add($"--leader-election-namespace '{leaseNs}' is not a namespace name");
        }

        var level = LogEventLevel.Information;
        if (flags["v"] is { } v)
        {
            if (!int.TryParse(v, out var n) || n < 0)
            {
                errors.Add($"--v '{v}' is not a verbosity (0 or more)");
            }
            else
            {
                level = Verbosity(n);
            }
        }
        else if (Env("LOG_LEVEL") is { Length: > 0 } logLevel)
        {
            if (int.TryParse(logLevel, out var n) && n >= 0)
            {
                level = Verbosity(n);
            }
            else if (Enum.TryParse<LogEventLevel>(logLevel, ignoreCase: true, out var named) && Enum.IsDefined(named))
            {
                level = named;
            }
            else
            {
                errors.Add($"LOG_LEVEL '{logLevel}' is not a verbosity (0 or more) or a level (Verbose, Debug, Information, Warning, Error)");
            }
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var modeEnv = ModeVariables.Where(env.ContainsKey).ToDictionary(n => n, n => env[n]);
        modeEnv["OPERATOR_NAMESPACE"] = ns!;
        return (new OperatorSettings
        {
            Namespace = ns!,
            ModeEnvironment = modeEnv,
            OperatorConditionName = Env("OPERATOR_CONDITION_NAME") is { Length: > 0 } c ? c : null,
            MetricsAddress = metrics,
            MetricsSecure = secureText is null || secureText.Trim().Length == 0 || IsTrue(secureText),
            MetricsCertDir = flags["metrics-cert-dir"],
            HealthAddress = health,
            LeaderElect = IsTrue(leaderText),
            LeaseNamespace = leaseNs,
            LogLevel = level,
            Kubeconfig = flags["kubeconfig"],
            Context = flags["context"],
            Warnings = warnings,
        }, errors);
    }

    /// <summary>Why the operator refuses a namespace, or null: the product is never installed in these.</summary>
    public static string? ForbiddenNamespace(string ns) =>
        ns == "default" ? "the operator does not run in the default namespace; use a namespace of its own"
        : ns.StartsWith("openshift-", StringComparison.Ordinal) || ns == "openshift"
            ? "the operator does not run in openshift-* namespaces, which belong to the platform; use a namespace of its own"
        : null;

    /// <summary>klog's -v as a Serilog level: 0-2 information (one line per reconcile), 3-4 debug, 5 and up verbose.</summary>
    public static LogEventLevel Verbosity(int v) =>
        v switch
        {
            <= 2 => LogEventLevel.Information,
            <= 4 => LogEventLevel.Debug,
            _ => LogEventLevel.Verbose,
        };

    private static bool IsLabel(string s) => s.Length <= 63 && Dns1123Label.IsMatch(s);

    private static bool IsSubdomain(string s) => s.Length <= 253 && Dns1123Subdomain.IsMatch(s);

    private static bool IsTrue(string s) => s.Trim().Equals("true", StringComparison.OrdinalIgnoreCase);

    private static bool IsBool(string s, bool allowEmpty) =>
        (allowEmpty && s.Trim().Length == 0) || IsTrue(s) || s.Trim().Equals("false", StringComparison.OrdinalIgnoreCase);

    private static bool IsProxyUrl(string s)
    {
        var text = s.Contains("://", StringComparison.Ordinal) ? s : "http://" + s;
        return Uri.TryCreate(text, UriKind.Absolute, out var uri)
            && uri.Scheme is "http" or "https" or "socks5"
            && uri.Host.Length > 0
            && !s.Any(char.IsWhiteSpace);
    }
}
