namespace Gateway.Api.Dashboard;

/// <summary>
/// <c>GET /dashboard</c>: the operator's page. The files hold no data and are served to anyone;
/// every figure on the page comes from the public <c>/api</c> endpoints under their usual auth,
/// with the key the page asks for.
/// </summary>
public static class DashboardEndpoints
{
    public static WebApplication MapDashboard(this WebApplication app)
    {
        var files = DashboardFiles.Load();
        if (files.Count == 0)
            throw new InvalidOperationException("The dashboard's files are missing from Gateway.Api's resources.");
        app.MapGet("/dashboard", (HttpContext context) => files.Serve(context, "")).ExcludeFromDescription();
        app.MapGet("/dashboard/{**path}", (string? path, HttpContext context) => files.Serve(context, path ?? ""))
            .ExcludeFromDescription();
        return app;
    }
}
