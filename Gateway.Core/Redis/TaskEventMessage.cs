using System.Buffers;
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
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        var json = t_json ??= new Utf8JsonWriter(buffer);
        try
        {
            var head = buffer.GetSpan(record.Id.Length * 3 + 16);
            var written = Encoding.UTF8.GetBytes(record.Id, head);
            head[written++] = (byte)' ';
            written += Encoding.UTF8.GetBytes(record.Status.ToWire(), head[written..]);
            head[written++] = (byte)' ';
            buffer.Advance(written);
            json.Reset(buffer);
            JsonSerializer.Serialize(json, record, CoreJson.Default.TaskRecord);
            json.Flush();
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            json.Reset();
            // A rare large record does not stay held by the thread.
            if (buffer.Capacity > MaxKeptBuffer)
            {
                t_buffer = null;
                t_json = null;
            }
            else
                buffer.ResetWrittenCount();
        }
    }

    private const int MaxKeptBuffer = 64 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_json;

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
