namespace Ztwim.Adapters.Cluster;

/// <summary>The answer to one API request: a value, or the error the server gave. Errors are values here.</summary>
public readonly record struct ApiResult<T>
{
    private readonly T? value;

    private ApiResult(T? value, ApiError? error)
    {
        this.value = value;
        Error = error;
    }

    public ApiError? Error { get; }

    public bool IsOk => Error is null;

    /// <summary>The value; only read it when <see cref="IsOk"/>.</summary>
    public T Value => Error is null ? value! : throw new InvalidOperationException($"no value: {Error}");

    public static ApiResult<T> Ok(T value) => new(value, null);

    public static ApiResult<T> Fail(ApiError error) => new(default, error);

    public static implicit operator ApiResult<T>(ApiError error) => Fail(error);

    /// <summary>The same error, as the result of another type.</summary>
    public ApiResult<TOther> Cast<TOther>() =>
        Error is null ? throw new InvalidOperationException("Cast of a success") : ApiResult<TOther>.Fail(Error);

    public override string ToString() => Error is null ? $"ok {value}" : Error.ToString();
}
