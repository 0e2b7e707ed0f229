using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateway.Api.Apis;

/// <summary>
/// Source-generated JSON metadata for the API's bodies: no reflection per type at run time, and
/// faster, leaner (de)serialization on the hot path. Types not listed fall back to reflection.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(TaskView))]
[JsonSerializable(typeof(SubmitRequest))]
[JsonSerializable(typeof(TaskSourceView))]
[JsonSerializable(typeof(BatchRequest))]
[JsonSerializable(typeof(RetryRequest))]
[JsonSerializable(typeof(BatchView))]
[JsonSerializable(typeof(TaskListView))]
[JsonSerializable(typeof(CircleView))]
[JsonSerializable(typeof(CircleListView))]
[JsonSerializable(typeof(DrainView))]
[JsonSerializable(typeof(WorkerListView))]
[JsonSerializable(typeof(HealthView))]
[JsonSerializable(typeof(ScriptRequest))]
[JsonSerializable(typeof(ScriptView))]
[JsonSerializable(typeof(ScriptListView))]
[JsonSerializable(typeof(ScheduleRequest))]
[JsonSerializable(typeof(ScheduleView))]
[JsonSerializable(typeof(ScheduleListView))]
internal sealed partial class ApiJson : JsonSerializerContext;
