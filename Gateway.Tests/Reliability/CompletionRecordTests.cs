using Gateway.Core.Configuration;
using Gateway.Core.Queueing;
using Gateway.Core.Redis;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Reliability;

/// <summary>
/// The record a completion carries on its event message (what a waiting request answers with)
/// is the record a later read of the task returns, to the last digit.
/// </summary>
[TestFixture]
public sealed class CompletionRecordTests
{
    private readonly TaskQueue _queue = new(TestRedis.Connection, TimeProvider.System, Options.Create(new TaskOptions()));
    private readonly TaskReader _reader = new(TestRedis.Connection);

    // 0.0625 is exact in binary and halfway at three decimals: rounding to even gives 0.062,
    // formatting rounds away from zero to 0.063. Both copies must take the same one.
    [TestCase(0.0625)]
    [TestCase(0.4785)]
    [TestCase(12.3456789)]
    public async Task Completion_RecordOnTheMessage_EqualsALaterRead(double durationMs)
    {
        var circle = TestRedis.NewCircle("record");
        await _queue.SubmitAsync(circle, [new NewTask("1", "null", 1000)]);
        var running = (await _queue.ClaimAsync(circle, "w1", 1, TimeSpan.FromSeconds(30))).Single();

        var completed = await _queue.CompleteAsync(running, new TaskOutcome(TaskState.Completed, "1", null, "", durationMs));
        var read = await _reader.GetAsync(circle, running.Id);

        Assert.That(completed.Record, Is.Not.Null);
        Assert.That(completed.Record!.DurationMs, Is.EqualTo(read!.DurationMs));
        Assert.That(completed.Record, Is.EqualTo(read));
    }
}
