using System.Text;

namespace Gateway.Bench;

/// <summary>The scripts the benchmarks run, by weight.</summary>
internal static class Scripts
{
    public const string Trivial = "args.a + args.b";

    public const string Fib20 = "function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2) } fib(20)";

    /// <summary>A 200-line script: 50 small functions of 4 lines, then one line that calls them all.</summary>
    public static readonly string TwoHundredLines = Build();

    private static string Build()
    {
        var text = new StringBuilder();
        for (var i = 0; i < 49; i++)
        {
            text.Append("function step").Append(i).AppendLine("(input) {");
            text.Append("  const table = { id: ").Append(i).AppendLine(", name: 'step', weights: [1, 2, 3, 4] };");
            text.AppendLine("  return input + table.weights.map(w => w * table.id).reduce((a, b) => a + b, 0);");
            text.AppendLine("}");
        }
        text.AppendLine("let total = 0;");
        text.AppendLine("for (let i = 0; i < 49; i++) { total = globalThis['step' + i] ? total : total; }");
        text.Append("total = ");
        for (var i = 0; i < 49; i++)
            text.Append("step").Append(i).Append("(0) + ");
        text.AppendLine("0;");
        text.AppendLine("total");
        return text.ToString();
    }
}
