using StackExchange.Redis;

namespace Gateway.Core.Redis.Scripts;

/// <summary>model-write.lua: store a new or changed entity, within the circle's byte limit.</summary>
internal static class ModelWriteScript
{
    private static readonly LuaScript Lua = LuaScript.Load("model-write");

    /// <param name="Read">The JSON the entity held when read; empty for a new one.</param>
    public sealed record Args(string Circle, string Kind, long Id, string Read, string Json, long MaxBytes) : ScriptArgs(Circle)
    {
        public override RedisKey[] Keys() => [RedisKeys.Models(Circle, Kind), RedisKeys.ModelBytes(Circle)];

        public override RedisValue[] Argv() => [Id, Read, Json, MaxBytes];
    }

    public static async Task<ModelWrite> RunAsync(IDatabaseAsync db, Args args) =>
        Lua.Code<ModelWrite>(await Lua.EvaluateAsync(db, args), "outcome");
}

/// <summary>What model-write.lua did; the values are its reply codes.</summary>
internal enum ModelWrite
{
    Stored = 0,

    /// <summary>The entity is not as it was read: another writer changed or removed it, or the new id is taken.</summary>
    Changed = 1,

    /// <summary>The circle's entities would take more bytes than its limit.</summary>
    OverLimit = 2,
}
