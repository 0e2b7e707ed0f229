using System.Reflection;
using Gateway.Api.Hosting;
using Gateway.Api.Security;
using Gateway.Core.Configuration;
using Gateway.Core.Redis;
using YamlDotNet.RepresentationModel;

namespace Gateway.Tests.Operations;

/// <summary>
/// The Dockerfile, compose file and Kubernetes manifests parse, and name only settings, ports,
/// paths and environment variables the application really reads.
/// </summary>
[TestFixture]
public sealed class DeploymentFilesTests
{
    private static readonly string Root = FindRoot();

    private static readonly Dictionary<string, Type> Sections = new(StringComparer.OrdinalIgnoreCase)
    {
        [WorkerOptions.Section] = typeof(WorkerOptions),
        [LimitsOptions.Section] = typeof(LimitsOptions),
        [TaskOptions.Section] = typeof(TaskOptions),
        [AuthOptions.Section] = typeof(AuthOptions),
        [RateLimitOptions.Section] = typeof(RateLimitOptions),
        [EmbeddedRedisOptions.Section] = typeof(EmbeddedRedisOptions),
    };

    /// <summary>Variables read by .NET itself or by OpenTelemetry, rather than by our options.</summary>
    private static readonly string[] Platform =
        ["ASPNETCORE_HTTP_PORTS", "ASPNETCORE_URLS", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT", "DOTNET_GCHeapHardLimit", "OTEL_EXPORTER_OTLP_ENDPOINT"];

    private static readonly string[] HttpPaths = ["/health/live", "/health/ready", "/metrics"];

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(dir!.FullName, "Gateway.sln")))
            dir = dir.Parent;
        return dir.FullName;
    }

    private static IEnumerable<string> YamlFiles() =>
        new[] { Path.Combine(Root, "docker-compose.yml") }.Concat(Directory.GetFiles(Path.Combine(Root, "deploy", "k8s"), "*.yaml").Order());

    private static List<YamlMappingNode> Documents(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
    }

    private static IEnumerable<YamlNode> All(YamlNode node) => node switch
    {
        YamlMappingNode map => new[] { node }.Concat(map.Children.SelectMany(c => All(c.Key).Concat(All(c.Value)))),
        YamlSequenceNode list => new[] { node }.Concat(list.Children.SelectMany(All)),
        _ => [node],
    };

    /// <summary>Every environment variable name a file sets, in compose or Kubernetes form.</summary>
    private static IEnumerable<string> EnvironmentNames(YamlMappingNode document)
    {
        foreach (var map in All(document).OfType<YamlMappingNode>())
        {
            foreach (var (key, value) in map.Children)
            {
                var name = ((YamlScalarNode)key).Value;
                if (name == "environment" && value is YamlMappingNode compose)
                {
                    foreach (var variable in compose.Children.Keys)
                        yield return ((YamlScalarNode)variable).Value!;
                }
                if (name == "env" && value is YamlSequenceNode k8s)
                {
                    foreach (var item in k8s.Children.OfType<YamlMappingNode>())
                        yield return ((YamlScalarNode)item["name"]).Value!;
                }
                if (name == "data" && document["kind"] is YamlScalarNode { Value: "ConfigMap" } && value is YamlMappingNode data)
                {
                    foreach (var variable in data.Children.Keys)
                        yield return ((YamlScalarNode)variable).Value!;
                }
            }
        }
    }

    private static bool IsSetting(string variable)
    {
        if (Platform.Contains(variable))
            return true;
        var key = variable.Replace("__", ":", StringComparison.Ordinal);
        if (key.Equals("ConnectionStrings:" + RedisConnector.ConnectionStringName, StringComparison.OrdinalIgnoreCase))
            return true;
        var section = Sections.Keys.FirstOrDefault(s => key.StartsWith(s + ":", StringComparison.OrdinalIgnoreCase));
        if (section is null)
            return false;
        var property = key[(section.Length + 1)..].Split(':')[0];
        return Sections[section].GetProperty(property, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase) is { CanWrite: true };
    }

    [TestCaseSource(nameof(YamlFiles))]
    public void YamlFile_Parses_AndSetsOnlyVariablesTheApplicationReads(string path)
    {
        var documents = Documents(path);
        Assert.That(documents, Is.Not.Empty);

        var names = documents.SelectMany(EnvironmentNames).Distinct().ToArray();
        Assert.That(names.Where(n => !IsSetting(n)), Is.Empty, $"{Path.GetFileName(path)} sets variables nothing reads");
        if (!path.EndsWith("keda-scaledobject.yaml", StringComparison.Ordinal))
            Assert.That(names, Is.Not.Empty, "the check saw the file's variables");
    }

    [TestCase("Gateway__Workers__Concurency", false)]
    [TestCase("Gateway__Nothing__Here", false)]
    [TestCase("REDIS_URL", false)]
    [TestCase("Gateway__Workers__Concurrency", true)]
    [TestCase("gateway__limits__memorybytes", true)]
    [TestCase("ConnectionStrings__Redis", true)]
    public void TheVariableCheck_TellsKnownSettingsFromTypos(string variable, bool known)
    {
        Assert.That(IsSetting(variable), Is.EqualTo(known));
    }

    [Test]
    public void KubernetesProbes_UseTheHealthPaths_OnTheContainersPort()
    {
        foreach (var file in new[] { "api.yaml", "worker.yaml" })
        {
            var deployment = Documents(Path.Combine(Root, "deploy", "k8s", file)).First(d => ((YamlScalarNode)d["kind"]).Value == "Deployment");
            var container = (YamlMappingNode)((YamlSequenceNode)deployment["spec"]["template"]["spec"]["containers"]).Children[0];
            var port = ((YamlScalarNode)((YamlMappingNode)((YamlSequenceNode)container["ports"]).Children[0])["containerPort"]).Value;
            var httpPorts = ((YamlSequenceNode)container["env"]).Children.OfType<YamlMappingNode>()
                .Single(e => ((YamlScalarNode)e["name"]).Value == "ASPNETCORE_HTTP_PORTS");
            Assert.That(((YamlScalarNode)httpPorts["value"]).Value, Is.EqualTo(port), $"{file}: the app listens on the container's port");
            foreach (var probe in new[] { "readinessProbe", "livenessProbe" })
                Assert.That(HttpPaths, Does.Contain(((YamlScalarNode)container[probe]["httpGet"]["path"]).Value), $"{file} {probe}");
        }
    }

    [Test]
    public void KedaTriggers_WatchTheQueueKeysOfTheProtocol()
    {
        var scaled = Documents(Path.Combine(Root, "deploy", "k8s", "keda-scaledobject.yaml")).First(d => ((YamlScalarNode)d["kind"]).Value == "ScaledObject");
        var lists = ((YamlSequenceNode)scaled["spec"]["triggers"]).Children
            .Select(t => ((YamlScalarNode)t["metadata"]["listName"]).Value!).ToArray();

        Assert.That(lists, Is.Not.Empty);
        foreach (var circle in lists.Select(l => l["rhai:queue:{".Length..l.IndexOf('}', StringComparison.Ordinal)]).Distinct())
        {
            // Scaling sees every priority's lane of each circle it watches.
            var lanes = RedisKeys.Lanes(circle).ToArray().Select(k => (string)k!).ToArray();
            Assert.That(lists.Where(l => l.StartsWith($"rhai:queue:{{{circle}}}", StringComparison.Ordinal)), Is.EquivalentTo(lanes), circle);
        }
        Assert.That(((YamlScalarNode)scaled["spec"]["scaleTargetRef"]["name"]).Value, Is.EqualTo("gateway-worker"));
    }

    [Test]
    public void Dockerfile_IsMultiStage_NonRoot_WithAHealthCheck_AndCopiesWhatExists()
    {
        var lines = File.ReadAllLines(Path.Combine(Root, "Dockerfile")).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();

        Assert.That(lines.Count(l => l.StartsWith("FROM ", StringComparison.Ordinal)), Is.EqualTo(2));
        Assert.That(lines, Has.Some.StartsWith("USER app"));
        Assert.That(lines, Has.Some.StartsWith("HEALTHCHECK "));
        Assert.That(lines, Has.Some.Contains("CMD curl").And.Contains("/health/live"), "the health check asks the app's liveness path");
        foreach (var copy in lines.Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from", StringComparison.Ordinal)))
        {
            var parts = copy.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Where(p => !p.StartsWith("--", StringComparison.Ordinal)).ToArray();
            foreach (var source in parts[..^1])
                Assert.That(File.Exists(Path.Combine(Root, source)) || Directory.Exists(Path.Combine(Root, source)), Is.True, $"COPY {source}");
        }
        // Every project the two hosts build from — their references, followed all the way — is
        // copied in both layers: its project file before the restore, its folder before the publish.
        foreach (var project in ProjectsBehind("Gateway.Api", "Gateway.Workers"))
        {
            Assert.That(lines, Has.Some.StartsWith($"COPY {project}/{project}.csproj {project}/"), $"{project}'s project file is copied for the restore");
            Assert.That(lines, Has.Some.StartsWith($"COPY {project}/ {project}/"), $"{project}'s sources are copied for the publish");
        }
        var entrypoint = File.ReadAllText(Path.Combine(Root, "deploy", "entrypoint.sh"));
        Assert.That(entrypoint, Does.Contain("/app/api/Gateway.Api.dll").And.Contain("/app/worker/Gateway.Workers.dll"));
    }

    /// <summary>The named projects and every project they reference, directly or not.</summary>
    private static SortedSet<string> ProjectsBehind(params string[] roots)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(roots);
        while (pending.TryPop(out var project))
        {
            if (!found.Add(project))
                continue;
            var file = System.Xml.Linq.XDocument.Load(Path.Combine(Root, project, project + ".csproj"));
            foreach (var reference in file.Descendants("ProjectReference"))
                pending.Push(Path.GetFileNameWithoutExtension((string)reference.Attribute("Include")!));
        }
        return found;
    }
}
