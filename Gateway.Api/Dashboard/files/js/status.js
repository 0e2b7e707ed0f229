// What a page knows of a task's status, whichever way it arrived: a read, a list, an event.

export const finished = new Set(['completed', 'failed', 'cancelled']);

/**
 * The task to show when `incoming` arrives while `known` is shown. A finished task never
 * finishes again under the same id, so anything unfinished that arrives after it is a read
 * the server answered before the task finished, overtaken by the stream: it is dropped.
 */
export function settle(known, incoming) {
  return known && finished.has(known.status) && !finished.has(incoming.status) ? known : incoming;
}
