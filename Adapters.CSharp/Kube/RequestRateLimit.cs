namespace Ztwim.Adapters.Kube;

/// <summary>
/// client-go's client-side throttle, a token bucket: bursts up to <c>burst</c> requests, then <c>qps</c> a second.
/// It keeps a runaway loop from flooding the API server; a converged operator never comes near it.
/// </summary>
public sealed class RequestRateLimit(double qps, int burst, TimeProvider clock)
{
    private readonly object gate = new();
    private double tokens = burst;
    private DateTimeOffset last = clock.GetUtcNow();

    /// <summary>Waits for a token (returns at once while the bucket holds one).</summary>
    public async Task WaitAsync(CancellationToken ct)
    {
        if (qps <= 0)
        {
            return;
        }

        while (true)
        {
            TimeSpan wait;
            lock (gate)
            {
                var now = clock.GetUtcNow();
                tokens = Math.Min(burst, tokens + ((now - last).TotalSeconds * qps));
                last = now;
                if (tokens >= 1)
                {
                    tokens -= 1;
                    return;
                }

                wait = TimeSpan.FromSeconds((1 - tokens) / qps);
            }

            await Task.Delay(wait, clock, ct);
        }
    }
}
