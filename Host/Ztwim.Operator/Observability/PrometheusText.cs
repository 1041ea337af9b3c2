using System.Globalization;
using System.Text;

namespace Ztwim.Operator.Observability;

/// <summary>
/// Writes the Prometheus text exposition format (version 0.0.4): a HELP and a TYPE line per family, then its
/// samples, label values escaped, numbers in Go's float format (+Inf, NaN).
/// </summary>
public sealed class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder sb = new();

    /// <summary>Starts a family: its name, one-line help and type (counter, gauge, histogram).</summary>
    public PrometheusText Family(string name, string type, string help)
    {
        sb.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(help)).Append('\n');
        sb.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        return this;
    }

    /// <summary>One sample with its labels (name, value pairs, in the order given).</summary>
    public PrometheusText Sample(string name, double value, params (string Name, string Value)[] labels)
    {
        sb.Append(name);
        if (labels.Length > 0)
        {
            sb.Append('{');
            for (var i = 0; i < labels.Length; i++)
            {
                if (i > 0)
                {
                    sb.Append(',');
                }

                sb.Append(labels[i].Name).Append("=\"").Append(EscapeLabel(labels[i].Value)).Append('"');
            }

            sb.Append('}');
        }

        sb.Append(' ').Append(Number(value)).Append('\n');
        return this;
    }

    public override string ToString() => sb.ToString();

    public static string Number(double v) =>
        double.IsPositiveInfinity(v) ? "+Inf"
        : double.IsNegativeInfinity(v) ? "-Inf"
        : double.IsNaN(v) ? "NaN"
        : v.ToString("R", CultureInfo.InvariantCulture);

    public static string EscapeLabel(string s) => s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");

    private static string EscapeHelp(string s) => s.Replace("\\", "\\\\").Replace("\n", "\\n");
}
