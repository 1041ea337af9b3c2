namespace Ztwim.Adapters.Cluster;

/// <summary>
/// A failed API request as the API server reports it in a Status object: the HTTP code, the reason
/// (NotFound, AlreadyExists, Conflict, Gone, Invalid, TooManyRequests, InternalError, ServiceUnavailable,
/// Timeout), the message, and for 429 the Retry-After the server asks for.
/// </summary>
public sealed record ApiError(int Code, string Reason, string Message, TimeSpan? RetryAfter = null)
{
    public static ApiError NotFound(string what) => new(404, "NotFound", $"{what} not found");
    public static ApiError AlreadyExists(string what) => new(409, "AlreadyExists", $"{what} already exists");

    public static ApiError Conflict(string what) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {what}: the object has been modified; please apply your changes to the latest version and try again");

    public static ApiError Gone(string message) => new(410, "Expired", message);
    public static ApiError Invalid(string message) => new(422, "Invalid", message);
    public static ApiError BadRequest(string message) => new(400, "BadRequest", message);

    /// <summary>Whether retrying later, unchanged, may succeed (server errors, throttling, timeouts).</summary>
    public bool IsTransient => Code is 429 or 500 or 502 or 503 or 504;

    /// <summary>What an operator treats as "look again": the object moved under it, not a failure.</summary>
    public bool IsRace => Code is 404 or 409;

    public override string ToString() => $"{Code} {Reason}: {Message}";
}
