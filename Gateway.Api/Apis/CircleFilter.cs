using Gateway.Core.Tasks;

namespace Gateway.Api.Apis;

/// <summary>Rejects a route whose <c>{circle}</c> is not a valid circle name, before any handler runs.</summary>
internal sealed class CircleFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var circle = context.HttpContext.Request.RouteValues["circle"] as string;
        if (!CircleName.IsValid(circle))
        {
            return RequestReader.Invalid("circle",
                "A circle name is 1–64 characters of letters, digits, '_' and '-', starting with a letter or digit.");
        }
        return await next(context);
    }
}
