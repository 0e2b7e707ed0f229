using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Gateway.Core.Models;
using Microsoft.Extensions.Logging;

namespace Gateway.Scripting.Modules;

/// <summary>
/// What a module's functions share for one task: the task's circle (the only one its modules can
/// see), the store, the clock and the names of the script's language. Values cross as JSON both
/// ways, so scripts only ever hold copies in their own language, never .NET objects.
/// </summary>
internal sealed partial class ModuleScope(string circle, IModelStore store, TimeProvider time, ModuleNaming naming, ILogger? log = null)
{
    public string Circle => circle;

    public IModelStore Store => store;

    public ModuleNaming Naming => naming;

    public string Now => Iso(time.GetUtcNow());

    /// <summary>A field name as the script's language spells it, for messages.</summary>
    public string Name(string camel) => naming.Name(camel);

    /// <summary>
    /// Calls <paramref name="function"/>. A store failure becomes a <see cref="ModuleException"/>
    /// without internals (the log keeps the cause), as does the circle's byte limit; what the
    /// engine throws passes untouched.
    /// </summary>
    public string Invoke(DomainModule module, ModuleFunction function, ModuleArgs args)
    {
        if (!args.AreText())
            throw Invalid($"{naming.Function(module.Name, function.Name)} was given a string that is not Unicode text (a lone surrogate); nothing was read or stored.");
        try
        {
            return function.Body(this, args);
        }
        catch (ModelLimitException ex)
        {
            throw Invalid($"{naming.Function(module.Name, function.Name)} failed: the circle's entities would take more than {ex.MaxBytes} bytes of JSON, the most a circle may hold (Gateway:Limits:MaxModelBytesPerCircle); nothing was stored.");
        }
        catch (ModelStoreException ex)
        {
            if (log is not null)
                LogStoreFailed(log, ex, module.Name, function.Name, circle);
            throw Invalid($"{naming.Function(module.Name, function.Name)} failed: the store is unavailable or busy; try again.");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Module}.{Function} in circle {Circle} failed in the store")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception, string module, string function, string circle);

    public static ModuleException Invalid(string message) => new(message);

    public T Input<T>(JsonElement value, string what, JsonTypeInfo<T> info)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Invalid($"{what} must be an object.");
        try
        {
            return value.Deserialize(info) ?? throw Invalid($"{what} must be an object.");
        }
        catch (JsonException ex)
        {
            var path = string.IsNullOrEmpty(ex.Path) ? "" : naming.Name(ex.Path.TrimStart('$', '.')) + " ";
            throw Invalid($"{what} is not valid: {path}has the wrong type.");
        }
    }

    public static long Id(JsonElement value, string what)
    {
        var number = value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetInt64(out var whole) => whole,
            JsonValueKind.Number => value.GetDouble(),
            JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => double.NaN,
        };
        if (double.IsNaN(number) || number < 1 || number != Math.Floor(number) || number > long.MaxValue)
            throw Invalid($"{what} must be a positive whole number.");
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var exact) ? exact : (long)number;
    }

    public static string Text(JsonElement value, string what)
    {
        if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
            throw Invalid($"{what} must be a non-empty string.");
        return value.GetString()!;
    }

    /// <summary>How a script would write the value it passed, for messages.</summary>
    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Undefined => "undefined",
        JsonValueKind.String => value.GetString()!,
        _ => value.GetRawText(),
    };

    public static string Required(string? value, string what) =>
        string.IsNullOrWhiteSpace(value) ? throw Invalid($"{what} is required.") : value;

    /// <summary>An ISO 8601 date (with or without time and offset), normalized to UTC.</summary>
    public static string Date(string? value, string what)
    {
        if (!DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var date))
            throw Invalid($"{what} must be an ISO 8601 date, e.g. 2026-11-28T09:00:00Z (got '{value}').");
        return Iso(date);
    }

    public static DateTimeOffset Parse(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture);

    private static string Iso(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static T Read<T>(string json, JsonTypeInfo<T> info) => JsonSerializer.Deserialize(json, info)!;

    public static string Write<T>(T value, JsonTypeInfo<T> info) => JsonSerializer.Serialize(value, info);

    /// <summary>The entity of a kind with the id the script gave, as JSON, or <c>null</c>.</summary>
    public string Get(string kind, JsonElement id) => Wait(() => Store.GetAsync(Circle, kind, Id(id, $"{kind} id"))) ?? "null";

    /// <summary>Stores a new entity built from its new id, and returns it.</summary>
    public T Create<T>(string kind, Func<long, T> build, JsonTypeInfo<T> info) =>
        Read(Wait(() => Store.CreateAsync(Circle, kind, id => Storable(kind, Write(build(id), info)))), info);

    /// <summary>Every entity of a kind, by id.</summary>
    public IReadOnlyList<T> List<T>(string kind, JsonTypeInfo<T> info) =>
        Wait(() => Store.ListAsync(Circle, kind)).Select(j => Read(j, info)).ToArray();

    /// <summary>Every entity of a kind, or those with the status the script's <c>{ status }</c> filter names.</summary>
    public IReadOnlyList<T> ListByStatus<T>(string kind, JsonElement filter, string[] statuses, JsonTypeInfo<T> info, Func<T, string> statusOf)
    {
        var status = filter.ValueKind == JsonValueKind.Object ? Input(filter, "the filter", ModuleJson.Default.StatusFilter).Status : null;
        if (status is not null && !statuses.Contains(status))
            throw Invalid($"a {kind}'s status is one of {string.Join(", ", statuses)} (got '{status}').");
        return List(kind, info).Where(e => status is null || statusOf(e) == status).ToArray();
    }

    /// <summary>
    /// Changes the entity with the id the script gave — optimistically, retried when another task
    /// wrote it first — and returns it as changed, as JSON. <paramref name="change"/> throws to refuse.
    /// </summary>
    public string Change<T>(string kind, JsonElement id, JsonTypeInfo<T> info, Func<T, T> change)
    {
        var entityId = Id(id, $"{kind} id");
        return Wait(() => Store.UpdateAsync(Circle, kind, entityId, current => Storable(kind, Write(change(Read(current, info)), info))))
            ?? throw Invalid($"{kind} {entityId} does not exist.");
    }

    /// <summary>The most JSON one entity may take in the store: a script cannot fill Redis one huge calendar at a time.</summary>
    public const int MaxEntityBytes = 256 * 1024;

    private static string Storable(string kind, string json)
    {
        var bytes = System.Text.Encoding.UTF8.GetByteCount(json);
        return bytes <= MaxEntityBytes ? json : throw Invalid($"the {kind} would take {bytes} bytes of JSON; one may take at most {MaxEntityBytes}.");
    }

    /// <summary>
    /// Runs a store call from a host function and waits for it. Scripts run on their own threads,
    /// so blocking one starves nothing — but the call itself must run on the thread pool: its
    /// awaits would otherwise queue behind the very script threads that wait for them.
    /// </summary>
    public static T Wait<T>(Func<Task<T>> call) => Task.Run(call).GetAwaiter().GetResult();
}
