// The header's live indicator: whether the view's stream is open. Tests read it as data-stream.

export function streamState(state) {
  const live = document.getElementById('live');
  live.dataset.stream = state;
  live.textContent = { open: 'Live', retrying: 'Reconnecting…', idle: 'Not live' }[state] ?? 'Offline';
}
