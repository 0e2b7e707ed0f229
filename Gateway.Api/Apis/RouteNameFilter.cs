namespace Gateway.Api.Apis;

/// <summary>
/// A route value that names something — a <c>{circle}</c>, a script's or a schedule's <c>{name}</c> —
/// must follow the name rule before any handler builds a key from it: 400 naming the value otherwise,
/// on every method of the route alike.
/// </summary>
internal sealed class RouteNameFilter(string parameter, string what) : IEndpointFilter
{
    /// <summary>The <c>{circle}</c> of every route under a circle.</summary>
    public static readonly RouteNameFilter Circle = new("circle", "circle name");

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (context.HttpContext.Request.RouteValues.TryGetValue(parameter, out var value) && !CircleName.IsValid(value as string))
            return ValueTask.FromResult<object?>(RequestReader.Invalid(parameter, RequestReader.NameRule(what)));
        return next(context);
    }
}
