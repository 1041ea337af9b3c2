using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Ztwim.Operator.Configuration;
using Ztwim.Operator.Observability;

namespace Ztwim.Operator.Serving;

/// <summary>
/// The operator's HTTP endpoints on two listeners, as controller-runtime serves them: <c>/healthz</c> and
/// <c>/readyz</c> on the probe address, <c>/metrics</c> on the metrics address (HTTPS when metrics are secure,
/// with the certificate in the cert dir or a self-signed one, and only for scrapers the API server says may
/// <c>get /metrics</c>). Stopping the process is the operator's
/// business, not the web host's: it does not listen for signals itself.
/// </summary>
public static class ProbeServer
{
    /// <param name="authorizer">Checks scrapers of secure metrics (TokenReview, SubjectAccessReview); null for none.</param>
    public static WebApplication Build(
        OperatorSettings settings, OperatorState state, OperatorMetrics metrics, MetricsAuthorizer? authorizer = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, ManualLifetime>();
        builder.WebHost.ConfigureKestrel(k =>
        {
            if (settings.HealthAddress is { } health)
            {
                Listen(k, health, null);
            }

            if (settings.MetricsAddress is { } m && m.Port != settings.HealthAddress?.Port)
            {
                Listen(k, m, settings.MetricsSecure ? Certificate(settings.MetricsCertDir) : null);
            }
        });
        var app = builder.Build();
        var healthPort = settings.HealthAddress?.Port;
        var metricsPort = settings.MetricsAddress?.Port;
        app.Use(async (context, next) =>
        {
            var port = context.Connection.LocalPort;
            var path = context.Request.Path.Value;
            var allowed = path switch
            {
                "/healthz" or "/readyz" => port == healthPort,
                "/metrics" => port == metricsPort,
                _ => false,
            };
            if (!allowed)
            {
                context.Response.StatusCode = 404;
                return;
            }

            await next(context);
        });
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", () => state.Ready
            ? Results.Text($"ok: {state.Describe()}\n")
            : Results.Text($"not ready: {state.Describe()}\n", statusCode: 503));
        app.MapGet("/metrics", async (HttpContext context) =>
        {
            if (settings.MetricsSecure && authorizer is not null)
            {
                var access = await authorizer.CheckAsync(context.Request.Headers.Authorization.FirstOrDefault(), context.RequestAborted);
                if (access != MetricsAccess.Allowed)
                {
                    return Results.Text(
                        access == MetricsAccess.Unauthenticated ? "Unauthorized\n" : "Forbidden\n",
                        statusCode: access == MetricsAccess.Unauthenticated ? 401 : 403);
                }
            }

            return Results.Text(metrics.Render(), PrometheusText.ContentType);
        });
        return app;
    }

    private static void Listen(Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions k, BindAddress a, X509Certificate2? tls)
    {
        void Configure(Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions o)
        {
            // HTTP/2 stays off, as upstream turns it off (HTTP/2 rapid reset); scrapers and probes speak HTTP/1.1.
            o.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1;
            if (tls is not null)
            {
                o.UseHttps(tls);
            }
        }

        if (a.Host is null)
        {
            k.ListenAnyIP(a.Port, Configure);
        }
        else
        {
            k.Listen(a.Host, a.Port, Configure);
        }
    }

    /// <summary>The metrics certificate: tls.crt and tls.key in the directory, else a self-signed one.</summary>
    public static X509Certificate2 Certificate(string? dir)
    {
        if (dir is not null && File.Exists(Path.Combine(dir, "tls.crt")) && File.Exists(Path.Combine(dir, "tls.key")))
        {
            return X509Certificate2.CreateFromPemFile(Path.Combine(dir, "tls.crt"), Path.Combine(dir, "tls.key"));
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=ztwim-operator-metrics", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        var now = DateTimeOffset.UtcNow;
        using var cert = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(1));

        // Kestrel needs the key in a form it can use on every platform: round-trip through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    }

    private sealed class ManualLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
