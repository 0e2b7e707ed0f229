using System.Diagnostics;
using System.Text;
using Gateway.Core.Configuration;
using Gateway.Core.Models;
using Gateway.Core.Queueing;
using Jint;
using Jint.Constraints;
using Jint.Native;
using Jint.Native.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Scripting.Sandbox;

/// <summary>
/// Runs one task's script in a fresh engine under the sandbox limits and reports how it ended.
/// Never throws for anything the script does: every ending is a <see cref="TaskOutcome"/>.
/// </summary>
public sealed partial class ScriptRunner
{
    private readonly LimitsOptions _limits;
    private readonly Jint.Options _options;
    private readonly ScriptCache _cache;
    private readonly ILogger<ScriptRunner> _log;
    private readonly IModelStore? _models;
    private readonly TimeProvider _time;
    private readonly Rhai.RhaiRunner _rhai;

    /// <param name="models">The domain modules' store; without one, scripts get no modules.</param>
    public ScriptRunner(IOptions<LimitsOptions> limits, ILogger<ScriptRunner> log, IModelStore? models = null, TimeProvider? time = null)
    {
        _models = models;
        _time = time ?? TimeProvider.System;
        _rhai = new Rhai.RhaiRunner(limits.Value, models, _time, log);
        _limits = limits.Value;
        _options = SandboxOptions.Build(_limits);
        _cache = new ScriptCache(_limits.ScriptCacheEntries);
        _log = log;
        if (Interlocked.Exchange(ref s_warmedUp, 1) == 0)
            _ = Task.Run(WarmUp);
    }

    private static int s_warmedUp;

    private void WarmUp()
    {
        try
        {
            RetainedSize.WarmUp(_options);
        }
        catch (Exception ex)
        {
            // Only a cost: the first measure compiles what the warm-up would have.
            LogWarmUpFailed(_log, ex);
        }
    }

    /// <summary>
    /// Runs the script synchronously up to its first real await, so call it off any thread
    /// that must stay responsive. <paramref name="cancel"/> stops the run (status cancelled).
    /// </summary>
    public async Task<TaskOutcome> RunAsync(ClaimedTask task, CancellationToken cancel)
    {
        if (task.Record.Language == ScriptLanguage.Rhai)
            return _rhai.Run(task, cancel);
        var started = _time.GetTimestamp();
        var output = new OutputBuffer(_limits.MaxOutputChars);
        var budget = TimeSpan.FromMilliseconds(Math.Clamp(task.Record.TimeoutMs, 1, _limits.MaxTimeoutMs));
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timer.CancelAfter(budget);

        TaskOutcome Ended(TaskState state, string? result, TaskError? error) =>
            new(state, result, error, output.ToString(), _time.GetElapsedTime(started).TotalMilliseconds);

        try
        {
            var prepared = _cache.Get(task.Script);
            using var engine = new Engine(_options);
            var deadline = engine.Constraints.Find<OperationDeadlineConstraint>()!;
            engine.Constraints.Find<RetainedMemoryConstraint>()!.Bind(engine);
            deadline.Begin(budget, cancel);
            try
            {
                StringCaps.Install(engine, _limits.MemoryBytes / 2);
                ScriptGlobals.Install(engine, task, output);
                if (_models is not null)
                    Modules.JsModules.Install(engine, new Modules.ModuleScope(task.Circle, _models, _time, Modules.ModuleNaming.JavaScript, _log));
                var value = await engine.EvaluateAsync(prepared, timer.Token);
                if (value is JsTypedArray typed && typed.Length > _limits.MaxResultBytes / 2)
                {
                    // Each element is at least two bytes of JSON; and serializing a huge typed array
                    // is native work no time limit interrupts.
                    return Ended(TaskState.Failed, null, TooLarge());
                }
                var json = ToJson(engine, value);
                if (Encoding.UTF8.GetByteCount(json) > _limits.MaxResultBytes)
                {
                    return Ended(TaskState.Failed, null, TooLarge());
                }
                return Ended(TaskState.Completed, json, null);
            }
            finally
            {
                deadline.End();
            }
        }
        catch (Exception ex) when (cancel.IsCancellationRequested && IsStop(ex))
        {
            return Ended(TaskState.Cancelled, null, null);
        }
        catch (Exception ex)
        {
            var error = ErrorClassifier.Classify(ex);
            if (error.Code == ErrorCodes.Internal)
                LogInternal(_log, ex, task.Id, task.Circle);
            return Ended(TaskState.Failed, null, error);
        }
    }

    private TaskError TooLarge() =>
        new(ErrorCodes.ResultTooLarge, $"The result is larger than {_limits.MaxResultBytes} bytes of JSON.");

    /// <summary>The completion value as JSON; <c>undefined</c> (and anything JSON drops) is <c>null</c>.</summary>
    private static string ToJson(Engine engine, JsValue value)
    {
        try
        {
            var json = new JsonSerializer(engine).Serialize(value);
            return json.IsString() ? json.AsString() : "null";
        }
        catch (Jint.Runtime.JavaScriptException ex)
        {
            throw new ResultNotSerializableException(ex);
        }
    }

    private static bool IsStop(Exception ex) =>
        ex is OperationCanceledException or Jint.Runtime.ExecutionCanceledException or TimeoutException;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warming up the retained-memory measure failed")]
    private static partial void LogWarmUpFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Task {TaskId} in {Circle} failed inside the runner")]
    private static partial void LogInternal(ILogger logger, Exception exception, string taskId, string circle);
}
