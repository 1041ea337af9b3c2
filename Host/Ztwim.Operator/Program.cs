using System.Runtime.InteropServices;
using Serilog;
using Ztwim.Adapters.Kube;
using Ztwim.Operator;
using Ztwim.Operator.Configuration;
using Ztwim.Operator.Observability;

var (flags, flagErrors) = CommandLine.Parse(args);
if (flags is null)
{
    foreach (var e in flagErrors)
    {
        Console.Error.WriteLine($"ztwim-operator: {e}");
    }

    return ExitCodes.BadConfiguration;
}

if (flags.Has("help"))
{
    Console.WriteLine(CommandLine.Usage);
    return ExitCodes.Stopped;
}

var env = Environment.GetEnvironmentVariables()
    .Cast<System.Collections.DictionaryEntry>()
    .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "");
var (settings, errors) = OperatorSettings.From(flags, env);
if (settings is null)
{
    foreach (var e in errors)
    {
        Console.Error.WriteLine($"ztwim-operator: {e}");
    }

    return ExitCodes.BadConfiguration;
}

using var log = Logging.Create(Logging.Switch(settings.LogLevel), Logging.JsonByDefault);
Log.Logger = log;
foreach (var w in settings.Warnings)
{
    log.Warning("{Warning}", w);
}

KubeClusterClient client;
try
{
    var config = KubeConnection.Configuration(settings.Kubeconfig, settings.Context);
    client = KubeConnection.Connect(config);
    log.Information("API server {Server}", config.Host);
}
catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or IOException or UnauthorizedAccessException or ArgumentException)
{
    log.Fatal("No usable kubeconfig or in-cluster configuration: {Reason}", e.Message);
    return ExitCodes.NoApiServer;
}

using var stop = new CancellationTokenSource();
void OnSignal(PosixSignalContext context)
{
    // The process stays up until the operator has stopped gracefully; a second signal cannot make it faster.
    context.Cancel = true;
    log.Information("Received {Signal}", context.Signal);
    stop.Cancel();
}

using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
try
{
    return await new OperatorProcess(settings, client, log).RunAsync(stop.Token);
}
catch (Exception e)
{
    log.Fatal(e, "The operator failed");
    return ExitCodes.Failed;
}
