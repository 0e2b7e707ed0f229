using Gateway.Api.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddGatewayApi();

var app = builder.Build();
app.MapGatewayApi();
app.Run();

/// <summary>The Api host's entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
