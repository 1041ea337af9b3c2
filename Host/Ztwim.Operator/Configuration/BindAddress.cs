using System.Globalization;
using System.Net;

namespace Ztwim.Operator.Configuration;

/// <summary>An address to listen on, as Go writes it: ":8080" (every interface), "127.0.0.1:8080", "[::1]:8080".</summary>
public sealed record BindAddress(IPAddress? Host, int Port)
{
    /// <summary>The address of a text, or null with the reason it is not one. "0" (off) is the caller's business.</summary>
    public static (BindAddress? Address, string? Error) Parse(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            return (null, $"'{text}' is not HOST:PORT or :PORT");
        }

        var hostText = text[..colon].Trim('[', ']');
        var portText = text[(colon + 1)..];
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 0 or > 65535)
        {
            return (null, $"'{text}' has no port between 0 and 65535");
        }

        if (hostText.Length == 0)
        {
            return (new BindAddress(null, port), null);
        }

        if (hostText == "localhost")
        {
            return (new BindAddress(IPAddress.Loopback, port), null);
        }

        return IPAddress.TryParse(hostText, out var ip)
            ? (new BindAddress(ip, port), null)
            : (null, $"'{text}' names no IP address (use an address, localhost, or :PORT)");
    }

    public override string ToString() =>
        Host is null ? $":{Port}" : Host.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
