using Gateway.Core.Redis;
using System.Reflection;
using System.Text.Json.Nodes;
using Gateway.Api.OpenApi;
using Gateway.Core.Queueing;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Contract;

/// <summary>
/// The document checked against the code that serves it: every endpoint is in it, every status
/// a handler's result type can produce is declared, and the schemas say what the wire carries.
/// </summary>
[TestFixture]
public sealed class OpenApiDocumentTests : ApiFixture
{
    private ContractDocument _document = null!;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        // Not the default, to show the document states the running limits.
        ["Gateway:Limits:MaxWaitSeconds"] = "42",
        ["Gateway:Limits:MaxTimeoutMs"] = "12345",
    };

    [OneTimeSetUp]
    public async Task Fetch() => _document = await ContractDocument.FetchAsync(Client);

    private IEnumerable<RouteEndpoint> ApiEndpoints() =>
        Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true);

    private static string DocumentPath(RouteEndpoint endpoint) => endpoint.RoutePattern.RawText!.TrimEnd('/');

    private static string Method(RouteEndpoint endpoint) => endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Single();

    [Test]
    public void EveryApiEndpoint_IsInTheDocument()
    {
        var endpoints = ApiEndpoints().ToArray();

        Assert.That(endpoints, Has.Length.GreaterThan(10));
        Assert.Multiple(() =>
        {
            foreach (var endpoint in endpoints)
                Assert.That(_document.Operation(DocumentPath(endpoint), Method(endpoint)), Is.Not.Null, $"{Method(endpoint)} {DocumentPath(endpoint)}");
        });
    }

    /// <summary>
    /// The statuses a handler's <c>Results&lt;…&gt;</c> can produce, as the framework reads them
    /// from each result type (<c>Ok&lt;T&gt;</c> 200, <c>Accepted&lt;T&gt;</c> 202, …), must be declared
    /// with their content type; a handler that can return a ProblemDetails must declare error statuses
    /// as <c>application/problem+json</c>.
    /// </summary>
    [Test]
    public void EveryStatusAHandlersResultTypeCanProduce_IsDeclared()
    {
        var checkedResults = 0;
        Assert.Multiple(() =>
        {
            foreach (var endpoint in ApiEndpoints())
            {
                var operation = _document.Operation(DocumentPath(endpoint), Method(endpoint));
                var name = $"{Method(endpoint)} {DocumentPath(endpoint)}";
                if (operation is null)
                {
                    Assert.Fail($"{name} is not in the document");
                    continue;
                }
                var returned = endpoint.Metadata.GetMetadata<MethodInfo>()!.ReturnType;
                foreach (var result in ResultTypes(returned))
                {
                    if (result == typeof(Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult))
                    {
                        var problems = ContractDocument.StatusesOf(operation).Where(s => s[0] is '4' or '5').ToArray();
                        Assert.That(problems.Where(s => s is not ("401" or "403" or "429" or "500" or "503")), Is.Not.Empty,
                            $"{name} returns a ProblemDetails of its own but declares no handler error status");
                        foreach (var status in problems)
                            Assert.That(operation["responses"]![status]!["content"]?["application/problem+json"], Is.Not.Null, $"{name} {status}");
                        continue;
                    }
                    foreach (var (status, contentTypes) in Produced(result))
                    {
                        checkedResults++;
                        var response = operation["responses"]![status.ToString(System.Globalization.CultureInfo.InvariantCulture)];
                        Assert.That(response, Is.Not.Null, $"{name}: {result.Name} produces {status}, not declared");
                        foreach (var contentType in contentTypes)
                            Assert.That(response?["content"]?[contentType], Is.Not.Null, $"{name}: {status} {contentType}");
                    }
                }
            }
        });
        Assert.That(checkedResults, Is.GreaterThan(15));
    }

    /// <summary>Task&lt;Results&lt;A, B&gt;&gt; → A, B; Task&lt;Ok&lt;T&gt;&gt; → Ok&lt;T&gt;.</summary>
    private static IEnumerable<Type> ResultTypes(Type returned)
    {
        if (returned.IsGenericType && returned.GetGenericTypeDefinition() == typeof(Task<>))
            returned = returned.GetGenericArguments()[0];
        if (returned.IsGenericType && returned.Namespace == "Microsoft.AspNetCore.Http.HttpResults" && returned.Name.StartsWith("Results`", StringComparison.Ordinal))
            return returned.GetGenericArguments();
        return typeof(IResult).IsAssignableFrom(returned) ? [returned] : [];
    }

    /// <summary>What the framework itself says a result type produces (its <see cref="IEndpointMetadataProvider"/>).</summary>
    private static IEnumerable<(int Status, IEnumerable<string> ContentTypes)> Produced(Type result)
    {
        if (!typeof(IEndpointMetadataProvider).IsAssignableFrom(result))
            return [];
        var builder = new RouteEndpointBuilder(_ => Task.CompletedTask, RoutePatternFactory.Parse("/"), 0);
        var populate = result.GetInterfaceMap(typeof(IEndpointMetadataProvider)).TargetMethods.Single();
        populate.Invoke(null, [typeof(OpenApiDocumentTests).GetMethod(nameof(Produced), BindingFlags.NonPublic | BindingFlags.Static)!, builder]);
        return builder.Metadata.OfType<IProducesResponseTypeMetadata>().Select(m => (m.StatusCode, m.ContentTypes)).ToArray();
    }

    [Test]
    public void EveryErrorResponse_IsAProblemDetails()
    {
        Assert.Multiple(() =>
        {
            foreach (var path in _document.Paths.Where(p => p.StartsWith("/api/", StringComparison.Ordinal)))
            {
                foreach (var (method, operation) in _document.Root["paths"]![path]!.AsObject())
                {
                    foreach (var status in ContractDocument.StatusesOf(operation!.AsObject()).Where(s => s[0] is '4' or '5'))
                    {
                        var schema = operation["responses"]![status]!["content"]?["application/problem+json"]?["schema"]?["$ref"]?.GetValue<string>();
                        Assert.That(schema, Does.EndWith("ProblemDetails"), $"{method} {path} {status}");
                    }
                }
            }
        });
    }

    [Test]
    public void Info_HasTitleDescription_AndTheAssemblysVersion()
    {
        var info = _document.Root["info"]!;
        var informational = typeof(OpenApiExtensions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

        Assert.That(info["title"]!.GetValue<string>(), Is.EqualTo("Gateway API"));
        Assert.That(info["description"]!.GetValue<string>(), Does.Contain("circles").And.Contain("ProblemDetails"));
        Assert.That(info["version"]!.GetValue<string>(), Is.EqualTo(informational.Split('+')[0]).And.Not.Empty);
    }

    [Test]
    public void TheTask_SaysWhatIsNullable_AndItsEnums()
    {
        var task = _document.Schema("TaskView");
        var properties = task["properties"]!;

        Assert.That(task["required"]!.AsArray().Select(n => n!.GetValue<string>()), Does.Contain("result").And.Contain("error").And.Contain("status"));
        Assert.That(properties["result"]!["nullable"]!.GetValue<bool>(), Is.True);
        Assert.That(properties["error"]!["nullable"]!.GetValue<bool>(), Is.True);
        Assert.That(properties["error"]!["allOf"]![0]!["$ref"]!.GetValue<string>(), Does.EndWith("TaskErrorView"));
        Assert.That(properties["finishedAt"]!["format"]!.GetValue<string>(), Is.EqualTo("date-time"));
        Assert.That(properties["finishedAt"]!["nullable"]!.GetValue<bool>(), Is.True);
        Assert.That(properties["id"]!["nullable"], Is.Null);
        Assert.That((properties["retryOf"]!["nullable"]!.GetValue<bool>(), properties["retriedBy"]!["nullable"]!.GetValue<bool>()), Is.EqualTo((true, true)));
        Assert.That(Enum(properties["status"]!), Is.EquivalentTo(ConstantsOf(typeof(TaskStates))));
        Assert.That(Enum(_document.Schema("TaskErrorView")["properties"]!["code"]!), Is.EquivalentTo(ConstantsOf(typeof(ErrorCodes))));
        // A schedule's body takes a task's fields as a submit does, with the same rules.
        foreach (var body in new[] { "SubmitRequest", "ScheduleRequest" })
            Assert.That(Enum(_document.Schema(body)["properties"]!["language"]!), Is.EquivalentTo(ConstantsOf(typeof(ScriptLanguages))), body);
        Assert.That(_document.Schema("CircleView")["properties"]!["pending"]!["format"]!.GetValue<string>(), Is.EqualTo("int64"));
        Assert.That(Enum(_document.Schema("HealthView")["properties"]!["status"]!), Is.EquivalentTo(new[] { "healthy", "degraded", "unhealthy" }));
        Assert.That(Enum(_document.Schema("HealthCheckView")["properties"]!["status"]!), Is.EquivalentTo(ConstantsOf(typeof(Gateway.Api.Apis.HealthStates))));
    }

    [Test]
    public void Constraints_AreTheRunningOnes()
    {
        var submit = _document.Operation("/api/circles/{circle}/tasks", "post")!;
        var parameters = submit["parameters"]!.AsArray();
        var circle = parameters.Single(p => p!["name"]!.GetValue<string>() == "circle")!;
        var wait = parameters.Single(p => p!["name"]!.GetValue<string>() == "wait")!;
        var timeout = _document.Schema("SubmitRequest")["properties"]!["timeoutMs"]!;
        var scheduleTimeout = _document.Schema("ScheduleRequest")["properties"]!["timeoutMs"]!;
        var limit = _document.Operation("/api/circles/{circle}/tasks", "get")!["parameters"]!.AsArray()
            .Single(p => p!["name"]!.GetValue<string>() == "limit")!;

        Assert.That(circle["schema"]!["pattern"]!.GetValue<string>(), Is.EqualTo("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"));
        Assert.That(wait["schema"]!["type"]!.GetValue<string>(), Is.EqualTo("number"));
        Assert.That(wait["schema"]!["maximum"]!.GetValue<double>(), Is.EqualTo(42));
        Assert.That(wait["schema"]!["minimum"]!.GetValue<double>(), Is.Zero);
        Assert.That(timeout["maximum"]!.GetValue<double>(), Is.EqualTo(12345));
        Assert.That(timeout["minimum"]!.GetValue<double>(), Is.EqualTo(1));
        Assert.That((scheduleTimeout["maximum"]!.GetValue<double>(), scheduleTimeout["minimum"]!.GetValue<double>()), Is.EqualTo((12345d, 1d)));
        Assert.That(limit["schema"]!["maximum"]!.GetValue<double>(), Is.EqualTo(500));
        Assert.That(limit["schema"]!["default"]!.GetValue<int>(), Is.EqualTo(50));
    }

    [Test]
    public void DomainViews_PageByAfter_WithNoDefaultLimit_AndDeclareTheLinkHeader()
    {
        foreach (var view in new[] { "calendars", "events", "flows", "contracts" })
        {
            var list = _document.Operation($"/api/circles/{{circle}}/{view}", "get")!;
            var parameters = list["parameters"]!.AsArray();
            var limit = parameters.Single(p => p!["name"]!.GetValue<string>() == "limit")!;
            var after = parameters.Single(p => p!["name"]!.GetValue<string>() == "after")!;

            Assert.That(limit["schema"]!["maximum"]!.GetValue<double>(), Is.EqualTo(500), view);
            Assert.That(limit["schema"]!["default"], Is.Null, $"{view}: no limit means every entity, not a page");
            Assert.That(after["schema"]!["type"]!.GetValue<string>(), Is.EqualTo("integer"), view);
            Assert.That(after["schema"]!["minimum"]!.GetValue<double>(), Is.Zero, view);
            Assert.That(list["responses"]!["200"]!["headers"]!["Link"]!["schema"]!["type"]!.GetValue<string>(), Is.EqualTo("string"), view);
            Assert.That(list["responses"]!["400"], Is.Not.Null, view);
            var delete = _document.Operation($"/api/circles/{{circle}}/{view}/{{id}}", "delete")!;
            Assert.That(delete["responses"]!.AsObject().Select(r => r.Key), Is.SupersetOf(new[] { "204", "404" }), view);
        }
        Assert.That(_document.Operation("/api/circles/{circle}/scripts", "get")!["responses"]!["200"]!["headers"], Is.Null,
            "a list without a cursor names no next page");
    }

    [Test]
    public void PauseAndResume_AnswerTheCircle_WhichSaysWhetherItIsPaused()
    {
        foreach (var action in new[] { "pause", "resume" })
        {
            var operation = _document.Operation($"/api/circles/{{circle}}/{action}", "post")!;
            Assert.That(operation["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>(), Does.EndWith("CircleView"), action);
        }
        Assert.That(_document.Schema("CircleView")["properties"]!["paused"]!["type"]!.GetValue<string>(), Is.EqualTo("boolean"));
        Assert.That(_document.Schema("CircleView")["required"]!.AsArray().Select(r => r!.GetValue<string>()), Does.Contain("paused"));
    }

    [Test]
    public void Drain_TakesABooleanScheduled_AndAnswersHowManyWithTheCircle()
    {
        var drain = _document.Operation("/api/circles/{circle}/drain", "post")!;
        var scheduled = drain["parameters"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == "scheduled")!;

        Assert.That(drain["operationId"]!.GetValue<string>(), Is.EqualTo("DrainCircle"));
        Assert.That((scheduled["in"]!.GetValue<string>(), scheduled["schema"]!["type"]!.GetValue<string>()), Is.EqualTo(("query", "boolean")));
        Assert.That(scheduled["schema"]!["default"]!.GetValue<bool>(), Is.False);
        Assert.That(drain["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>(), Does.EndWith("DrainView"));
        Assert.That(drain["responses"]!["400"]!["content"]!["application/problem+json"], Is.Not.Null);
        Assert.That(_document.Schema("DrainView")["required"]!.AsArray().Select(r => r!.GetValue<string>()), Is.EquivalentTo(new[] { "cancelled", "circle" }));
    }

    [Test]
    public void RetryFailed_TakesALimit_AndAnswersTheNewTasks()
    {
        var retry = _document.Operation("/api/circles/{circle}/tasks/retry", "post")!;
        var limit = retry["parameters"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == "limit")!;

        Assert.That(retry["operationId"]!.GetValue<string>(), Is.EqualTo("RetryFailedTasks"));
        Assert.That((limit["schema"]!["default"]!.GetValue<int>(), limit["schema"]!["maximum"]!.GetValue<int>()), Is.EqualTo((100, 500)));
        Assert.That(retry["responses"]!["202"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>(), Does.EndWith("BatchView"));
        Assert.That(retry["responses"]!["400"], Is.Not.Null);
    }

    [Test]
    public void TaskList_PagesByBefore_AndDeclaresTheLinkHeader()
    {
        var list = _document.Operation("/api/circles/{circle}/tasks", "get")!;
        var before = list["parameters"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == "before")!;

        Assert.That(before["in"]!.GetValue<string>(), Is.EqualTo("query"));
        Assert.That(before["schema"]!["type"]!.GetValue<string>(), Is.EqualTo("string"));
        Assert.That(before["schema"]!["pattern"]!.GetValue<string>(), Is.EqualTo("^[0-9a-f]{32}$"));
        var link = list["responses"]!["200"]!["headers"]!["Link"]!;
        Assert.That(link["description"]!.GetValue<string>(), Does.Contain("?before=ID"));
        Assert.That(list["description"]!.GetValue<string>(), Does.Contain(TaskReader.MaxScanned.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public void Bodies_HaveExamples_AndTextBodiesAreStrings()
    {
        var body = _document.Operation("/api/circles/{circle}/tasks", "post")!["requestBody"]!["content"]!;
        var events = _document.Operation("/api/circles/{circle}/tasks/{id}/events", "get")!["responses"]!["200"]!["content"]!;

        Assert.That(_document.Schema("SubmitRequest")["example"]!["script"]!.GetValue<string>(), Is.Not.Empty);
        Assert.That(_document.Schema("BatchRequest")["example"]!["tasks"]!.AsArray(), Is.Not.Empty);
        Assert.That(body["application/json"]!["schema"]!["$ref"]!.GetValue<string>(), Does.EndWith("SubmitRequest"));
        Assert.That(body["application/javascript"]!["schema"]!["type"]!.GetValue<string>(), Is.EqualTo("string"));
        Assert.That(events["text/event-stream"]!["schema"]!["type"]!.GetValue<string>(), Is.EqualTo("string"));
        Assert.That(events.AsObject().Select(c => c.Key), Is.EquivalentTo(new[] { "text/event-stream" }));
    }

    [Test]
    public void HealthEndpoints_AreInTheDocument_WithoutAuth()
    {
        foreach (var path in new[] { "/health/live", "/health/ready" })
        {
            var operation = _document.Operation(path, "get");
            Assert.That(operation, Is.Not.Null, path);
            Assert.That(ContractDocument.StatusesOf(operation!), Is.EquivalentTo(new[] { "200", "503" }));
            Assert.That(operation!["security"], Is.Null);
        }
    }

    [Test]
    public void BothSchemes_AreDeclared_AndEveryApiOperationAcceptsEither()
    {
        var schemes = _document.Root["components"]!["securitySchemes"]!;

        Assert.That(schemes["ApiKey"]!["type"]!.GetValue<string>(), Is.EqualTo("apiKey"));
        Assert.That(schemes["ApiKey"]!["name"]!.GetValue<string>(), Is.EqualTo("X-Api-Key"));
        Assert.That(schemes["ApiKey"]!["in"]!.GetValue<string>(), Is.EqualTo("header"));
        Assert.That(schemes["Bearer"]!["type"]!.GetValue<string>(), Is.EqualTo("http"));
        Assert.That(schemes["Bearer"]!["scheme"]!.GetValue<string>(), Is.EqualTo("bearer"));
        Assert.Multiple(() =>
        {
            foreach (var endpoint in ApiEndpoints())
            {
                var security = _document.Operation(DocumentPath(endpoint), Method(endpoint))!["security"]!.AsArray();
                var names = security.SelectMany(r => r!.AsObject().Select(s => s.Key)).ToArray();
                Assert.That(names, Is.EquivalentTo(new[] { "ApiKey", "Bearer" }), DocumentPath(endpoint));
                // This fixture configures no credential: the empty requirement says anonymous calls work.
                Assert.That(security.Any(r => r!.AsObject().Count == 0), Is.True, DocumentPath(endpoint));
            }
        });
    }

    private static string[] Enum(JsonNode schema) => schema["enum"]!.AsArray().Select(n => n!.GetValue<string>()).ToArray();

    private static string[] ConstantsOf(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToArray();
}
