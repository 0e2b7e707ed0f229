using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateway.Core.Redis;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(TaskError))]
[JsonSerializable(typeof(TaskRecord))]
internal sealed partial class CoreJson : JsonSerializerContext;
