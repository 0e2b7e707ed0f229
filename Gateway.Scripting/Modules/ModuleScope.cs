using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Gateway.Core.Models;
using Jint;
using Jint.Native;
using Jint.Native.Json;
using Jint.Runtime;
using Jint.Runtime.Descriptors;
using Jint.Runtime.Interop;
using Microsoft.Extensions.Logging;

namespace Gateway.Scripting.Modules;

/// <summary>
/// What a module's functions share for one task: the engine, the task's circle (the only one its
/// modules can see), the store and the clock; and the crossing between JS values and .NET. Data
/// crosses as JSON both ways, so scripts only ever hold plain JS copies, never .NET objects.
/// </summary>
internal sealed partial class ModuleScope(Engine engine, string circle, IModelStore store, TimeProvider time, ILogger? log = null)
{
    public string Circle => circle;

    public IModelStore Store => store;

    public string Now => Iso(time.GetUtcNow());

    /// <summary>A JS object of host functions named <paramref name="module"/>.<c>name</c>, frozen.</summary>
    public JsObject Module(string module, params (string Name, Func<JsValue[], JsValue> Body)[] functions)
    {
        var target = new JsObject(engine);
        foreach (var (name, body) in functions)
        {
            var function = new ClrFunction(engine, name, (_, args) => Guard(module, name, args, body));
            target.FastSetProperty(name, new PropertyDescriptor(function, writable: false, enumerable: true, configurable: false));
        }
        target.PreventExtensions();
        return target;
    }

    /// <summary>
    /// Invalid operations become JS Errors the script can catch; a store failure becomes one
    /// without internals. What the engine itself throws (limits, cancellation) passes untouched.
    /// </summary>
    private JsValue Guard(string module, string name, JsValue[] args, Func<JsValue[], JsValue> body)
    {
        try
        {
            return body(args);
        }
        catch (ModuleException ex)
        {
            throw Error(ex.Message);
        }
        catch (ModelStoreException ex)
        {
            // The script gets no internals; the log keeps the cause.
            if (log is not null)
                LogStoreFailed(log, ex, module, name, circle);
            throw Error($"{module}.{name} failed: the store is unavailable or busy; try again.");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Module}.{Function} in circle {Circle} failed in the store")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception, string module, string function, string circle);

    private JavaScriptException Error(string message)
    {
        var error = engine.Construct("Error", new JsString(message));
        return new JavaScriptException(error);
    }

    public static ModuleException Invalid(string message) => new(message);

    public T Input<T>(JsValue value, string what, JsonTypeInfo<T> info)
    {
        if (!value.IsObject())
            throw Invalid($"{what} must be an object.");
        var json = new Jint.Native.Json.JsonSerializer(engine).Serialize(value);
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize(json.AsString(), info) ?? throw Invalid($"{what} must be an object.");
        }
        catch (JsonException ex)
        {
            throw Invalid($"{what} is not valid: {(string.IsNullOrEmpty(ex.Path) ? "" : ex.Path.TrimStart('$', '.') + " ")}has the wrong type.");
        }
    }

    public static long Id(JsValue value, string what)
    {
        var number = value.IsNumber() ? value.AsNumber()
            : value.IsString() && double.TryParse(value.AsString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed
            : double.NaN;
        if (double.IsNaN(number) || number < 1 || number != Math.Floor(number) || number > long.MaxValue)
            throw Invalid($"{what} must be a positive whole number.");
        return (long)number;
    }

    public static string Text(JsValue value, string what)
    {
        if (!value.IsString() || string.IsNullOrWhiteSpace(value.AsString()))
            throw Invalid($"{what} must be a non-empty string.");
        return value.AsString();
    }

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

    public JsValue Out<T>(T value, JsonTypeInfo<T> info) =>
        new JsonParser(engine).Parse(System.Text.Json.JsonSerializer.Serialize(value, info));

    public JsValue OutJson(string? json) => json is null ? JsValue.Null : new JsonParser(engine).Parse(json);

    public static T Read<T>(string json, JsonTypeInfo<T> info) => System.Text.Json.JsonSerializer.Deserialize(json, info)!;

    public static string Write<T>(T value, JsonTypeInfo<T> info) => System.Text.Json.JsonSerializer.Serialize(value, info);

    /// <summary>The entity of a kind with the id the script gave, as a JS copy, or null.</summary>
    public JsValue Get(string kind, JsValue id) => OutJson(Wait(() => Store.GetAsync(Circle, kind, Id(id, $"{kind} id"))));

    /// <summary>Stores a new entity built from its new id, and returns it.</summary>
    public T Create<T>(string kind, Func<long, T> build, JsonTypeInfo<T> info) =>
        Read(Wait(() => Store.CreateAsync(Circle, kind, id => Write(build(id), info))), info);

    /// <summary>Every entity of a kind, by id.</summary>
    public IReadOnlyList<T> List<T>(string kind, JsonTypeInfo<T> info) =>
        Wait(() => Store.ListAsync(Circle, kind)).Select(j => Read(j, info)).ToArray();

    /// <summary>Every entity of a kind, or those with the status the script's <c>{ status }</c> filter names.</summary>
    public IReadOnlyList<T> ListByStatus<T>(string kind, JsValue filter, string[] statuses, JsonTypeInfo<T> info, Func<T, string> statusOf)
    {
        var status = filter.IsObject() ? Input(filter, "the filter", ModuleJson.Default.StatusFilter).Status : null;
        if (status is not null && !statuses.Contains(status))
            throw Invalid($"a {kind}'s status is one of {string.Join(", ", statuses)} (got '{status}').");
        return List(kind, info).Where(e => status is null || statusOf(e) == status).ToArray();
    }

    /// <summary>
    /// Changes the entity with the id the script gave — optimistically, retried when another task
    /// wrote it first — and returns it as changed. <paramref name="change"/> throws to refuse.
    /// </summary>
    public JsValue Change<T>(string kind, JsValue id, JsonTypeInfo<T> info, Func<T, T> change)
    {
        var entityId = Id(id, $"{kind} id");
        var json = Wait(() => Store.UpdateAsync(Circle, kind, entityId, current => Write(change(Read(current, info)), info)))
            ?? throw Invalid($"{kind} {entityId} does not exist.");
        return OutJson(json);
    }

    /// <summary>
    /// Runs a store call from a host function and waits for it. Scripts run on their own threads,
    /// so blocking one starves nothing — but the call itself must run on the thread pool: its
    /// awaits would otherwise queue behind the very script threads that wait for them.
    /// </summary>
    public static T Wait<T>(Func<Task<T>> call) => Task.Run(call).GetAwaiter().GetResult();
}
