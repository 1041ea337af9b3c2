using Ztwim.Adapters.Cluster;
using Ztwim.Kernel;
using Ztwim.Kernel.Render;

namespace Ztwim.Adapters.Sim;

/// <summary>
/// The request handlers of the simulated API server, shared by every client and by the simulated
/// controllers: lookups, create, update, merge patch, server-side apply, delete. Each write goes through
/// <see cref="Commit"/>: defaults, generation, admission, managedFields, and no write at all when nothing changed.
/// </summary>
internal sealed class ApiServer
{
    private readonly ObjectStore store;
    private readonly WatchHub hub;
    private readonly Scheduler scheduler;
    private readonly Dictionary<(string, string), ResourceType> served = [];
    private long generatedNames;

    public ApiServer(ObjectStore store, WatchHub hub, Scheduler scheduler, IEnumerable<ResourceType> servedTypes)
    {
        this.store = store;
        this.hub = hub;
        this.scheduler = scheduler;
        foreach (var t in servedTypes)
        {
            served[(t.ApiVersion, t.Kind)] = t;
        }
    }

    public bool Serves(ResourceType type) => served.ContainsKey((type.ApiVersion, type.Kind));

    public ApiResult<ResourceType> Resolve(string? apiVersion, string? kind) =>
        served.TryGetValue((apiVersion ?? "", kind ?? ""), out var t)
            ? ApiResult<ResourceType>.Ok(t)
            : new ApiError(404, "NotFound", "the server could not find the requested resource");

    public ApiResult<Json> Get(ObjectRef r)
    {
        var type = Resolve(r.ApiVersion, r.Kind);
        if (!type.IsOk)
        {
            return type.Cast<Json>();
        }

        return store.Get(type.Value, r.NamespaceOf(), r.Name) is { } obj
            ? ApiResult<Json>.Ok(obj)
            : ApiError.NotFound(SimIds.Describe(type.Value, r.Name));
    }

    public ApiResult<ObjectList> List(ResourceType type, string? ns, string? labelSelector)
    {
        if (!Serves(type))
        {
            return Resolve(type.ApiVersion, type.Kind).Cast<ObjectList>();
        }

        var selector = LabelSelector.Parse(labelSelector);
        if (!selector.IsOk)
        {
            return selector.Cast<ObjectList>();
        }

        var items = store.List(type, ns).Where(o => selector.Value.Matches(o)).ToList();
        return ApiResult<ObjectList>.Ok(new ObjectList(items, Rv(store.ResourceVersion)));
    }

    public ApiResult<IWatch> Watch(ResourceType type, string? ns, string? labelSelector, string resourceVersion)
    {
        if (!Serves(type))
        {
            return Resolve(type.ApiVersion, type.Kind).Cast<IWatch>();
        }

        var selector = LabelSelector.Parse(labelSelector);
        return selector.IsOk ? hub.Watch(type, ns, selector.Value, resourceVersion) : selector.Cast<IWatch>();
    }

    public ApiResult<Json> Create(Json obj, string manager)
    {
        var type = Resolve(obj.Str("apiVersion"), obj.Str("kind"));
        if (!type.IsOk)
        {
            return type.Cast<Json>();
        }

        var body = Normalize(type.Value, obj);
        var part = ObjectScope.Part(body, type.Value, false);
        return CreateFrom(type.Value, body, part, new ManagedEntry(manager, ManagedEntry.Update, null, type.Value.ApiVersion, scheduler.NowText, FieldSet.OfObject(part, Shape.For(type.Value))));
    }

    /// <summary>PUT of the whole object, or of its status (<paramref name="status"/>).</summary>
    public ApiResult<Json> Update(Json obj, string manager, bool status)
    {
        var found = Current(obj);
        if (!found.IsOk)
        {
            return found.Cast<Json>();
        }

        var (type, current) = found.Value;
        var rv = obj.Meta("resourceVersion");
        if (!string.IsNullOrEmpty(rv) && rv != current.Meta("resourceVersion"))
        {
            return ApiError.Conflict(SimIds.Describe(type, current.Meta("name") ?? ""));
        }

        return UpdateFrom(type, current, Normalize(type, obj), manager, status);
    }

    public ApiResult<Json> Patch(ObjectRef r, Json patch, string manager, bool status)
    {
        var current = Get(r);
        if (!current.IsOk)
        {
            return current;
        }

        var type = Resolve(r.ApiVersion, r.Kind).Value;
        var rv = patch.Str("metadata", "resourceVersion");
        if (!string.IsNullOrEmpty(rv) && rv != current.Value.Meta("resourceVersion"))
        {
            return ApiError.Conflict(SimIds.Describe(type, r.Name));
        }

        return UpdateFrom(type, current.Value, Normalize(type, MergePatch.Apply(current.Value, patch)), manager, status);
    }

    public ApiResult<Json> Apply(Json obj, string manager, bool force, bool status)
    {
        var type = Resolve(obj.Str("apiVersion"), obj.Str("kind"));
        if (!type.IsOk)
        {
            return type.Cast<Json>();
        }

        var t = type.Value;
        var body = Normalize(t, obj);
        var name = body.Meta("name") ?? "";
        if (name == "")
        {
            return ApiError.BadRequest("metadata.name: Required value: name is required for server-side apply");
        }

        var current = store.Get(t, body.Meta("namespace"), name);
        var rv = body.Meta("resourceVersion");
        if (!string.IsNullOrEmpty(rv) && rv != current?.Meta("resourceVersion"))
        {
            return ApiError.Conflict(SimIds.Describe(t, name));
        }

        var shape = Shape.For(t);
        var applied = ObjectScope.Part(body, t, status);
        if (current is null)
        {
            return status
                ? ApiError.NotFound(SimIds.Describe(t, name))
                : CreateFrom(t, body, applied, new ManagedEntry(manager, ManagedEntry.Apply, null, t.ApiVersion, scheduler.NowText, FieldSet.OfObject(applied, shape)));
        }

        var outcome = ServerSideApply.Apply(
            ObjectScope.Part(current, t, status), applied, ManagedFields.Read(current), shape, manager, force,
            status ? "status" : null, t.ApiVersion, scheduler.NowText);
        return outcome.IsOk
            ? Commit(t, current, ObjectScope.Compose(current, outcome.Value.Part, t, status), outcome.Value.Entries, status)
            : outcome.Cast<Json>();
    }

    /// <summary>DELETE with background propagation: true when the object is gone, false while finalizers hold it.</summary>
    public ApiResult<bool> Delete(ObjectRef r, DeletePreconditions? preconditions = null)
    {
        var current = Get(r);
        if (!current.IsOk)
        {
            return current.Cast<bool>();
        }

        if (preconditions is { } p
            && ((p.Uid is { } uid && uid != current.Value.Meta("uid"))
                || (p.ResourceVersion is { } rv && rv != current.Value.Meta("resourceVersion"))))
        {
            return ApiError.Conflict(SimIds.Describe(Resolve(r.ApiVersion, r.Kind).Value, r.Name));
        }

        var type = Resolve(r.ApiVersion, r.Kind).Value;
        var obj = current.Value;
        if (obj.Meta("deletionTimestamp") is not null)
        {
            return ApiResult<bool>.Ok(false);
        }

        if (obj.Items("metadata", "finalizers").Count > 0)
        {
            var marked = obj
                .SetMeta("deletionTimestamp", JsonAccess.Of(scheduler.NowText))
                .SetMeta("deletionGracePeriodSeconds", JsonAccess.Of(0));
            if (obj.Int("metadata", "generation") is { } generation)
            {
                marked = marked.SetMeta("generation", JsonAccess.Of(generation + 1));
            }

            store.Put(type, marked);
            return ApiResult<bool>.Ok(false);
        }

        store.Remove(type, obj);
        return ApiResult<bool>.Ok(true);
    }

    private ApiResult<(ResourceType, Json)> Current(Json obj)
    {
        var type = Resolve(obj.Str("apiVersion"), obj.Str("kind"));
        if (!type.IsOk)
        {
            return type.Cast<(ResourceType, Json)>();
        }

        var name = obj.Meta("name") ?? "";
        return store.Get(type.Value, obj.Meta("namespace"), name) is { } current
            ? ApiResult<(ResourceType, Json)>.Ok((type.Value, current))
            : ApiError.NotFound(SimIds.Describe(type.Value, name));
    }

    // What the server reads from a request body: nulls dropped, unknown CR fields pruned, the namespace
    // defaulted for namespaced kinds and dropped for cluster-scoped ones.
    private static Json Normalize(ResourceType type, Json obj)
    {
        var body = ObjectScope.WithoutNulls(obj);
        if (CrdSchemas.Find(type) is { } schema)
        {
            body = CrdSchemas.Prune(schema, body);
        }

        return type.Namespaced
            ? body.SetMeta("namespace", JsonAccess.Of(string.IsNullOrEmpty(body.Meta("namespace")) ? "default" : body.Meta("namespace")!))
            : body.SetMeta("namespace", null);
    }

    private ApiResult<Json> CreateFrom(ResourceType type, Json body, Json part, ManagedEntry entry)
    {
        var name = body.Meta("name") ?? "";
        if (name == "")
        {
            if (string.IsNullOrEmpty(body.Meta("generateName")))
            {
                return ApiError.Invalid($"{type.Kind} \"\" is invalid: metadata.name: Required value: name or generateName is required");
            }

            name = body.Meta("generateName") + SimIds.Suffix(++generatedNames);
        }

        if (store.Get(type, body.Meta("namespace"), name) is not null)
        {
            return ApiError.AlreadyExists(SimIds.Describe(type, name));
        }

        var skeleton = JsonAccess.Object(
            ("apiVersion", JsonAccess.Of(type.ApiVersion)),
            ("kind", JsonAccess.Of(type.Kind)),
            ("metadata", JsonAccess.Object(
            [
                ("name", JsonAccess.Of(name)),
                .. type.Namespaced ? [("namespace", JsonAccess.Of(body.Meta("namespace")!))] : Array.Empty<(string, Json)>(),
                ("uid", JsonAccess.Of(store.NewUid())),
                ("creationTimestamp", JsonAccess.Of(scheduler.NowText)),
                .. ObjectScope.HasGeneration(type) ? [("generation", JsonAccess.Of(1))] : Array.Empty<(string, Json)>(),
            ])));
        if (BuiltinDefaults.InitialStatus(type) is { } initial)
        {
            skeleton = skeleton.Set("status", initial);
        }

        var next = Defaulted(type, ObjectScope.Compose(skeleton, part, type, false));
        if (Admission.Check(type, null, next) is { } rejected)
        {
            return rejected;
        }

        return ApiResult<Json>.Ok(store.Put(type, ManagedFields.Write(next, [entry])));
    }

    private ApiResult<Json> UpdateFrom(ResourceType type, Json current, Json body, string manager, bool status)
    {
        var before = ObjectScope.Part(current, type, status);
        var after = ObjectScope.Part(body, type, status);
        var entries = ManagedFields.TrackUpdate(
            ManagedFields.Read(current), before, after, Shape.For(type), manager, status ? "status" : null, type.ApiVersion, scheduler.NowText);
        return Commit(type, current, ObjectScope.Compose(current, after, type, status), entries, status);
    }

    private ApiResult<Json> Commit(ResourceType type, Json current, Json next, List<ManagedEntry> entries, bool status)
    {
        next = Defaulted(type, next);
        if (!status)
        {
            if (current.Int("metadata", "generation") is { } generation)
            {
                if (!ObjectScope.Generational(next).Equals(ObjectScope.Generational(current)))
                {
                    generation++;
                }

                next = next.SetMeta("generation", JsonAccess.Of(generation));
            }

            if (NewFinalizersWhileDeleting(type, current, next) is { } forbidden)
            {
                return forbidden;
            }

            if (Admission.Check(type, current, next) is { } rejected)
            {
                return rejected;
            }
        }

        next = ManagedFields.Write(next, entries);
        if (next.Equals(current))
        {
            return ApiResult<Json>.Ok(current);
        }

        if (next.Meta("deletionTimestamp") is not null && next.Items("metadata", "finalizers").Count == 0)
        {
            return ApiResult<Json>.Ok(store.Remove(type, next));
        }

        return ApiResult<Json>.Ok(store.Put(type, next));
    }

    // An object marked for deletion waits only for the finalizers it had: none may join them.
    private static ApiError? NewFinalizersWhileDeleting(ResourceType type, Json current, Json next)
    {
        if (current.Meta("deletionTimestamp") is null)
        {
            return null;
        }

        var had = current.Items("metadata", "finalizers").Select(f => f.Str()).ToHashSet();
        var added = next.Items("metadata", "finalizers").Select(f => f.Str()).Where(f => !had.Contains(f)).ToList();
        return added.Count == 0
            ? null
            : ApiError.Invalid(
                $"{SimIds.DescribeKind(type, current.Meta("name") ?? "")} is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{{{string.Join(", ", added.Select(f => $"\"{f}\""))}}}");
    }

    private static Json Defaulted(ResourceType type, Json obj) =>
        CrdSchemas.Find(type) is { } schema ? CrdSchemas.Default(schema, obj) : BuiltinDefaults.Apply(type, obj);

    private static string Rv(long rv) => rv.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
