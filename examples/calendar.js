// A team calendar with one meeting; alice accepts, then the meeting moves.
const team = calendar.createCalendar({ name: 'Team', description: 'Team events' });
const meeting = calendar.createEvent({
  calendarId: team.id,
  title: 'Quarterly planning',
  start: '2026-12-01T09:00:00Z',
  end: '2026-12-01T10:30:00Z',
  location: 'Room 4',
  attendees: ['alice', 'bob'],
});
calendar.respond(meeting.id, 'alice', 'accepted');
const moved = calendar.reschedule(meeting.id, '2026-12-02T09:00:00Z', '2026-12-02T10:30:00Z');
console.log(`${moved.title} moved to ${moved.start}`);
({ calendar: team, event: moved, week: calendar.listEvents(team.id, { from: '2026-11-30', to: '2026-12-07' }).length })
