using System.Net.Http.Headers;
using System.Text;
using Ztwim.Adapters.Cluster;
using Ztwim.Kernel;
using Ztwim.Kernel.Render;

namespace Ztwim.Adapters.Kube;

/// <summary>How the client talks to the API server: request and watch time limits, the identity it reports.</summary>
public sealed record KubeClientOptions
{
    /// <summary>How long a request other than a watch may take before it counts as a 504.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The server closes a watch after this long (timeoutSeconds); the informer opens the next one.</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A watch silent for this long (no event and no bookmark, which the server sends about once a minute) is a
    /// dead connection: it is closed so that the informer opens another.
    /// </summary>
    public TimeSpan WatchIdleLimit { get; init; } = TimeSpan.FromMinutes(6);

    /// <summary>The component of the Events it records and the User-Agent of its requests.</summary>
    public string Component { get; init; } = "ztwim";

    /// <summary>Requests a second after a burst (upstream's client: 50 a second, bursts of 100); 0 for no limit.</summary>
    public double Qps { get; init; } = 50;

    public int Burst { get; init; } = 100;
}

/// <summary>
/// The port to a real API server, over the REST surface every kind shares (the core group at <c>/api</c>, the
/// others at <c>/apis</c>): JSON in and out, server-side apply as <c>application/apply-patch+yaml</c> with a JSON
/// body, merge patch, watches with bookmarks. Failures are values: a Status becomes an <see cref="ApiError"/>,
/// a connection failure a 503, a timeout a 504. One instance per process; it is thread-safe.
/// </summary>
public sealed partial class KubeClusterClient : IClusterClient
{
    private static readonly ResourceType EventType = ResourceTypes.Find("v1", "Event")!;
    private readonly HttpClient http;
    private readonly string baseUri;
    private readonly Func<HttpRequestMessage, CancellationToken, Task> authorize;
    private readonly TimeProvider clock;
    private readonly RequestRateLimit limit;
    private long eventSequence;

    /// <param name="http">Sends the requests (TLS and client certificates already set up in its handler).</param>
    /// <param name="baseUri">The API server, e.g. https://10.0.0.1:6443 (a path prefix is kept).</param>
    /// <param name="authorize">Adds credentials to a request (a bearer token, say); null for none.</param>
    public KubeClusterClient(
        HttpClient http,
        Uri baseUri,
        Func<HttpRequestMessage, CancellationToken, Task>? authorize,
        KubeClientOptions? options = null,
        TimeProvider? clock = null)
    {
        this.http = http;
        this.baseUri = baseUri.ToString().TrimEnd('/');
        this.authorize = authorize ?? ((_, _) => Task.CompletedTask);
        this.clock = clock ?? TimeProvider.System;
        Options = options ?? new KubeClientOptions();
        limit = new RequestRateLimit(Options.Qps, Options.Burst, this.clock);
    }

    public KubeClientOptions Options { get; }

    public async Task<ApiResult<ObjectList>> ListAsync(ResourceType type, string? ns, string? labelSelector, CancellationToken ct)
    {
        var path = KubePaths.WithQuery(KubePaths.Collection(type, ns), ("labelSelector", labelSelector));
        var result = await SendAsync(HttpMethod.Get, path, null, null, ct);
        if (!result.IsOk)
        {
            return result.Cast<ObjectList>();
        }

        // List items carry no apiVersion and kind; the informers key their caches by both.
        var items = result.Value.Items("items")
            .Select(o => o.With(["apiVersion"], JsonAccess.Of(type.ApiVersion)).With(["kind"], JsonAccess.Of(type.Kind)))
            .ToList();
        return ApiResult<ObjectList>.Ok(new ObjectList(items, result.Value.Str("metadata", "resourceVersion") ?? ""));
    }

    public async Task<ApiResult<IWatch>> WatchAsync(
        ResourceType type, string? ns, string? labelSelector, string resourceVersion, CancellationToken ct)
    {
        var path = KubePaths.WithQuery(
            KubePaths.Collection(type, ns),
            ("watch", "true"),
            ("allowWatchBookmarks", "true"),
            ("timeoutSeconds", ((long)Options.WatchTimeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("resourceVersion", string.IsNullOrEmpty(resourceVersion) ? null : resourceVersion),
            ("labelSelector", labelSelector));
        HttpResponseMessage? response = null;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, baseUri + path);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            request.Headers.TryAddWithoutValidation("User-Agent", Options.Component);
            await authorize(request, ct);
            await limit.WaitAsync(ct);
            using var headers = CancellationTokenSource.CreateLinkedTokenSource(ct);
            headers.CancelAfter(Options.RequestTimeout);
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, headers.Token);
            if (!response.IsSuccessStatusCode)
            {
                var error = await ErrorOf(response, ct);
                response.Dispose();
                return error;
            }

            return ApiResult<IWatch>.Ok(new KubeWatch(response, Options.WatchIdleLimit, ct));
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            response?.Dispose();
            return ct.IsCancellationRequested ? KubeErrors.Cancelled : KubeErrors.FromTransport(e);
        }
    }

    public Task<ApiResult<Json>> GetAsync(ObjectRef r, CancellationToken ct) =>
        TypeOf(r) is { } t
            ? SendAsync(HttpMethod.Get, KubePaths.Item(t, r.NamespaceOf(), r.Name), null, null, ct)
            : Task.FromResult(UnknownType<Json>(r.ApiVersion, r.Kind));

    public Task<ApiResult<Json>> CreateAsync(Json obj, CancellationToken ct) =>
        TypeOf(obj) is { } t
            ? SendAsync(HttpMethod.Post, KubePaths.Collection(t, obj.Meta("namespace")), obj, "application/json", ct)
            : Task.FromResult(UnknownType<Json>(obj));

    public Task<ApiResult<Json>> UpdateAsync(Json obj, CancellationToken ct) =>
        TypeOf(obj) is { } t
            ? SendAsync(HttpMethod.Put, KubePaths.Item(t, obj.Meta("namespace"), obj.Meta("name") ?? ""), obj, "application/json", ct)
            : Task.FromResult(UnknownType<Json>(obj));

    public Task<ApiResult<Json>> MergePatchAsync(ObjectRef r, Json patch, CancellationToken ct) =>
        TypeOf(r) is { } t
            ? SendAsync(HttpMethod.Patch, KubePaths.Item(t, r.NamespaceOf(), r.Name), patch, "application/merge-patch+json", ct)
            : Task.FromResult(UnknownType<Json>(r.ApiVersion, r.Kind));

    public Task<ApiResult<Json>> ApplyAsync(Json obj, string fieldManager, bool force, CancellationToken ct) =>
        Apply(obj, fieldManager, force, null, ct);

    public Task<ApiResult<Json>> ApplyStatusAsync(Json obj, string fieldManager, bool force, CancellationToken ct) =>
        Apply(obj, fieldManager, force, "status", ct);

    public Task<ApiResult<bool>> DeleteAsync(ObjectRef r, CancellationToken ct) => DeleteWhenAsync(r, null, ct);

    public Task<ApiResult<bool>> DeleteAsync(ObjectRef r, DeletePreconditions preconditions, CancellationToken ct) =>
        DeleteWhenAsync(r, preconditions, ct);

    private async Task<ApiResult<bool>> DeleteWhenAsync(ObjectRef r, DeletePreconditions? preconditions, CancellationToken ct)
    {
        if (TypeOf(r) is not { } t)
        {
            return UnknownType<bool>(r.ApiVersion, r.Kind);
        }

        List<(string, Json)> required = [];
        if (preconditions?.Uid is { } uid)
        {
            required.Add(("uid", JsonAccess.Of(uid)));
        }

        if (preconditions?.ResourceVersion is { } rv)
        {
            required.Add(("resourceVersion", JsonAccess.Of(rv)));
        }

        var options = JsonAccess.Object(
            [
                ("apiVersion", JsonAccess.Of("v1")),
                ("kind", JsonAccess.Of("DeleteOptions")),
                ("propagationPolicy", JsonAccess.Of("Background")),
                .. required.Count > 0 ? [("preconditions", JsonAccess.Object([.. required]))] : Array.Empty<(string, Json)>(),
            ]);
        var result = await SendAsync(HttpMethod.Delete, KubePaths.Item(t, r.NamespaceOf(), r.Name), options, "application/json", ct);
        if (!result.IsOk)
        {
            return result.Cast<bool>();
        }

        // Gone at once: the server answers a Status (Success). Held by finalizers or a grace period: it answers the
        // object, now with a deletionTimestamp.
        var answer = result.Value;
        return ApiResult<bool>.Ok(answer.Str("kind") == "Status" || answer.Meta("deletionTimestamp") is null);
    }

    public async Task<ApiResult<bool>> RecordEventAsync(EventRecord e, CancellationToken ct)
    {
        var r = e.Regarding;

        // Events about a cluster-scoped object live in "default", as client-go's recorder puts them.
        var ns = r.NamespaceOf() ?? "default";
        var regarding = await GetAsync(r, ct);
        var now = clock.GetUtcNow();
        var stamp = (now.ToUnixTimeMilliseconds() * 1000) + (Interlocked.Increment(ref eventSequence) % 1000);
        var involved = JsonAccess.Object(
        [
            ("apiVersion", JsonAccess.Of(r.ApiVersion)),
            ("kind", JsonAccess.Of(r.Kind)),
            ("name", JsonAccess.Of(r.Name)),
            .. r.NamespaceOf() is { } n ? [("namespace", JsonAccess.Of(n))] : Array.Empty<(string, Json)>(),
            .. regarding.IsOk && regarding.Value.Meta("uid") is { } uid ? [("uid", JsonAccess.Of(uid))] : Array.Empty<(string, Json)>(),
            .. regarding.IsOk && regarding.Value.Meta("resourceVersion") is { } rv
                ? [("resourceVersion", JsonAccess.Of(rv))]
                : Array.Empty<(string, Json)>(),
        ]);
        var time = JsonAccess.Of(now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
        var ev = JsonAccess.Object(
            ("apiVersion", JsonAccess.Of("v1")),
            ("kind", JsonAccess.Of("Event")),
            ("metadata", JsonAccess.Object(
                ("name", JsonAccess.Of($"{r.Name}.{stamp:x}")),
                ("namespace", JsonAccess.Of(ns)))),
            ("involvedObject", involved),
            ("type", JsonAccess.Of(e.Type)),
            ("reason", JsonAccess.Of(e.Reason)),
            ("message", JsonAccess.Of(e.Message)),
            ("count", JsonAccess.Of(1)),
            ("firstTimestamp", time),
            ("lastTimestamp", time),
            ("source", JsonAccess.Object(("component", JsonAccess.Of(Options.Component)))),
            ("reportingComponent", JsonAccess.Of(Options.Component)));
        var created = await SendAsync(HttpMethod.Post, KubePaths.Collection(EventType, ns), ev, "application/json", ct);
        return created.IsOk ? ApiResult<bool>.Ok(true) : created.Cast<bool>();
    }

    private Task<ApiResult<Json>> Apply(Json obj, string fieldManager, bool force, string? subresource, CancellationToken ct)
    {
        if (TypeOf(obj) is not { } t)
        {
            return Task.FromResult(UnknownType<Json>(obj));
        }

        var path = KubePaths.WithQuery(
            KubePaths.Item(t, obj.Meta("namespace"), obj.Meta("name") ?? "", subresource),
            ("fieldManager", fieldManager),
            ("force", force ? "true" : null));

        // JSON is YAML: the apply content type takes the kernel's compact JSON as it is.
        return SendAsync(HttpMethod.Patch, path, obj, "application/apply-patch+yaml", ct);
    }

    /// <summary>Sends one request and reads its JSON answer, or the error.</summary>
    private async Task<ApiResult<Json>> SendAsync(HttpMethod method, string path, Json? body, string? contentType, CancellationToken ct)
    {
        try
        {
            using var request = new HttpRequestMessage(method, baseUri + path);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (body is not null)
            {
                request.Content = new StringContent(JsonText.compact(body), Encoding.UTF8);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType ?? "application/json");
            }

            request.Headers.TryAddWithoutValidation("User-Agent", Options.Component);
            await authorize(request, ct);
            await limit.WaitAsync(ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(Options.RequestTimeout);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                return await ErrorOf(response, ct);
            }

            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            if (text.Length == 0)
            {
                return ApiResult<Json>.Ok(Json.Null);
            }

            var parsed = JsonText.parse(text);
            return parsed.IsOk
                ? ApiResult<Json>.Ok(parsed.ResultValue)
                : new ApiError(500, "InternalError", $"the API server answered {method} {path} with no JSON: {parsed.ErrorValue}");
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            return ct.IsCancellationRequested ? KubeErrors.Cancelled : KubeErrors.FromTransport(e);
        }
    }

    private async Task<ApiError> ErrorOf(HttpResponseMessage response, CancellationToken ct)
    {
        string body;
        try
        {
            body = await response.Content.ReadAsStringAsync(ct);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            body = "";
        }

        return KubeErrors.FromResponse(response.StatusCode, body, KubeErrors.RetryAfter(response, clock.GetUtcNow()));
    }

    private static ResourceType? TypeOf(Json obj) => ResourceTypes.Find(obj.Str("apiVersion") ?? "", obj.Str("kind") ?? "");

    private static ResourceType? TypeOf(ObjectRef r) => ResourceTypes.Find(r.ApiVersion, r.Kind);

    private static ApiResult<T> UnknownType<T>(Json obj) => UnknownType<T>(obj.Str("apiVersion") ?? "", obj.Str("kind") ?? "");

    private static ApiResult<T> UnknownType<T>(string apiVersion, string kind) =>
        ApiError.BadRequest($"no resource type known for apiVersion {apiVersion} kind {kind}");
}
