using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateway.Api.Hosting;

/// <summary>Timestamps as the contract shows them: UTC, milliseconds, <c>Z</c> — <c>2026-11-28T02:00:00.000Z</c>.</summary>
internal sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>
    /// An ISO 8601 time, as System.Text.Json reads one; without an offset it is UTC, not the
    /// server's local time. Anything else is a <see cref="JsonException"/>, which a request answers with 400.
    /// </summary>
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String || !reader.TryGetDateTime(out var time))
            throw new JsonException(); // the serializer words it, with the path
        return time.Kind == DateTimeKind.Unspecified
            ? new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc))
            : reader.GetDateTimeOffset();
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture));
}
