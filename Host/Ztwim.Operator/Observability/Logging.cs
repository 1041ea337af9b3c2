using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace Ztwim.Operator.Observability;

/// <summary>
/// Serilog for the operator: compact JSON lines when stdout is not a terminal (a pod's log), readable text on
/// a terminal. The level can be changed while running (the level switch); errors go to stdout too, as
/// Kubernetes collects both streams.
/// </summary>
public static class Logging
{
    public static Logger Create(LoggingLevelSwitch level, bool json) =>
        (json
            ? new LoggerConfiguration().WriteTo.Console(new CompactJsonFormatter())
            : new LoggerConfiguration().WriteTo.Console(
                outputTemplate: "{Timestamp:HH:mm:ss.fff} {Level:u3} {Message:lj}{NewLine}{Exception}"))
        .MinimumLevel.ControlledBy(level)
        .Enrich.WithProperty("logger", "ztwim-operator")
        .CreateLogger();

    /// <summary>Whether logs should be JSON lines: stdout goes to a file or a pipe, not a terminal.</summary>
    public static bool JsonByDefault => Console.IsOutputRedirected;

    public static LoggingLevelSwitch Switch(LogEventLevel level) => new(level);
}
