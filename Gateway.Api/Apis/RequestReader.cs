using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.Api.Apis;

/// <summary>
/// Reads and validates what callers send. Every rejection is a ProblemDetails that names the
/// field at fault; nothing reaches Redis until the whole request is valid.
/// </summary>
internal static class RequestReader
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        MaxDepth = 64,
        AllowDuplicateProperties = false,
        TypeInfoResolver = JsonTypeInfoResolver.Combine(ApiJson.Default, new DefaultJsonTypeInfoResolver()),
        // A time without an offset is UTC, as the API writes times, not the server's local time.
        Converters = { new Hosting.UtcTimestampConverter() },
    };

    /// <summary>Largest body worth reading: room for a script and args at their limits, escaped.</summary>
    public static long MaxBodyBytes(LimitsOptions limits, int tasks = 1) =>
        tasks * (2L * (limits.MaxScriptBytes + limits.MaxArgsBytes) + 4096) + 65536;

    public static async Task<(T? Body, ProblemHttpResult? Problem)> ReadJsonAsync<T>(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
        where T : class
    {
        if (!request.HasJsonContentType())
        {
            return (null, TypedResults.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "The body must be JSON.",
                detail: $"Send Content-Type: application/json (got '{request.ContentType}')."));
        }
        if (request.ContentLength > maxBytes)
            return (null, TooLarge(maxBytes));
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = maxBytes;

        try
        {
            var body = await JsonSerializer.DeserializeAsync<T>(request.Body, Json, cancellationToken);
            return body is null ? (null, Invalid("$", "A JSON object is required.")) : (body, null);
        }
        catch (JsonException ex)
        {
            var path = string.IsNullOrEmpty(ex.Path) ? "$" : ex.Path;
            // Keyed by the field, as a validation error is (retry.factor, tasks[1].script); the
            // body as a whole stays "$".
            var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;
            return (null, Invalid(field, Explain(typeof(T), path, ex) ?? ex.Message.Split(" Path:", 2)[0]));
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(maxBytes));
        }
    }

    private static readonly Regex DuplicateProperty = new("^Duplicate property '(?<name>[^']*)'", RegexOptions.CultureInvariant);

    private static readonly Regex PathSegment = new(@"\G(?:\.(?<name>[^.\[]+)|\['(?<name>[^']*)'\]|\[(?<index>\d+)\])", RegexOptions.CultureInvariant);

    /// <summary>
    /// What is wrong at <paramref name="path"/>, in the words of the contract ("priority must be a
    /// whole number.", "script is given more than once."), for the serializer's errors whose
    /// message names a .NET type; null for the others, whose message stands.
    /// </summary>
    private static string? Explain(Type body, string path, JsonException ex)
    {
        var field = path == "$" ? "The body" : path[2..];
        if (DuplicateProperty.Match(ex.Message) is { Success: true } duplicate)
        {
            // The path is the repeated property itself, or a JSON value (args) that holds it.
            var name = duplicate.Groups["name"].Value;
            return path.EndsWith("." + name, StringComparison.Ordinal)
                ? $"{field} is given more than once."
                : $"{field} has the property '{name}' more than once.";
        }
        if (!ex.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal))
            return null;
        var info = Json.GetTypeInfo(body);
        for (var at = 1; at < path.Length;) // past the '$'
        {
            var segment = PathSegment.Match(path, at);
            var next = !segment.Success ? null
                : segment.Groups["index"].Success ? info.ElementType
                : info.Properties.FirstOrDefault(p => p.Name == segment.Groups["name"].Value)?.PropertyType;
            if (next is null)
                return null;
            info = Json.GetTypeInfo(next);
            at += segment.Length;
        }
        var expected = Nullable.GetUnderlyingType(info.Type) ?? info.Type;
        var words = info.Kind switch
        {
            JsonTypeInfoKind.Enumerable => "an array",
            JsonTypeInfoKind.Object => "a JSON object",
            _ when expected == typeof(DateTimeOffset) => "a date and time in ISO 8601, such as 2030-01-31T09:00:00Z",
            _ => Type.GetTypeCode(expected) switch
            {
                TypeCode.String => "a string",
                TypeCode.Boolean => "true or false",
                TypeCode.Int32 => $"a whole number from {int.MinValue} to {int.MaxValue}",
                TypeCode.Int64 => $"a whole number from {long.MinValue} to {long.MaxValue}",
                TypeCode.Double => "a number",
                _ => null,
            },
        };
        return words is null ? null : $"{field} must be {words}.";
    }

    private static readonly string[] RhaiContentTypes = ["application/x-rhai", "text/x-rhai"];

    public static readonly string[] ScriptContentTypes = ["application/javascript", "text/javascript", .. RhaiContentTypes];

    /// <summary>
    /// A submit body: JSON as the contract says, or — for curl and files — the script itself as
    /// <c>application/javascript</c>, or <c>text/x-rhai</c> for Rhai (no args, the default time limit).
    /// </summary>
    public static async Task<(SubmitRequest? Body, ProblemHttpResult? Problem)> ReadSubmitAsync(
        HttpRequest request, LimitsOptions limits, CancellationToken cancellationToken)
    {
        var mediaType = request.ContentType?.Split(';', 2)[0].Trim();
        if (mediaType is null || !ScriptContentTypes.Contains(mediaType, StringComparer.OrdinalIgnoreCase))
            return await ReadJsonAsync<SubmitRequest>(request, MaxBodyBytes(limits), cancellationToken);
        if (request.ContentLength > limits.MaxScriptBytes)
            return (null, Invalid("script", $"The script is larger than {limits.MaxScriptBytes} bytes."));
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var buffer = new char[limits.MaxScriptBytes + 1];
        var read = await reader.ReadBlockAsync(buffer, cancellationToken);
        if (read > limits.MaxScriptBytes)
            return (null, Invalid("script", $"The script is larger than {limits.MaxScriptBytes} bytes."));
        var language = RhaiContentTypes.Contains(mediaType, StringComparer.OrdinalIgnoreCase) ? ScriptLanguages.Rhai : null;
        return (new SubmitRequest { Script = new string(buffer, 0, read), Language = language }, null);
    }

    /// <summary>How far in the past a <c>runAt</c> may be (clocks differ; it then runs at once).</summary>
    private static readonly TimeSpan RunAtTolerance = TimeSpan.FromMinutes(1);

    /// <summary>Checks one submitted task; <paramref name="field"/> prefixes the names in the errors.</summary>
    public static NewTask? Validate(
        SubmitRequest body, LimitsOptions limits, string? caller, string field, Dictionary<string, string[]> errors, DateTimeOffset now)
    {
        var before = errors.Count;
        var task = ValidateTask(body, limits, field, errors);
        var runAt = ValidateTiming(body, field, errors, now);
        if (errors.Count > before)
            return null;
        // A named script's text is filled in by NamedScripts.ResolveAsync once the whole request is valid.
        return new NewTask(body.Script ?? "", task.ArgsJson, task.TimeoutMs, caller)
        {
            Priority = task.Priority,
            RunAt = runAt,
            Retry = task.Retry,
            ScriptName = body.ScriptName,
            ScriptVersion = body.ScriptVersion,
            Language = task.Language,
        };
    }

    /// <summary>
    /// Checks the fields a submit and a schedule share, naming each one at fault under
    /// <paramref name="field"/>; the values with their defaults filled in (meaningful only when no
    /// error was added).
    /// </summary>
    public static CheckedTaskFields ValidateTask(TaskFields body, LimitsOptions limits, string field, Dictionary<string, string[]> errors)
    {
        ValidateScript(body.Script, body.ScriptName, body.ScriptVersion, limits, field, errors);

        var args = body.Args is { } a ? a.GetRawText() : "null";
        if (Encoding.UTF8.GetByteCount(args) > limits.MaxArgsBytes)
            Add(errors, field + "args", $"The args are larger than {limits.MaxArgsBytes} bytes of JSON.");

        if (body.TimeoutMs is { } t && (t < 1 || t > limits.MaxTimeoutMs))
            Add(errors, field + "timeoutMs", $"timeoutMs must be between 1 and {limits.MaxTimeoutMs}.");

        var language = ValidateLanguage(body.Language, field, errors);
        var priority = ValidatePriority(body.Priority, field, errors);
        var retry = body.Retry is { } r ? ValidateRetry(r, field + "retry.", errors) : null;
        return new CheckedTaskFields(args, body.TimeoutMs ?? limits.DefaultTimeoutMs, language, priority, retry);
    }

    /// <summary><c>runAt</c> or <c>delayMs</c> (at most one) as the instant the task falls due; null for "now".</summary>
    private static DateTimeOffset? ValidateTiming(SubmitRequest body, string field, Dictionary<string, string[]> errors, DateTimeOffset now)
    {
        var longest = RetryPolicy.MaxDelay;
        if (body.RunAt is not null && body.DelayMs is not null)
        {
            Add(errors, field + "delayMs", "Give runAt or delayMs, not both.");
            return null;
        }
        if (body.RunAt is { } at)
        {
            if (at < now - RunAtTolerance)
                Add(errors, field + "runAt", $"runAt is more than {RunAtTolerance.TotalMinutes:0} minute in the past.");
            else if (at > now + longest)
                Add(errors, field + "runAt", $"runAt is more than {longest.TotalDays:0} days ahead.");
            return at;
        }
        if (body.DelayMs is { } delay)
        {
            if (delay >= 0 && delay <= longest.TotalMilliseconds)
                return now.AddMilliseconds(delay);
            Add(errors, field + "delayMs", $"delayMs must be from 0 to {(long)longest.TotalMilliseconds} ({longest.TotalDays:0} days).");
            return null;
        }
        return null;
    }

    /// <summary>A retry policy (defaults filled in), or null with its errors named under <paramref name="field"/>.</summary>
    private static RetryPolicy? ValidateRetry(RetryRequest retry, string field, Dictionary<string, string[]> errors)
    {
        var before = errors.Count;
        if (retry.Attempts is not { } attempts || attempts < 1 || attempts > RetryPolicy.MaxAttempts)
            Add(errors, field + "attempts", $"attempts must be a whole number from 1 to {RetryPolicy.MaxAttempts}.");
        // Any wait is cut to RetryPolicy.MaxDelay when it is worked out, as one grown by the factor is.
        if (retry.BackoffMs < 0)
            Add(errors, field + "backoffMs", "backoffMs must be 0 or more.");
        if (retry.Factor is { } factor && (!double.IsFinite(factor) || factor < 1 || factor > RetryPolicy.MaxFactor))
            Add(errors, field + "factor", $"factor must be a number from 1 to {RetryPolicy.MaxFactor}.");
        return errors.Count > before ? null : new RetryPolicy(retry.Attempts!.Value, retry.BackoffMs ?? 0, retry.Factor ?? 1);
    }

    /// <summary>Exactly one of a script's text and a registered script's name (with an optional version).</summary>
    public static void ValidateScript(string? script, string? scriptName, int? scriptVersion, LimitsOptions limits, string field,
        Dictionary<string, string[]> errors)
    {
        if (script is not null && scriptName is not null)
            Add(errors, field + "scriptName", "Send either script or scriptName, not both.");
        else if (scriptName is not null)
        {
            if (!CircleName.IsValid(scriptName))
                Add(errors, field + "scriptName", NameRule("scriptName"));
        }
        else if (string.IsNullOrWhiteSpace(script))
            Add(errors, field + "script", "A non-empty script (or a registered scriptName) is required.");
        else if (Encoding.UTF8.GetByteCount(script) > limits.MaxScriptBytes)
            Add(errors, field + "script", $"The script is larger than {limits.MaxScriptBytes} bytes.");

        if (scriptVersion is { } version && (version < 1 || scriptName is null))
            Add(errors, field + "scriptVersion", "scriptVersion must be a whole number from 1, sent with scriptName.");
    }

    /// <summary>The task's language: absent is JavaScript; anything but javascript or rhai is an error.</summary>
    public static ScriptLanguage ValidateLanguage(string? language, string field, Dictionary<string, string[]> errors)
    {
        if (!ScriptLanguages.TryParse(language, out var parsed))
            Add(errors, field + "language", $"language is \"{ScriptLanguages.JavaScript}\" (the default) or \"{ScriptLanguages.Rhai}\".");
        return parsed;
    }

    /// <summary>A task's priority, for a submit or a schedule: 0 when absent.</summary>
    private static int ValidatePriority(int? priority, string field, Dictionary<string, string[]> errors)
    {
        if (priority is { } p && !TaskPriority.IsValid(p))
            Add(errors, field + "priority", $"priority must be a whole number from {TaskPriority.Lowest} to {TaskPriority.Highest}.");
        return priority ?? TaskPriority.Lowest;
    }

    /// <summary>The rule names of scripts and schedules share with circles.</summary>
    public static string NameRule(string what) =>
        $"A {what} is 1–64 characters of letters, digits, '_' and '-', starting with a letter or digit.";

    /// <summary>Parses <c>?wait=</c>: absent is zero; otherwise 0 … the server maximum, in seconds.</summary>
    public static bool TryParseWait(string? wait, LimitsOptions limits, out TimeSpan value, out ProblemHttpResult? problem)
    {
        value = TimeSpan.Zero;
        problem = null;
        if (wait is null)
            return true;
        if (double.TryParse(wait, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            && double.IsFinite(seconds) && seconds >= 0 && seconds <= limits.MaxWaitSeconds)
        {
            value = TimeSpan.FromSeconds(seconds);
            return true;
        }
        problem = Invalid("wait", $"wait must be a number of seconds from 0 to {limits.MaxWaitSeconds}.");
        return false;
    }

    /// <summary>
    /// Parses <c>?limit=</c>: absent is <paramref name="fallback"/>; otherwise a whole number from 1
    /// to <see cref="TasksApi.MaxListLimit"/>, the bound every list of the contract shares.
    /// </summary>
    public static bool TryParseLimit(string? limit, int fallback, out int value, [NotNullWhen(false)] out ProblemHttpResult? problem)
    {
        value = fallback;
        problem = null;
        if (limit is null)
            return true;
        if (int.TryParse(limit, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && value is >= 1 and <= TasksApi.MaxListLimit)
            return true;
        problem = Invalid("limit", $"limit must be a whole number from 1 to {TasksApi.MaxListLimit}.");
        return false;
    }

    public static ProblemHttpResult Invalid(string field, string message) =>
        Invalid(new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemHttpResult Invalid(IDictionary<string, string[]> errors) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request is not valid.",
            Detail = string.Join(" ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")),
        });

    public static ProblemHttpResult NotFound(string what) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found.", detail: what);

    /// <summary>A 404 caused by one field of the request (an unknown registered script), named as a 400 would name it.</summary>
    public static ProblemHttpResult NotFound(string field, string message) =>
        TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = StatusCodes.Status404NotFound,
            Title = "Not found.",
            Detail = $"{field}: {message}",
        });

    private static ProblemHttpResult TooLarge(long maxBytes) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status413PayloadTooLarge,
            title: "The body is too large.",
            detail: $"A request body may have at most {maxBytes} bytes.");

    public static void Add(Dictionary<string, string[]> errors, string field, string message) => errors[field] = [message];
}

/// <summary>The fields a submit and a schedule share, checked, with their defaults filled in.</summary>
internal readonly record struct CheckedTaskFields(string ArgsJson, int TimeoutMs, ScriptLanguage Language, int Priority, RetryPolicy? Retry);
