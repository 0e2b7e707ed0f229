using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Gateway.Core.Redis.Scripts;
using StackExchange.Redis;

namespace Gateway.Core.Redis;

/// <summary>
/// A circle's registered scripts: register (register.lua), read one version or the latest, list,
/// delete. Names follow the circle-name rule, so they are safe inside a key.
/// </summary>
public sealed class ScriptRegistry(IConnectionMultiplexer redis, TimeProvider time)
{
    private IDatabase Db => redis.GetDatabase();

    /// <summary>
    /// Stores the text as the name's new latest version, unless the latest already has this text and
    /// language. A null <paramref name="description"/> keeps the latest version's; one given replaces it.
    /// </summary>
    public async Task<ScriptRegistration> RegisterAsync(string circle, string name, string text, string language, string? description)
    {
        Ensure(circle, name);
        var sha = Sha256(text);
        var reply = await RegisterScript.RunAsync(Db,
            new RegisterScript.Args(circle, name, sha, language, description, time.GetUtcNow().ToUnixTimeMilliseconds(), text));
        var script = new RegisteredScript(name, reply.Version, sha, language, reply.Description, DateTimeOffset.FromUnixTimeMilliseconds(reply.CreatedMs))
        {
            Text = text,
        };
        return new ScriptRegistration(script, reply.Kind == RegisterScript.Kind.NewName, reply.Kind != RegisterScript.Kind.SameText);
    }

    /// <summary>One version (the latest when <paramref name="version"/> is null) with its text; null when there is none.</summary>
    public async Task<RegisteredScript?> GetAsync(string circle, string name, int? version = null)
    {
        Ensure(circle, name);
        var key = RedisKeys.Script(circle, name);
        var db = Db;
        var number = version ?? (int?)(long?)await db.HashGetAsync(key, "latest");
        if (number is not { } v || v < 1)
            return null;
        var p = v.ToString(CultureInfo.InvariantCulture) + ":";
        var f = await db.HashGetAsync(key, [p + "sha256", p + "language", p + "description", p + "created", p + "script"]);
        return f[0].IsNull ? null : Read(name, v, f) with { Text = (string?)f[4] };
    }

    /// <summary>The latest version of every registered script of the circle, by name, without their text.</summary>
    public async Task<IReadOnlyList<RegisteredScript>> ListAsync(string circle)
    {
        CircleName.Ensure(circle);
        var db = Db;
        var names = await db.HashGetAllAsync(RedisKeys.Scripts(circle));
        var batch = db.CreateBatch();
        var reads = names.Select(entry =>
        {
            var name = (string)entry.Name!;
            var p = (string)entry.Value! + ":";
            return (Name: name, Version: (int)entry.Value,
                Fields: batch.HashGetAsync(RedisKeys.Script(circle, name), [p + "sha256", p + "language", p + "description", p + "created"]));
        }).ToArray();
        batch.Execute();
        var found = new List<RegisteredScript>(reads.Length);
        foreach (var read in reads)
        {
            var f = await read.Fields;
            if (!f[0].IsNull)
                found.Add(Read(read.Name, read.Version, f));
        }
        return found.OrderBy(s => s.Name, StringComparer.Ordinal).ToArray();
    }

    /// <summary>Removes the name and all its versions; false when it was not registered. Tasks already submitted keep their text.</summary>
    public async Task<bool> DeleteAsync(string circle, string name)
    {
        Ensure(circle, name);
        var transaction = Db.CreateTransaction();
        var removed = transaction.HashDeleteAsync(RedisKeys.Scripts(circle), name);
        _ = transaction.KeyDeleteAsync(RedisKeys.Script(circle, name));
        await transaction.ExecuteAsync();
        return await removed;
    }

    public static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static RegisteredScript Read(string name, int version, RedisValue[] f) =>
        new(name, version, (string?)f[0] ?? "", (string?)f[1] ?? "javascript", (string?)f[2] ?? "",
            DateTimeOffset.FromUnixTimeMilliseconds((long)f[3]));

    private static void Ensure(string circle, string name)
    {
        CircleName.Ensure(circle);
        if (!CircleName.IsValid(name))
            throw new ArgumentException($"'{name}' is not a valid script name.", nameof(name));
    }
}
