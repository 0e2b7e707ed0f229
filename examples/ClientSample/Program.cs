using System.Text.Json.Serialization;
using Gateway.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// A console program that runs a script on a Gateway through dependency injection.
//   GATEWAY_URL=http://localhost:5080 dotnet run --project examples/ClientSample
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddGatewayClient(o =>
{
    o.BaseAddress = new Uri(builder.Configuration["GATEWAY_URL"] ?? "http://localhost:5080");
    o.ApiKey = builder.Configuration["GATEWAY_API_KEY"];
});
builder.Services.AddTransient<Invoices>();
// Each request and retry is logged at Information; a console program wants only trouble.
builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning).AddFilter("Polly", LogLevel.Warning);

using var host = builder.Build();
await host.StartAsync();
var invoices = host.Services.GetRequiredService<Invoices>();
try
{
    var total = await invoices.TotalAsync([120.5m, 80m, 42.25m]);
    Console.WriteLine($"total: {total.Sum} over {total.Count} lines");
}
catch (ScriptFailedException ex)
{
    Console.Error.WriteLine($"the script failed ({ex.Code}, line {ex.Line}): {ex.ErrorMessage}");
    return 1;
}
catch (TaskWaitTimeoutException ex)
{
    Console.Error.WriteLine($"still running; wait for task {ex.TaskId} later");
    return 3;
}
finally
{
    await host.StopAsync();
}
return 0;

/// <summary>An application service that hands its arithmetic to the gateway.</summary>
internal sealed class Invoices(GatewayClient gateway)
{
    private const string Script = """
        const lines = args.lines;
        ({ sum: lines.reduce((a, b) => a + b, 0), count: lines.length })
        """;

    public async Task<Total> TotalAsync(decimal[] lines, CancellationToken cancellationToken = default)
    {
        var task = await gateway.RunAsync("invoices", Script, new { lines }, TimeSpan.FromSeconds(10), cancellationToken: cancellationToken);
        // Source-generated metadata: no reflection to read the result.
        return task.GetResult(SampleJson.Default.Total)!;
    }
}

internal sealed record Total(decimal Sum, int Count);

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Total))]
internal sealed partial class SampleJson : JsonSerializerContext;
