using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateway.Client.Wire;

/// <summary>Source-generated JSON for everything the client reads and writes: no reflection on the wire path.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GatewayTask))]
[JsonSerializable(typeof(GatewayTaskSource))]
[JsonSerializable(typeof(SubmitBody))]
[JsonSerializable(typeof(BatchBody))]
[JsonSerializable(typeof(TaskList))]
[JsonSerializable(typeof(CircleInfo))]
[JsonSerializable(typeof(CircleList))]
[JsonSerializable(typeof(DrainResult))]
[JsonSerializable(typeof(WorkerList))]
[JsonSerializable(typeof(HealthInfo))]
[JsonSerializable(typeof(Problem))]
[JsonSerializable(typeof(StatusEventData))]
[JsonSerializable(typeof(ScriptBody))]
[JsonSerializable(typeof(ScriptList))]
[JsonSerializable(typeof(ScheduleList))]
[JsonSerializable(typeof(RegisteredScript))]
[JsonSerializable(typeof(Schedule))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(System.Text.Json.Nodes.JsonNode))]
[JsonSerializable(typeof(Dictionary<string, JsonElement[]>))]
internal sealed partial class ClientJson : JsonSerializerContext;

internal static class WebJson
{
    /// <summary><c>JsonSerializerOptions.Web</c>, which .NET 8 lacks.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
