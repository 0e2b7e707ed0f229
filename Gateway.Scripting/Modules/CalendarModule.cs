namespace Gateway.Scripting.Modules;

/// <summary><c>calendar</c>: calendars, their events, attendees and their responses.</summary>
internal static class CalendarModule
{
    private static readonly string[] Responses = ["accepted", "declined", "tentative"];

    public static DomainModule Definition { get; } = new("calendar",
    [
        new("createCalendar", 1, (s, a) => ModuleScope.Write(CreateCalendar(s, s.Input(a[0], "the calendar", ModuleJson.Default.CalendarInput)), ModuleJson.Default.Calendar)),
        new("getCalendar", 1, (s, a) => s.Get(ModelKinds.Calendar, a[0])),
        new("listCalendars", 0, (s, _) => ModuleScope.Write(s.List(ModelKinds.Calendar, ModuleJson.Default.Calendar), ModuleJson.Default.IReadOnlyListCalendar)),
        new("createEvent", 1, (s, a) => ModuleScope.Write(CreateEvent(s, s.Input(a[0], "the event", ModuleJson.Default.EventInput)), ModuleJson.Default.CalendarEvent)),
        new("getEvent", 1, (s, a) => s.Get(ModelKinds.Event, a[0])),
        new("listEvents", 1, 2, (s, a) => ModuleScope.Write(ListEvents(s, a), ModuleJson.Default.IReadOnlyListCalendarEvent)),
        new("updateEvent", 2, (s, a) => Change(s, a, e =>
        {
            var changes = s.Input(a[1], "the changes", ModuleJson.Default.EventChanges);
            if (changes.Title is { } title && string.IsNullOrWhiteSpace(title))
                throw ModuleScope.Invalid("title must not be empty.");
            return e with
            {
                Title = changes.Title ?? e.Title,
                Location = changes.Location ?? e.Location,
                Description = changes.Description ?? e.Description,
            };
        })),
        new("reschedule", 3, (s, a) => Change(s, a, e =>
        {
            var (start, end) = Span(ModuleScope.Text(a[1], "start"), ModuleScope.Text(a[2], "end"));
            return e with { Start = start, End = end };
        })),
        new("respond", 3, (s, a) => Change(s, a, e =>
        {
            var name = ModuleScope.Text(a[1], "the attendee's name");
            var response = ModuleScope.Text(a[2], "the response");
            if (!Responses.Contains(response))
                throw ModuleScope.Invalid($"a response is one of {string.Join(", ", Responses)} (got '{response}').");
            if (e.Attendees.All(x => x.Name != name))
                throw ModuleScope.Invalid($"{name} is not an attendee of event {e.Id}.");
            return e with { Attendees = e.Attendees.Select(x => x.Name == name ? x with { Status = response } : x).ToArray() };
        })),
        new("cancelEvent", 1, (s, a) => Change(s, a, e => e with { Cancelled = true })),
        new("deleteEvent", 1, (s, a) => ModuleScope.Wait(() => s.Store.DeleteAsync(s.Circle, ModelKinds.Event, ModuleScope.Id(a[0], "event id")))
            ? "true" : "false"),
    ]);

    private static Calendar CreateCalendar(ModuleScope scope, CalendarInput input)
    {
        var name = ModuleScope.Required(input.Name, "name");
        return scope.Create(ModelKinds.Calendar, id => new Calendar(id, name, input.Description, scope.Now), ModuleJson.Default.Calendar);
    }

    private static CalendarEvent CreateEvent(ModuleScope scope, EventInput input)
    {
        var calendarId = input.CalendarId ?? throw ModuleScope.Invalid($"{scope.Name("calendarId")} is required.");
        if (ModuleScope.Wait(() => scope.Store.GetAsync(scope.Circle, ModelKinds.Calendar, calendarId)) is null)
            throw ModuleScope.Invalid($"calendar {calendarId} does not exist.");
        var title = ModuleScope.Required(input.Title, "title");
        var (start, end) = Span(input.Start, input.End);
        var attendees = (input.Attendees ?? []).Select(n => new Attendee(ModuleScope.Required(n, "an attendee's name"), "pending")).ToArray();
        if (attendees.Select(a => a.Name).Distinct().Count() != attendees.Length)
            throw ModuleScope.Invalid("attendees must not repeat a name.");
        return scope.Create(ModelKinds.Event,
            id => new CalendarEvent(id, calendarId, title, start, end, input.Location, input.Description, false, attendees),
            ModuleJson.Default.CalendarEvent);
    }

    private static IReadOnlyList<CalendarEvent> ListEvents(ModuleScope scope, ModuleArgs a)
    {
        var calendarId = ModuleScope.Id(a[0], "calendar id");
        var range = a[1].ValueKind == System.Text.Json.JsonValueKind.Object
            ? scope.Input(a[1], "the range", ModuleJson.Default.RangeInput)
            : new RangeInput(null, null);
        var from = range.From is null ? DateTimeOffset.MinValue : ModuleScope.Parse(ModuleScope.Date(range.From, "from"));
        var to = range.To is null ? DateTimeOffset.MaxValue : ModuleScope.Parse(ModuleScope.Date(range.To, "to"));
        return scope.List(ModelKinds.Event, ModuleJson.Default.CalendarEvent)
            .Where(e => e.CalendarId == calendarId && ModuleScope.Parse(e.End) > from && ModuleScope.Parse(e.Start) < to)
            .OrderBy(e => ModuleScope.Parse(e.Start)).ThenBy(e => e.Id)
            .ToArray();
    }

    /// <summary>A change of the event the first argument names; a cancelled event takes none.</summary>
    private static string Change(ModuleScope scope, ModuleArgs a, Func<CalendarEvent, CalendarEvent> change) =>
        scope.Change(ModelKinds.Event, a[0], ModuleJson.Default.CalendarEvent, e => e.Cancelled
            ? throw ModuleScope.Invalid($"event {e.Id} is cancelled; it can no longer be changed.")
            : change(e));

    private static (string Start, string End) Span(string? start, string? end)
    {
        var s = ModuleScope.Date(ModuleScope.Required(start, "start"), "start");
        var e = ModuleScope.Date(ModuleScope.Required(end, "end"), "end");
        if (ModuleScope.Parse(e) <= ModuleScope.Parse(s))
            throw ModuleScope.Invalid($"end ({e}) must be after start ({s}).");
        return (s, e);
    }
}
