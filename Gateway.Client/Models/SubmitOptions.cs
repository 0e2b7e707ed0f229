using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateway.Client;

/// <summary>
/// How to run a task. Every field is optional and sent only when set, so the server's defaults
/// apply and an older server is not sent fields it does not know unless the caller asks for them.
/// </summary>
public sealed record SubmitOptions
{
    /// <summary>
    /// Names this submit for the server's de-duplication (≤ 128 characters, per circle, 24 h).
    /// When null, the client generates one per call and keeps it across that call's retries.
    /// </summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>Wall time the script may run (<c>timeoutMs</c>); the server's default when null.</summary>
    public TimeSpan? ScriptTimeout { get; init; }

    /// <summary><c>javascript</c> (the server's default) or <c>rhai</c>.</summary>
    public string? Language { get; init; }

    /// <summary>0 (default) … 9; a higher priority is claimed first in its circle.</summary>
    public int? Priority { get; init; }

    /// <summary>Run no earlier than this instant; the task is <c>scheduled</c> until then. Not with <see cref="Delay"/>.</summary>
    public DateTimeOffset? RunAt { get; init; }

    /// <summary>Run after this delay (0 … 30 days). Not with <see cref="RunAt"/>.</summary>
    public TimeSpan? Delay { get; init; }

    /// <summary>Run again after a <c>script_error</c> or <c>timeout</c>.</summary>
    public RetryPolicy? Retry { get; init; }

    /// <summary>Run the circle's registered script of this name instead of a script text.</summary>
    public string? ScriptName { get; init; }

    /// <summary>The registered script's version (latest when null); only with <see cref="ScriptName"/>.</summary>
    public int? ScriptVersion { get; init; }
}

/// <summary>Server-side re-runs of a failed task: after <c>backoff × factor^(n-1)</c>, up to <paramref name="Attempts"/> more runs.</summary>
/// <param name="Attempts">Extra runs, 1 … 10.</param>
/// <param name="Backoff">Wait before the first re-run.</param>
/// <param name="Factor">Growth of the wait per re-run, 1 … 10.</param>
[JsonConverter(typeof(RetryPolicyJsonConverter))]
public sealed record RetryPolicy(int Attempts, TimeSpan Backoff, double Factor = 2);

/// <summary>A <see cref="RetryPolicy"/> as the API writes one: <c>{"attempts":N,"backoffMs":MS,"factor":F}</c>.</summary>
internal sealed class RetryPolicyJsonConverter : JsonConverter<RetryPolicy>
{
    public override RetryPolicy Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException("A retry policy is a JSON object.");
        int? attempts = null;
        long backoffMs = 0;
        double factor = 1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "attempts": attempts = reader.GetInt32(); break;
                case "backoffMs": backoffMs = reader.GetInt64(); break;
                case "factor": factor = reader.GetDouble(); break;
                default: reader.Skip(); break;
            }
        }
        return new RetryPolicy(attempts ?? throw new JsonException("A retry policy names its attempts."), TimeSpan.FromMilliseconds(backoffMs), factor);
    }

    public override void Write(Utf8JsonWriter writer, RetryPolicy value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteNumber("attempts", value.Attempts);
        writer.WriteNumber("backoffMs", (long)value.Backoff.TotalMilliseconds);
        writer.WriteNumber("factor", value.Factor);
        writer.WriteEndObject();
    }
}

/// <summary>One task of a batch.</summary>
/// <param name="Script">The script text (null when <see cref="SubmitOptions.ScriptName"/> is set).</param>
/// <param name="Args">Visible to the script as <c>args</c>; see <see cref="GatewayClient.SubmitAsync"/> for what may be passed.</param>
/// <param name="Options">How to run it.</param>
public sealed record TaskSubmission(string? Script, object? Args = null, SubmitOptions? Options = null);

/// <summary>
/// The tasks of one batch, in request order. With a wait, the server answered 200 exactly when
/// every task had finished, which is what <see cref="AllFinished"/> reports.
/// </summary>
public sealed class SubmittedBatch(IReadOnlyList<GatewayTask> tasks) : IReadOnlyList<GatewayTask>
{
    /// <summary>Whether every task of the batch had finished (completed, failed or cancelled) when the answer came.</summary>
    public bool AllFinished { get; } = tasks.All(t => t.IsTerminal);

    /// <inheritdoc/>
    public GatewayTask this[int index] => tasks[index];

    /// <inheritdoc/>
    public int Count => tasks.Count;

    /// <inheritdoc/>
    public IEnumerator<GatewayTask> GetEnumerator() => tasks.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
