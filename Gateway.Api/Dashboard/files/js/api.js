// The public REST API, with the credential the page was given (kept for this browser tab only).

const base = new URL('../api/', document.baseURI);
const storageKey = 'gateway.credential';

export const session = new EventTarget();

export const credential = {
  get: () => sessionStorage.getItem(storageKey),
  set: value => sessionStorage.setItem(storageKey, value),
  clear: () => sessionStorage.removeItem(storageKey),
};

/** A JWT (three base64url parts) goes as a bearer token; anything else is an API key. */
export function isJwt(value) {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(value);
}

function authHeaders() {
  const value = credential.get();
  if (!value) return {};
  return isJwt(value) ? { Authorization: `Bearer ${value}` } : { 'X-Api-Key': value };
}

export class ApiError extends Error {
  constructor(status, problem, text) {
    super(problem?.title ?? problem?.detail ?? (text || `HTTP ${status}`));
    this.status = status;
    this.problem = problem;
  }
}

export const enc = encodeURIComponent;

/** Calls the API; resolves with { status, data, headers }, rejects with ApiError on a non-2xx answer. */
export async function api(path, { method = 'GET', body, signal } = {}) {
  const headers = { Accept: 'application/json', ...authHeaders() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(new URL(path, base), {
    method, headers, signal, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (response.status === 401) session.dispatchEvent(new CustomEvent('unauthorized', { detail: data }));
  if (!response.ok) throw new ApiError(response.status, data, text);
  return { status: response.status, data, headers: response.headers };
}

/**
 * Follows a server-sent event stream with fetch (EventSource cannot send the key's header).
 * Calls onEvent(name, data) per event and onState('open' | 'retrying' | 'closed'); reconnects
 * after a drop, 2 s later, until the signal aborts. onMissed() is called when events may have
 * been missed, so that the view reads again what they would have changed: on an open that
 * follows a drop, and on the server's `resync` event. Resolves when the server ends the stream
 * and reconnect is false.
 */
export async function follow(path, { onEvent, onState = () => {}, onMissed = () => {}, signal, reconnect = true }) {
  let opened = false;
  while (!signal.aborted) {
    try {
      const response = await fetch(new URL(path, base), { headers: { Accept: 'text/event-stream', ...authHeaders() }, signal });
      if (response.status === 401) session.dispatchEvent(new CustomEvent('unauthorized'));
      if (!response.ok) throw new ApiError(response.status, null, await response.text());
      onState('open');
      if (opened) onMissed();
      opened = true;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value.replace(/\r\n?/g, '\n');
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let name = 'message';
          const data = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) name = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
          }
          if (data.length === 0) continue;
          let parsed;
          try { parsed = JSON.parse(data.join('\n')); } catch { continue; }
          if (name === 'resync') onMissed();
          else onEvent(name, parsed);
        }
      }
      if (!reconnect) { onState('closed'); return; }
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof ApiError && (error.status === 401 || error.status === 403 || error.status === 404)) {
        onState('closed', error);
        return;
      }
    }
    onState('retrying');
    await new Promise(resolve => setTimeout(resolve, 2000));
  }
}
