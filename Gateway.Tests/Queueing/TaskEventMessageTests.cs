using System.Text;
using System.Text.Json;
using Gateway.Core.Queueing;
using Gateway.Core.Redis;

namespace Gateway.Tests.Queueing;

/// <summary>The event messages as the scripts and the completing process write them, read back from their bytes.</summary>
[TestFixture]
public sealed class TaskEventMessageTests
{
    private static TaskRecord Finished(string output) => new()
    {
        Id = "0192f0c2a4b87c3e9d1f2a3b4c5d6e7f",
        Circle = "messages",
        Status = TaskState.Failed,
        ResultJson = null,
        Error = new TaskError("script_error", "x is not defined — «ü»"),
        Output = output,
        Attempts = 2,
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_764_000_000_000),
        FinishedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_764_000_000_123),
        DurationMs = 1.5,
        Caller = "svc",
        TimeoutMs = 5000,
        Priority = 3,
    };

    [Test]
    public void ACompletionWithItsRecord_IsTheIdTheStatusAndTheRecordsJson_ReadBackFromItsBytes()
    {
        // A large record between two small ones: each message holds its own record only.
        foreach (var output in (string[])["line 1\nline 2 ✓", new string('x', 100_000) + "😀", "after the large one"])
        {
            var record = Finished(output);
            var bytes = TaskEventMessage.Format(record);

            var text = Encoding.UTF8.GetString(bytes);
            Assert.That(text, Does.StartWith($"{record.Id} failed {{"));
            Assert.That(TaskEventMessage.TryParse(bytes, out var message), Is.True);
            Assert.That(Encoding.UTF8.GetString(message.Id), Is.EqualTo(record.Id));
            Assert.That(TaskStates.TryParseUtf8(message.Word, out var status) ? status : (TaskState?)null, Is.EqualTo(TaskState.Failed));
            Assert.That(message.IsCancelRequest, Is.False);
            var read = JsonSerializer.Deserialize(message.RecordJson, CoreJson.Default.TaskRecord);
            Assert.That(read, Is.EqualTo(record));
        }
    }

    [Test]
    public void TheScriptsMessages_ReadAsTheyAreWritten()
    {
        Assert.Multiple(() =>
        {
            foreach (var state in Enum.GetValues<TaskState>())
            {
                var bytes = Encoding.UTF8.GetBytes(TaskEventMessage.Format("abc", state));
                Assert.That(TaskEventMessage.TryParse(bytes, out var message), Is.True, state.ToString());
                Assert.That(TaskStates.TryParseUtf8(message.Word, out var read) && read == state, Is.True, state.ToString());
                Assert.That(message.RecordJson.IsEmpty, Is.True);
            }

            Assert.That(TaskEventMessage.TryParse("abc cancel"u8, out var cancel) && cancel.IsCancelRequest, Is.True);
            Assert.That(TaskEventMessage.TryParse("abc"u8, out _), Is.False);
            Assert.That(TaskEventMessage.TryParse(" pending"u8, out _), Is.False);
            Assert.That(TaskEventMessage.TryParse("abc "u8, out _), Is.False);
            foreach (var word in (string[])["pend", "pendingx", "Pending", "", "cancel"])
                Assert.That(TaskStates.TryParseUtf8(Encoding.UTF8.GetBytes(word), out _), Is.False, word);
        });
    }
}
