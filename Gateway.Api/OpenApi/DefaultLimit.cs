namespace Gateway.Api.OpenApi;

/// <summary>Endpoint metadata: the page size a list endpoint uses when the request names no <c>limit</c>.</summary>
public sealed record DefaultLimit(int Value);
