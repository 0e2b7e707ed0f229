using System.Net.Http.Headers;
using System.Text.Json;

namespace Gateway.Bench;

/// <summary>
/// A JSON request body sent with its length, as the typed client, <c>gw</c>, curl and most HTTP
/// clients send one. <c>PostAsJsonAsync</c> streams the body in chunks instead, which costs the
/// server a decoding step per request that a typical caller does not ask of it.
/// </summary>
internal static class JsonBody
{
    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient http, string url, object body)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, JsonSerializerOptions.Web));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json", "utf-8");
        return http.PostAsync(url, content);
    }
}
