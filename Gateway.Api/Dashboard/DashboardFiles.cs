using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;

namespace Gateway.Api.Dashboard;

/// <summary>
/// The dashboard's files, embedded in this assembly (deployments are often offline: nothing comes
/// from a CDN). Read once at start; served with an ETag so a browser revalidates cheaply.
/// </summary>
internal sealed class DashboardFiles
{
    private const string Prefix = "dashboard/";

    /// <summary>The page may load only its own files and call only its own origin.</summary>
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "base-uri 'self'; form-action 'none'; frame-ancestors 'none'";

    private readonly FrozenDictionary<string, File> _files;

    private DashboardFiles(FrozenDictionary<string, File> files) => _files = files;

    public static DashboardFiles Load()
    {
        var assembly = typeof(DashboardFiles).Assembly;
        var types = new FileExtensionContentTypeProvider();
        var files = new Dictionary<string, File>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(Prefix, StringComparison.Ordinal))
                continue;
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var path = name[Prefix.Length..].Replace('\\', '/');
            var type = types.TryGetContentType(path, out var known) ? known : "application/octet-stream";
            if (type.StartsWith("text/", StringComparison.Ordinal) || type.EndsWith("javascript", StringComparison.Ordinal))
                type += "; charset=utf-8";
            files[path] = new File(copy.ToArray(), type);
        }
        return new DashboardFiles(files.ToFrozenDictionary(StringComparer.Ordinal));
    }

    public int Count => _files.Count;

    public IResult Serve(HttpContext context, string path)
    {
        if (!_files.TryGetValue(path.Length == 0 ? "index.html" : path, out var file))
            return TypedResults.NotFound();
        var content = file.Content;
        if (path.Length == 0 || path == "index.html")
        {
            // Behind a proxy that mounts the gateway under a path, the page's links follow it.
            var pathBase = context.Request.PathBase.Value ?? "";
            if (pathBase.Length > 0)
                content = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(content).Replace("href=\"/dashboard/\"", $"href=\"{pathBase}/dashboard/\"", StringComparison.Ordinal));
        }

        var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 12)) + "\"";
        var headers = context.Response.Headers;
        headers.ETag = etag;
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        if (context.Request.Headers.IfNoneMatch.Any(v => v == etag))
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        return TypedResults.Bytes(content, file.ContentType);
    }

    private sealed record File(byte[] Content, string ContentType);
}
