using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Gateway.Core.Telemetry;

/// <summary>
/// The gateway's one ActivitySource and one Meter, and its instruments. Prometheus shows them
/// as <c>gateway_tasks_submitted_total</c>, <c>gateway_tasks_finished_total</c>,
/// <c>gateway_task_queue_wait_seconds</c>, <c>gateway_task_run_seconds</c>,
/// <c>gateway_queue_depth</c>, <c>gateway_workers_busy</c>, <c>gateway_tasks_scheduled_total</c>,
/// <c>gateway_scheduled_depth</c>, <c>gateway_task_promote_lag_seconds</c>, <c>gateway_tasks_retried_total</c>,
/// <c>gateway_schedule_firings_total</c>, <c>gateway_schedule_skips_total</c>, <c>gateway_circle_paused</c> and
/// <c>gateway_embedded_data_bytes</c>.
/// </summary>
public static class GatewayMetrics
{
    public const string Name = "Gateway";

    public static readonly ActivitySource Source = new(Name);

    public static readonly Meter Meter = new(Name);

    private static readonly Counter<long> Submitted = Meter.CreateCounter<long>("gateway.tasks.submitted", "{task}", "Tasks accepted, by circle.");

    private static readonly Counter<long> Finished = Meter.CreateCounter<long>("gateway.tasks.finished", "{task}", "Tasks that reached a terminal state, by circle and status.");

    private static readonly Histogram<double> QueueWait = Meter.CreateHistogram<double>("gateway.task.queue_wait", "s", "Time from submit to the start of a run.");

    private static readonly Histogram<double> RunTime = Meter.CreateHistogram<double>("gateway.task.run", "s", "Time a run took, by circle and status.");

    private static readonly Counter<long> Scheduled = Meter.CreateCounter<long>("gateway.tasks.scheduled", "{task}", "Tasks submitted with a later due time, by circle.");

    private static readonly Counter<long> Retried = Meter.CreateCounter<long>("gateway.tasks.retried", "{task}", "Failed runs scheduled to run again by their retry policy, by circle and error code.");

    private static readonly Counter<long> Firings = Meter.CreateCounter<long>("gateway.schedule.firings", "{firing}", "Schedule due times that submitted a task, by circle.");

    private static readonly Counter<long> Skips = Meter.CreateCounter<long>("gateway.schedule.skips", "{firing}",
        "Schedule due times that submitted no task, by circle and reason (overlapping, missed, queue_full, script_missing).");

    private static readonly Histogram<double> PromoteLag = Meter.CreateHistogram<double>("gateway.task.promote_lag", "s",
        "How late scheduled tasks became pending: per promotion, from the earliest due time among the tasks it moved.");

    private static readonly ConcurrentDictionary<string, long> Depths = new(StringComparer.Ordinal);

    private static readonly ConcurrentDictionary<string, long> ScheduledDepths = new(StringComparer.Ordinal);

    private static Func<int> _busy = () => 0;

    private static Func<long>? _embeddedData;

    private static Func<IEnumerable<(string Circle, bool Paused)>> _paused = () => [];

    static GatewayMetrics()
    {
        Meter.CreateObservableGauge("gateway.queue.depth",
            () => Depths.Select(d => new Measurement<long>(d.Value, new KeyValuePair<string, object?>("circle", d.Key))),
            "{task}", "Tasks waiting, per circle, as a worker of this process last saw them.");
        Meter.CreateObservableGauge("gateway.scheduled.depth",
            () => ScheduledDepths.Select(d => new Measurement<long>(d.Value, new KeyValuePair<string, object?>("circle", d.Key))),
            "{task}", "Tasks scheduled (delayed, or waiting out a retry's backoff), per circle, as a promoter of this process last saw them.");
        Meter.CreateObservableGauge("gateway.workers.busy", () => _busy(), "{slot}", "Worker slots of this process running a task.");
        Meter.CreateObservableGauge("gateway.circle.paused",
            () => _paused().Select(c => new Measurement<int>(c.Paused ? 1 : 0, new KeyValuePair<string, object?>("circle", c.Circle))),
            "{circle}", "1 while an operator has paused the circle, 0 once resumed, for the circles the workers of this process have seen paused.");
        Meter.CreateObservableGauge("gateway.embedded.data",
            () => _embeddedData is { } bytes ? [new Measurement<long>(bytes())] : Array.Empty<Measurement<long>>(),
            "By", "Bytes in the embedded server's data folder, which only grows (absent with a configured Redis).");
    }

    /// <summary>Reports the paused circles in <c>gateway_circle_paused</c>.</summary>
    public static void ObservePaused(Func<IEnumerable<(string Circle, bool Paused)>> circles) => _paused = circles;

    /// <summary>Reports the embedded server's data folder in <c>gateway_embedded_data_bytes</c>.</summary>
    public static void ObserveEmbeddedData(Func<long> bytes) => _embeddedData = bytes;

    public static void TaskSubmitted(string circle, int count) => Submitted.Add(count, new KeyValuePair<string, object?>("circle", circle));

    public static void TaskStarted(string circle, TimeSpan waited) =>
        QueueWait.Record(Math.Max(0, waited.TotalSeconds), new KeyValuePair<string, object?>("circle", circle));

    public static void TaskFinished(string circle, string status, TimeSpan ran)
    {
        var tags = new TagList { { "circle", circle }, { "status", status } };
        Finished.Add(1, tags);
        RunTime.Record(ran.TotalSeconds, tags);
    }

    /// <summary>
    /// Tasks that reached a terminal state without a run ending there: a waiting task cancelled
    /// (one cancel, or a drain), a task whose worker died on its last attempt (failed as lost), or
    /// one cancelled while its worker was gone.
    /// </summary>
    public static void TasksEnded(string circle, string status, long count)
    {
        if (count > 0)
            Finished.Add(count, new TagList { { "circle", circle }, { "status", status } });
    }

    public static void ScheduleFired(string circle) => Firings.Add(1, new KeyValuePair<string, object?>("circle", circle));

    public static void ScheduleSkipped(string circle, Recurring.FiringOutcome reason, long count = 1)
    {
        if (count <= 0)
            return;
        var tags = new TagList { { "circle", circle }, { "reason", reason switch
        {
            Recurring.FiringOutcome.Overlapping => "overlapping",
            Recurring.FiringOutcome.Missed => "missed",
            Recurring.FiringOutcome.QueueFull => "queue_full",
            Recurring.FiringOutcome.ScriptMissing => "script_missing",
            _ => reason.ToString(),
        } } };
        Skips.Add(count, tags);
    }

    public static void QueueDepth(string circle, long depth) => Depths[circle] = depth;

    public static void TaskScheduled(string circle, int count) => Scheduled.Add(count, new KeyValuePair<string, object?>("circle", circle));

    public static void TaskRetried(string circle, string code) =>
        Retried.Add(1, new TagList { { "circle", circle }, { "code", code } });

    public static void ScheduledDepth(string circle, long depth) => ScheduledDepths[circle] = depth;

    public static void Promoted(string circle, int count, TimeSpan lag) =>
        PromoteLag.Record(Math.Max(0, lag.TotalSeconds), new KeyValuePair<string, object?>("circle", circle));

    public static void ObserveBusy(Func<int> busy) => _busy = busy;
}
