using System.Globalization;
using System.Net;
using Ztwim.Adapters.Cluster;
using Ztwim.Kernel;

namespace Ztwim.Adapters.Kube;

/// <summary>
/// The API server's answers as <see cref="ApiError"/> values: a failed response's Status object (code, reason,
/// message, details.retryAfterSeconds) or, when the body is not one, the HTTP status alone; the Retry-After
/// header wins over the body. A connection that fails is a 503, a request that times out a 504: both transient.
/// </summary>
public static class KubeErrors
{
    /// <summary>The error of a non-success response with its body text.</summary>
    public static ApiError FromResponse(HttpStatusCode status, string body, TimeSpan? retryAfterHeader)
    {
        var code = (int)status;
        string? reason = null, message = null;
        TimeSpan? retryAfter = retryAfterHeader;
        if (JsonText.parse(body) is { IsOk: true } parsed && parsed.ResultValue is Json.Object
            && parsed.ResultValue.Str("kind") == "Status")
        {
            var s = parsed.ResultValue;
            reason = s.Str("reason");
            message = s.Str("message");
            if (retryAfter is null && s.Int("details", "retryAfterSeconds") is { } seconds && seconds > 0)
            {
                retryAfter = TimeSpan.FromSeconds(seconds);
            }
        }

        return FromStatus(code, reason, message ?? FirstLine(body), retryAfter);
    }

    /// <summary>The error a Status object in a watch stream (type ERROR) carries.</summary>
    public static ApiError FromStatusObject(Json status)
    {
        var code = (int)(status.Int("code") ?? 500);
        return FromStatus(code, status.Str("reason"), status.Str("message") ?? "", null);
    }

    /// <summary>The error of a request that never got an answer.</summary>
    public static ApiError FromTransport(Exception e) =>
        e switch
        {
            TimeoutException or TaskCanceledException => new ApiError(504, "Timeout", $"request timed out: {e.Message}"),
            _ => new ApiError(503, "ServiceUnavailable", $"cannot reach the API server: {e.GetBaseException().Message}"),
        };

    /// <summary>The error of a request the caller cancelled (the operator is stopping).</summary>
    public static readonly ApiError Cancelled = new(499, "Cancelled", "request cancelled: the operator is stopping");

    /// <summary>The Retry-After header: delta-seconds or an HTTP date.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - now;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        // A value HttpClient did not parse (fractional seconds, say).
        if (response.Headers.TryGetValues("Retry-After", out var raw)
            && double.TryParse(raw.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var secs) && secs >= 0)
        {
            return TimeSpan.FromSeconds(secs);
        }

        return null;
    }

    private static ApiError FromStatus(int code, string? reason, string message, TimeSpan? retryAfter) =>
        new(code, string.IsNullOrEmpty(reason) ? ReasonOf(code) : reason, message, retryAfter);

    /// <summary>The reason the API server gives a code when it sends no Status (metav1.StatusReason).</summary>
    public static string ReasonOf(int code) =>
        code switch
        {
            400 => "BadRequest",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "NotFound",
            405 => "MethodNotAllowed",
            406 => "NotAcceptable",
            409 => "Conflict",
            410 => "Expired",
            413 => "RequestEntityTooLarge",
            415 => "UnsupportedMediaType",
            422 => "Invalid",
            429 => "TooManyRequests",
            500 => "InternalError",
            503 => "ServiceUnavailable",
            504 => "Timeout",
            _ => "Unknown",
        };

    private static string FirstLine(string body)
    {
        var line = body.Split('\n', 2)[0].Trim();
        return line.Length > 300 ? line[..300] : line;
    }
}
