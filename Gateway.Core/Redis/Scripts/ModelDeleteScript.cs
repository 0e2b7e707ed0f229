using StackExchange.Redis;

namespace Gateway.Core.Redis.Scripts;

/// <summary>model-delete.lua: remove an entity and give its bytes back.</summary>
internal static class ModelDeleteScript
{
    private static readonly LuaScript Lua = LuaScript.Load("model-delete");

    public sealed record Args(string Circle, string Kind, long Id) : ScriptArgs(Circle)
    {
        public override RedisKey[] Keys() => [RedisKeys.Models(Circle, Kind), RedisKeys.ModelBytes(Circle)];

        public override RedisValue[] Argv() => [Id];
    }

    /// <summary>True when this call removed the entity.</summary>
    public static async Task<bool> RunAsync(IDatabaseAsync db, Args args) =>
        (int)await Lua.EvaluateAsync(db, args) == 1;
}
