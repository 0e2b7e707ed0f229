namespace Gateway.Rhai;

internal static partial class Builtins
{
    private static List<byte> Blob(Ctx c, string name, Dynamic[] a) =>
        a[0].Type == RhaiType.Blob ? a[0].AsBlob : throw NoMatch(c, name, a);

    private static void RegisterBlobs(Action<string, int, BuiltinFn, bool> reg)
    {
        void Reg(string n, int ar, BuiltinFn fn, bool m = false) => reg(n, ar, fn, m);

        Reg("blob", 0, (_, _) => Dynamic.FromBlob([]));
        Reg("to_array", 1, (c, a) => Dynamic.FromArray(Blob(c, "to_array", a).Select(b => Dynamic.FromInt(b)).ToList()));
        // As Rhai: the bytes as UTF-8, a sequence that is not UTF-8 read as U+FFFD.
        Reg("as_string", 1, (c, a) => Dynamic.FromString(System.Text.Encoding.UTF8.GetString([.. Blob(c, "as_string", a)])));
        Reg("blob", 1, (c, a) =>
        {
            var n = Int(c, "blob", a, 0);
            CheckLen(c, n, array: true);
            return Dynamic.FromBlob([.. new byte[Math.Max(0, n)]]);
        });
        Reg("blob", 2, (c, a) =>
        {
            var n = Int(c, "blob", a, 0);
            CheckLen(c, n, array: true);
            var b = new byte[Math.Max(0, n)];
            Array.Fill(b, (byte)Int(c, "blob", a, 1));
            return Dynamic.FromBlob([.. b]);
        });
        foreach (var bigEndian in new[] { false, true })
        {
            var end = bigEndian ? "be" : "le";
            var writeName = "write_" + end;
            // An int or a float from up to 8 bytes of a range (or a start and length); fewer bytes
            // are the leading ones of a big-endian number, the trailing ones of a little-endian one.
            foreach (var isFloat in new[] { false, true })
            {
                var parseName = $"parse_{end}_{(isFloat ? "float" : "int")}";
                BuiltinFn parse = (c, a) =>
                {
                    var blob = Blob(c, parseName, a);
                    var (s, l) = Extent(c, parseName, a, blob.Count, 1);
                    l = Math.Min(l, 8);
                    var bytes = new byte[8];
                    for (var i = 0; i < l; i++) bytes[i] = blob[s + i];
                    if (bigEndian) Array.Reverse(bytes);
                    return isFloat ? Dynamic.FromFloat(BitConverter.ToDouble(bytes)) : Dynamic.FromInt(BitConverter.ToInt64(bytes));
                };
                Reg(parseName, 3, parse);
                Reg(parseName, 2, parse);
            }
            BuiltinFn write = (c, a) =>
            {
                var blob = Blob(c, writeName, a);
                var (s, l) = Extent(c, writeName, a, blob.Count, 1, rest: 1);
                var bytes = a[^1].Type switch
                {
                    RhaiType.Int => BitConverter.GetBytes(a[^1].AsInt),
                    RhaiType.Float => BitConverter.GetBytes(a[^1].AsFloat),
                    _ => throw NoMatch(c, writeName, a),
                };
                if (bigEndian) Array.Reverse(bytes);
                l = Math.Min(l, 8);
                for (var i = 0; i < l; i++) blob[s + i] = bytes[i];
                return Dynamic.Unit;
            };
            Reg(writeName, 4, write, true);
            Reg(writeName, 3, write, true);
        }
        // A string's bytes into a range (or a start and length): its ASCII characters only, or its UTF-8.
        foreach (var utf8 in new[] { false, true })
        {
            var name = utf8 ? "write_utf8" : "write_ascii";
            BuiltinFn writeText = (c, a) =>
            {
                var blob = Blob(c, name, a);
                var (s, l) = Extent(c, name, a, blob.Count, 1, rest: 1);
                var text = a[^1].Type == RhaiType.String ? a[^1].AsString : throw NoMatch(c, name, a);
                var bytes = utf8 ? System.Text.Encoding.UTF8.GetBytes(text) : text.Where(ch => ch < 128).Select(ch => (byte)ch).ToArray();
                for (var i = 0; i < Math.Min(l, bytes.Length); i++) blob[s + i] = bytes[i];
                return Dynamic.Unit;
            };
            Reg(name, 4, writeText, true);
            Reg(name, 3, writeText, true);
        }
    }
}
