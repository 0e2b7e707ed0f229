using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NSwag;
using NSwag.CodeGeneration.CSharp;

namespace Gateway.Tests.Contract;

/// <summary>
/// A C# client generated from the live document by NSwag with its default settings, compiled in
/// memory, as a service team would use it. Calls go by operation name and parameter name, so
/// the test reads like the client's use.
/// </summary>
public sealed class GeneratedClient
{
    private readonly Assembly _assembly;
    private readonly object _client;

    private GeneratedClient(Assembly assembly, object client, string code)
    {
        _assembly = assembly;
        _client = client;
        Code = code;
    }

    public string Code { get; }

    public static async Task<GeneratedClient> CreateAsync(string documentJson, HttpClient http)
    {
        var document = await OpenApiDocument.FromJsonAsync(documentJson);
        var code = new CSharpClientGenerator(document, new CSharpClientGeneratorSettings()).GenerateFile();
        var assembly = Compile(code);
        var type = assembly.GetTypes().Single(t => t.Name == "Client");
        var constructor = type.GetConstructors().Single();
        var arguments = constructor.GetParameters()
            .Select(p => p.ParameterType == typeof(HttpClient) ? (object)http : http.BaseAddress!.ToString())
            .ToArray();
        return new GeneratedClient(assembly, constructor.Invoke(arguments), code);
    }

    private static Assembly Compile(string code)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create(
            "Gateway.GeneratedClient",
            [CSharpSyntaxTree.ParseText(code)],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        var errors = emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.That(errors, Is.Empty, "the generated client does not compile:\n" + string.Join("\n", errors.Take(20)));
        return Assembly.Load(image.ToArray());
    }

    /// <summary>A body or model type of the client, with its properties set by name.</summary>
    public object New(string typeName, params (string Property, object? Value)[] values)
    {
        var type = _assembly.GetTypes().Single(t => t.Name == typeName);
        var instance = Activator.CreateInstance(type)!;
        foreach (var (property, value) in values)
        {
            var info = type.GetProperty(property) ?? throw new MissingMemberException(typeName, property);
            info.SetValue(instance, value is System.Collections.IEnumerable list && value is not string && !info.PropertyType.IsInstanceOfType(value)
                ? ToCollection(info.PropertyType, list)
                : value);
        }
        return instance;
    }

    /// <summary>Calls <c>{operation}Async</c> with arguments by parameter name (others default) and awaits its result.</summary>
    public async Task<object?> CallAsync(string operation, params (string Parameter, object? Value)[] arguments)
    {
        // NSwag emits each operation twice, with and without a trailing CancellationToken.
        var method = _client.GetType().GetMethods()
            .Where(m => m.Name == operation + "Async")
            .OrderBy(m => m.GetParameters().Length)
            .First();
        var parameters = method.GetParameters();
        var values = parameters.Select(p =>
        {
            var given = arguments.Where(a => Same(a.Parameter, p.Name!)).Select(a => (Found: true, a.Value)).FirstOrDefault();
            if (given.Found)
                return given.Value;
            if (p.ParameterType == typeof(CancellationToken))
                return CancellationToken.None;
            return p.ParameterType.IsValueType ? Activator.CreateInstance(p.ParameterType) : null;
        }).ToArray();
        var unknown = arguments.Where(a => !parameters.Any(p => Same(a.Parameter, p.Name!))).Select(a => a.Parameter).ToArray();
        Assert.That(unknown, Is.Empty, $"{method.Name}({string.Join(", ", parameters.Select(p => p.Name))}) has no such parameter");

        var task = (Task)method.Invoke(_client, values)!;
        await task;
        return task.GetType().GetProperty("Result")?.GetValue(task);
    }

    /// <summary>Calls an operation that must fail, and returns the client's ApiException status code.</summary>
    public async Task<int> StatusOfFailureAsync(string operation, params (string Parameter, object? Value)[] arguments)
    {
        try
        {
            await CallAsync(operation, arguments);
        }
        catch (Exception ex) when (ex.GetType().Name.StartsWith("ApiException", StringComparison.Ordinal))
        {
            return (int)ex.GetType().GetProperty("StatusCode")!.GetValue(ex)!;
        }
        Assert.Fail($"{operation} succeeded; a failure was expected");
        return 0;
    }

    /// <summary>
    /// The argument for a wire value: the generated enum member when NSwag made an enum of the
    /// parameter (a string with <c>enum</c> in the document), else the string itself.
    /// </summary>
    public object ArgumentFor(string operation, string parameter, string wire)
    {
        var type = _client.GetType().GetMethods().First(m => m.Name == operation + "Async").GetParameters()
            .Single(p => Same(parameter, p.Name!)).ParameterType;
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsEnum ? Enum.GetValues(type).Cast<object>().Single(v => Wire(v) == wire) : wire;
    }

    public static object? Get(object? model, string property) =>
        model is null
            ? null
            : (model.GetType().GetProperty(property) ?? throw new MissingMemberException(model.GetType().Name, property)).GetValue(model);

    /// <summary>A generated enum's wire value (its EnumMember), e.g. <c>"completed"</c>.</summary>
    public static string? Wire(object? value)
    {
        if (value is null)
            return null;
        var member = value.GetType().GetField(value.ToString()!);
        return member?.GetCustomAttribute<System.Runtime.Serialization.EnumMemberAttribute>()?.Value ?? value.ToString();
    }

    private static bool Same(string a, string b) =>
        string.Equals(a.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal),
            b.Replace("_", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);

    private static object ToCollection(Type target, System.Collections.IEnumerable items)
    {
        var element = target.IsGenericType ? target.GetGenericArguments()[0] : typeof(object);
        var list = (System.Collections.IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
        foreach (var item in items)
            list.Add(item);
        return list;
    }
}
