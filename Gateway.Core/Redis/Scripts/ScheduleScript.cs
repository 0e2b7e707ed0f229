using Gateway.Core.Recurring;
using StackExchange.Redis;

namespace Gateway.Core.Redis.Scripts;

/// <summary>schedule.lua: create or replace a schedule, unless a firing moved its last due time since the caller read it.</summary>
internal static class ScheduleScript
{
    private static readonly LuaScript Lua = LuaScript.Load("schedule");

    public sealed record Args(string Circle, string Name, string LastDueRead, string NextMs, long NowMs, ScheduleDefinition Definition)
        : ScriptArgs(Circle)
    {
        public override RedisKey[] Keys() => [RedisKeys.Schedule(Circle, Name), RedisKeys.Schedules(Circle)];

        public override RedisValue[] Argv() =>
            [Name, LastDueRead, NextMs, NowMs, RedisKeys.ScheduleChanges.ToString(), Circle, .. ScheduleHash.DefinitionPairs(Definition)];
    }

    public enum Kind
    {
        Replaced = 0,
        Created = 1,
        Raced = -1,
    }

    public static async Task<Kind> RunAsync(IDatabaseAsync db, Args args) =>
        Lua.Code<Kind>(await Lua.EvaluateAsync(db, args), "value");
}
