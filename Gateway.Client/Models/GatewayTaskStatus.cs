using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateway.Client;

/// <summary>The states of a task. On the wire they are lower-case words (<c>pending</c>, …).</summary>
[JsonConverter(typeof(GatewayTaskStatusConverter))]
public enum GatewayTaskStatus
{
    /// <summary>A status this version of the client does not know (a newer server's).</summary>
    Unknown = 0,

    /// <summary>Waiting for its run time (<c>runAt</c> / <c>delayMs</c>); becomes pending then.</summary>
    Scheduled,

    /// <summary>Queued, not yet claimed by a worker.</summary>
    Pending,

    /// <summary>Running on a worker.</summary>
    Processing,

    /// <summary>Finished; <see cref="GatewayTask.Result"/> holds its value.</summary>
    Completed,

    /// <summary>Finished with an error; <see cref="GatewayTask.Error"/> says which.</summary>
    Failed,

    /// <summary>Cancelled before or while it ran.</summary>
    Cancelled,
}

/// <summary>Wire names of <see cref="GatewayTaskStatus"/>.</summary>
public static class GatewayTaskStatusExtensions
{
    /// <summary>True for completed, failed and cancelled.</summary>
    public static bool IsTerminal(this GatewayTaskStatus status) =>
        status is GatewayTaskStatus.Completed or GatewayTaskStatus.Failed or GatewayTaskStatus.Cancelled;

    /// <summary>The status as the API writes it, e.g. <c>pending</c>.</summary>
    public static string ToWire(this GatewayTaskStatus status) => status switch
    {
        GatewayTaskStatus.Scheduled => "scheduled",
        GatewayTaskStatus.Pending => "pending",
        GatewayTaskStatus.Processing => "processing",
        GatewayTaskStatus.Completed => "completed",
        GatewayTaskStatus.Failed => "failed",
        GatewayTaskStatus.Cancelled => "cancelled",
        _ => "unknown",
    };

    /// <summary>Reads a wire name; anything else is <see cref="GatewayTaskStatus.Unknown"/>.</summary>
    public static GatewayTaskStatus Parse(string? wire) => wire?.ToLowerInvariant() switch
    {
        "scheduled" => GatewayTaskStatus.Scheduled,
        "pending" => GatewayTaskStatus.Pending,
        "processing" => GatewayTaskStatus.Processing,
        "completed" => GatewayTaskStatus.Completed,
        "failed" => GatewayTaskStatus.Failed,
        "cancelled" => GatewayTaskStatus.Cancelled,
        _ => GatewayTaskStatus.Unknown,
    };
}

/// <summary>Maps a status the client does not know to <see cref="GatewayTaskStatus.Unknown"/> instead of failing the read.</summary>
internal sealed class GatewayTaskStatusConverter : JsonConverter<GatewayTaskStatus>
{
    public override GatewayTaskStatus Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        GatewayTaskStatusExtensions.Parse(reader.GetString());

    public override void Write(Utf8JsonWriter writer, GatewayTaskStatus value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToWire());
}
