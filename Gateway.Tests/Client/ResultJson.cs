using System.Text.Json.Serialization;

namespace Gateway.Tests.Client;

/// <summary>A result shape read with source-generated metadata, as a trimmed or AOT application would.</summary>
public sealed record Sum(int Total, string Label);

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Sum))]
[JsonSerializable(typeof(Calendar))]
internal sealed partial class ResultJson : JsonSerializerContext;

public sealed record Calendar(long Id, string Name);
