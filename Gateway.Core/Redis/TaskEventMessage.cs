namespace Gateway.Core.Redis;

/// <summary>
/// One message on a circle's events channel. The scripts write <c>"id status"</c> and
/// <c>"id cancel"</c> (a cancel asked for a running task); a completion may carry the finished
/// task as JSON after a second space, so that a waiting request need not read it back.
/// </summary>
public readonly ref struct TaskEventMessage
{
    /// <summary>The word a cancel request carries in place of a status.</summary>
    public const string CancelWord = "cancel";

    private TaskEventMessage(ReadOnlySpan<char> id, ReadOnlySpan<char> word, ReadOnlySpan<char> record)
    {
        Id = id;
        Word = word;
        RecordJson = record;
    }

    public ReadOnlySpan<char> Id { get; }

    /// <summary>A status's wire name, or <see cref="CancelWord"/>.</summary>
    public ReadOnlySpan<char> Word { get; }

    /// <summary>The finished task as JSON, or empty when the message does not carry it.</summary>
    public ReadOnlySpan<char> RecordJson { get; }

    public bool IsCancelRequest => Word.SequenceEqual(CancelWord);

    public static string Format(string id, TaskState status) => $"{id} {status.ToWire()}";

    public static string Format(string id, TaskState status, string recordJson) => $"{id} {status.ToWire()} {recordJson}";

    public static bool TryParse(ReadOnlySpan<char> text, out TaskEventMessage message)
    {
        message = default;
        var space = text.IndexOf(' ');
        if (space <= 0)
            return false;
        var rest = text[(space + 1)..];
        var end = rest.IndexOf(' ');
        message = end < 0
            ? new TaskEventMessage(text[..space], rest, [])
            : new TaskEventMessage(text[..space], rest[..end], rest[(end + 1)..]);
        return !message.Word.IsEmpty;
    }
}
