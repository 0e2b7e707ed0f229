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
            var parseName = bigEndian ? "parse_be_int" : "parse_le_int";
            var writeName = bigEndian ? "write_be" : "write_le";
            BuiltinFn parse = (c, a) =>
            {
                var blob = Blob(c, parseName, a);
                var (s, l) = Extent(c, parseName, a, blob.Count, 1);
                l = Math.Min(l, 8);
                var bytes = new byte[8];
                // Big-endian reads the leading bytes of the number, little-endian the trailing ones.
                for (var i = 0; i < l; i++) bytes[i] = blob[s + i];
                if (bigEndian) Array.Reverse(bytes);
                return Dynamic.FromInt(BitConverter.ToInt64(bytes));
            };
            Reg(parseName, 3, parse);
            Reg(parseName, 2, parse);
            BuiltinFn write = (c, a) =>
            {
                var blob = Blob(c, writeName, a);
                var (s, l) = Extent(c, writeName, a, blob.Count, 1);
                var value = a[^1].Type == RhaiType.Int ? a[^1].AsInt : throw NoMatch(c, writeName, a);
                var bytes = BitConverter.GetBytes(value);
                if (bigEndian) Array.Reverse(bytes);
                l = Math.Min(l, 8);
                for (var i = 0; i < l; i++) blob[s + i] = bytes[i];
                return Dynamic.Unit;
            };
            Reg(writeName, 4, write, true);
            Reg(writeName, 3, write, true);
        }
        BuiltinFn writeAscii = (c, a) =>
        {
            var blob = Blob(c, "write_ascii", a);
            var (s, l) = Extent(c, "write_ascii", a, blob.Count, 1);
            var text = a[^1].Type == RhaiType.String ? a[^1].AsString : throw NoMatch(c, "write_ascii", a);
            var ascii = text.Where(ch => ch < 128).Select(ch => (byte)ch).ToArray();
            for (var i = 0; i < Math.Min(l, ascii.Length); i++) blob[s + i] = ascii[i];
            return Dynamic.Unit;
        };
        Reg("write_ascii", 4, writeAscii, true);
        Reg("write_ascii", 3, writeAscii, true);
    }
}
