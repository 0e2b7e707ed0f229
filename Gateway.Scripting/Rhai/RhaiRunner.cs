using System.Text;
using System.Text.Json;
using Gateway.Core.Configuration;
using Gateway.Core.Models;
using Gateway.Core.Queueing;
using Gateway.Rhai;
using Gateway.Scripting.Modules;
using Gateway.Scripting.Sandbox;
using Microsoft.Extensions.Logging;

namespace Gateway.Scripting.Rhai;

/// <summary>
/// Runs a Rhai task on the process's one configured engine: <c>args</c> and <c>task</c> as
/// object maps, <c>print</c>/<c>debug</c> into the output, the result as JSON, and the same
/// error codes, deadline and cancellation as a JavaScript task. Never throws for anything the
/// script does: every ending is a <see cref="TaskOutcome"/>.
/// </summary>
internal sealed partial class RhaiRunner
{
    private readonly LimitsOptions _limits;
    private readonly RhaiEngine _engine;
    private readonly ContentCache<RhaiAst> _cache;
    private readonly IModelStore? _models;
    private readonly TimeProvider _time;
    private readonly ILogger _log;

    public RhaiRunner(LimitsOptions limits, IModelStore? models, TimeProvider time, ILogger log)
    {
        _limits = limits;
        _models = models;
        _time = time;
        _log = log;
        _engine = new RhaiEngine(RhaiSandbox.Options(limits, time));
        if (models is not null)
            RhaiModules.Register(_engine);
        // An AST is immutable and shared by every run of the same text.
        _cache = new ContentCache<RhaiAst>(limits.ScriptCacheEntries, _engine.Compile);
    }

    public int CachedScripts => _cache.Count;

    public TaskOutcome Run(ClaimedTask task, CancellationToken cancel)
    {
        var started = _time.GetTimestamp();
        var output = new OutputBuffer(_limits.MaxOutputChars);
        var budget = TimeSpan.FromMilliseconds(Math.Clamp(task.Record.TimeoutMs, 1, _limits.MaxTimeoutMs));
        using var deadline = new CancellationTokenSource(budget, _time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel, deadline.Token);

        TaskOutcome Ended(TaskState state, string? result, TaskError? error) =>
            new(state, result, error, output.ToString(), _time.GetElapsedTime(started).TotalMilliseconds);

        try
        {
            var ast = _cache.Get(task.Script);
            var run = new RhaiRunOptions
            {
                OnPrint = output.WriteLine,
                // As Rhai prints it by default: the position, then the value in its debug form.
                OnDebug = (text, line, column) => output.WriteLine(line > 0 ? $"{line}:{column} | {text}" : text),
            };
            if (Globals(task) is not { } globals)
                return Ended(TaskState.Failed, null, new(ErrorCodes.ScriptError,
                    "args holds a string that is not Unicode text (a lone surrogate), which a Rhai string cannot hold."));
            Dynamic value;
            using (_models is null ? default : RhaiModules.Bind(new ModuleScope(task.Circle, _models, _time, ModuleNaming.Rhai, _log)))
                value = _engine.Eval(ast, globals, run, stop.Token);

            var json = ToJson(value);
            if (json is null)
                return Ended(TaskState.Failed, null, new(ErrorCodes.ScriptError, "The result is nested too deeply to be turned into JSON."));
            if (Encoding.UTF8.GetByteCount(json) > _limits.MaxResultBytes)
                return Ended(TaskState.Failed, null, new(ErrorCodes.ResultTooLarge, $"The result is larger than {_limits.MaxResultBytes} bytes of JSON."));
            return Ended(TaskState.Completed, json, null);
        }
        catch (RhaiException ex) when (ex.Category == RhaiErrorCategory.Terminated && cancel.IsCancellationRequested)
        {
            return Ended(TaskState.Cancelled, null, null);
        }
        catch (RhaiException ex)
        {
            return Ended(TaskState.Failed, null, RhaiErrors.Classify(ex, _engine.Options));
        }
        catch (Exception ex)
        {
            LogInternal(_log, ex, task.Id, task.Circle);
            return Ended(TaskState.Failed, null, new(ErrorCodes.Internal, "The script could not be run because of an internal error."));
        }
    }

    /// <summary>
    /// <c>args</c> as the caller sent it (JSON objects become maps, integers stay INT) and <c>task</c>,
    /// read-only; null when args holds a string JSON allows and Rhai cannot (an escaped lone surrogate).
    /// </summary>
    private static RhaiScope? Globals(ClaimedTask task)
    {
        Dynamic args;
        try
        {
            args = RhaiJson.FromJsonString(task.ArgsJson);
        }
        catch (InvalidOperationException)
        {
            return null;
        }
        var info = new RhaiMap
        {
            ["id"] = Dynamic.FromString(task.Id),
            ["circle"] = Dynamic.FromString(task.Circle),
            ["caller"] = task.Record.Caller is null ? Dynamic.Unit : Dynamic.FromString(task.Record.Caller),
            ["attempt"] = Dynamic.FromInt(task.Attempt),
        };
        return new RhaiScope()
            .Push("args", args)
            .PushConstant("task", Dynamic.FromMap(info));
    }

    /// <summary>The result as JSON text, or null when it is nested deeper than JSON readers here go.</summary>
    private static string? ToJson(Dynamic value)
    {
        try
        {
            return RhaiJson.ToJsonNode(value)?.ToJsonString() ?? "null";
        }
        catch (Exception ex) when (ex is JsonException or InsufficientExecutionStackException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Rhai task {TaskId} in {Circle} failed inside the runner")]
    private static partial void LogInternal(ILogger logger, Exception exception, string taskId, string circle);
}
