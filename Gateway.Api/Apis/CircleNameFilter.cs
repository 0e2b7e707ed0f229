namespace Gateway.Api.Apis;

/// <summary>A route's <c>{circle}</c> must be a valid name before any handler builds a key from it: 400 otherwise.</summary>
internal sealed class CircleNameFilter : IEndpointFilter
{
    public const string Rule = "A circle name is 1–64 characters of letters, digits, '_' and '-', starting with a letter or digit.";

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (context.HttpContext.Request.RouteValues.TryGetValue("circle", out var value) && !CircleName.IsValid(value as string))
            return ValueTask.FromResult<object?>(RequestReader.Invalid("circle", Rule));
        return next(context);
    }
}
