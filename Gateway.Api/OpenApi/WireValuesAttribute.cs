using System.Reflection;

namespace Gateway.Api.OpenApi;

/// <summary>
/// The property takes only the values of the public string constants of <see cref="Constants"/>
/// (e.g. <c>TaskStates</c>, <c>ErrorCodes</c>): the document lists them as its <c>enum</c>, so a
/// constant added there is in the contract without another edit.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class WireValuesAttribute(Type constants) : Attribute
{
    public Type Constants { get; } = constants;

    public IReadOnlyList<string> Values =>
        Constants.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f is { IsLiteral: true } && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToArray();
}
