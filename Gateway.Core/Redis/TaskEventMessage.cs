using System.Text;
using System.Text.Json;

namespace Gateway.Core.Redis;

/// <summary>
/// One message on a circle's events channel. The scripts write <c>"id status"</c> and
/// <c>"id cancel"</c> (a cancel asked for a running task); a completion may carry the finished
/// task as JSON after a second space, so that a waiting request need not read it back.
/// Messages are read and written as the UTF-8 bytes Redis carries: every process hears every
/// message of every task, and a finished task's JSON is most of what a task sends.
/// </summary>
public readonly ref struct TaskEventMessage
{
    /// <summary>The word a cancel request carries in place of a status.</summary>
    public const string CancelWord = "cancel";

    private TaskEventMessage(ReadOnlySpan<byte> id, ReadOnlySpan<byte> word, ReadOnlySpan<byte> record)
    {
        Id = id;
        Word = word;
        RecordJson = record;
    }

    public ReadOnlySpan<byte> Id { get; }

    /// <summary>A status's wire name, or <see cref="CancelWord"/>.</summary>
    public ReadOnlySpan<byte> Word { get; }

    /// <summary>The finished task as UTF-8 JSON, or empty when the message does not carry it.</summary>
    public ReadOnlySpan<byte> RecordJson { get; }

    public bool IsCancelRequest => Word.SequenceEqual("cancel"u8);

    public static string Format(string id, TaskState status) => $"{id} {status.ToWire()}";

    /// <summary>A completion that carries the finished task: <c>"id status {json}"</c>.</summary>
    public static byte[] Format(TaskRecord record)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(record, CoreJson.Default.TaskRecord);
        var head = Format(record.Id, record.Status) + " ";
        var message = new byte[Encoding.UTF8.GetByteCount(head) + json.Length];
        json.CopyTo(message.AsSpan(Encoding.UTF8.GetBytes(head, message)));
        return message;
    }

    public static bool TryParse(ReadOnlySpan<byte> text, out TaskEventMessage message)
    {
        message = default;
        var space = text.IndexOf((byte)' ');
        if (space <= 0)
            return false;
        var rest = text[(space + 1)..];
        var end = rest.IndexOf((byte)' ');
        message = end < 0
            ? new TaskEventMessage(text[..space], rest, [])
            : new TaskEventMessage(text[..space], rest[..end], rest[(end + 1)..]);
        return !message.Word.IsEmpty;
    }
}
