// A circle: its recent tasks (live), its registered scripts and schedules, its domain entities.
import { api, follow, enc, ApiError } from './api.js';
import { h, replace, table, time, ms, bytes, badge, problemText, throttle } from './dom.js';
import { streamState } from './live.js';
import { settle } from './status.js';
import { codeView } from './highlight.js';

const statuses = ['scheduled', 'pending', 'processing', 'completed', 'failed', 'cancelled'];
const shown = 100;
// A domain view shows its first page; the rest are a gw command or an API call away.
const entityPage = 100;

/** A section that another version of the server may not have: "not available" on 404/405. */
async function optional(path, signal, render) {
  try {
    const { data, headers } = await api(path, { signal });
    return render(data, headers);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 405))
      return h('p', { class: 'muted', 'data-unavailable': '' }, 'Not available on this server.');
    if (signal.aborted) throw error;
    return h('p', { class: 'error' }, problemText(error));
  }
}

function cell(value) {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'object') {
    const text = JSON.stringify(value);
    return h('code', { title: text }, text.length > 80 ? text.slice(0, 79) + '…' : text);
  }
  return String(value);
}

/**
 * Arbitrary JSON objects as a table: the union of their top-level fields as columns, id first,
 * and a Delete button on each (`remove(id)` deletes it; the row goes when it is gone).
 * `more` is the next page's `after` when the view has more than the page shows.
 */
/** The header of a column of buttons: read out, not shown. */
const actions = () => h('span', { class: 'sr-only' }, 'Actions');

function entityTable(title, items, circle, path, more, remove) {
  if (!items?.length) return h('p', { class: 'muted' }, `No ${title.toLowerCase()}.`);
  const keys = [...new Set(items.flatMap(i => (i && typeof i === 'object' && !Array.isArray(i) ? Object.keys(i) : ['value'])))];
  keys.sort((a, b) => (a === 'id' ? -1 : b === 'id' ? 1 : 0));
  const columns = keys.slice(0, 10);
  const singular = path.slice(0, -1);
  const row = item => {
    const object = item && typeof item === 'object' && !Array.isArray(item);
    const tr = h('tr', { 'data-entity': object ? item.id : null }, columns.map(k => h('td', {}, cell(object ? item[k] : item))));
    if (!object || typeof item.id !== 'number') return tr;
    tr.append(deleteCell(tr, `${singular} ${item.id}`,
      `Delete ${singular} ${item.id} of circle ${circle}? Entities that refer to it are left as they are.`, () => remove(item.id)));
    return tr;
  };
  const rows = table(title, [...columns, actions()], items.map(row));
  if (more === null) return rows;
  return [rows, h('p', { class: 'muted small', 'data-more': path },
    `The first ${items.length}, by id. The rest: `, h('code', {}, `gw entities ${path} --circle ${circle} --after ${more}`),
    ' or ', h('code', {}, `GET /api/circles/${enc(circle)}/${path}?after=${more}`), '.')];
}

/**
 * A cell with a Delete button for the row `tr` (`what` names it to screen readers): it asks
 * `question` first, then awaits remove() and takes the row away. A 404 means someone else
 * deleted it first: it is gone all the same.
 */
function deleteCell(tr, what, question, remove) {
  const button = h('button', { type: 'button', class: 'small', 'aria-label': `Delete ${what}` }, 'Delete');
  const cellOf = h('td', {}, button);
  button.addEventListener('click', async () => {
    if (!confirm(question)) return;
    button.disabled = true;
    try { await remove(); tr.remove(); }
    catch (error) {
      if (error instanceof ApiError && error.status === 404) { tr.remove(); return; }
      button.disabled = false;
      cellOf.append(' ', h('span', { class: 'error', role: 'alert' }, problemText(error)));
    }
  });
  return cellOf;
}

/** The `cursor` (`after`, `before`) of a `Link: <…?cursor=VALUE…>; rel="next"` header; null when there is no next page. */
function nextCursor(headers, cursor) {
  const link = headers?.get('Link') ?? '';
  if (!/>\s*;\s*rel="next"/.test(link)) return null;
  const match = new RegExp(`[?&]${cursor}=([^&>]+)`).exec(link);
  return match ? decodeURIComponent(match[1]) : null;
}

export async function circleView(main, { circle }, signal) {
  const path = `circles/${enc(circle)}`;
  const figures = h('dl', { class: 'figures' });
  // Pause stops every worker claiming the circle's tasks; they still arrive and wait.
  let paused = null;
  const pauseButton = h('button', { type: 'button', id: 'pause-circle', hidden: true, onclick: () => togglePause() }, 'Pause');
  const pauseNote = h('p', { class: 'muted', role: 'status', id: 'pause-note' });
  // Drain cancels every task that waits (pending or scheduled); running ones go on. Retry failed
  // runs again the failed tasks no task re-runs yet.
  let waiting = { pending: 0, scheduled: 0 };
  const drainButton = h('button', { type: 'button', id: 'drain-circle', hidden: true, onclick: () => drain() }, 'Cancel waiting tasks');
  const retryButton = h('button', { type: 'button', id: 'retry-failed', onclick: () => retryFailed() }, 'Retry failed tasks');
  const actionNote = h('p', { class: 'muted', role: 'status', id: 'circle-action-note' });
  const filter = h('select', { id: 'status-filter' },
    h('option', { value: '' }, 'Every status'), statuses.map(s => h('option', { value: s }, s)));
  const search = h('input', { id: 'id-search', type: 'search', placeholder: 'part of a task id', autocomplete: 'off', spellcheck: 'false' });
  const message = h('p', { class: 'muted', role: 'status' });
  const body = h('tbody', {});
  const tasks = new Map(); // id → task
  // "Older tasks" reads the next page of the list, from the task the last read ended at.
  let older = null, cap = shown;
  const olderButton = h('button', { type: 'button', id: 'older-tasks', onclick: () => loadOlder() }, 'Older tasks');
  const olderBar = h('p', { hidden: true }, olderButton);

  replace(main,
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/' }, 'Overview'), ' / ', circle),
    h('h1', {}, `Circle ${circle}`),
    figures,
    h('p', { class: 'actions' }, h('a', { class: 'button', href: `#/submit?circle=${enc(circle)}` }, 'Submit a task to this circle'), ' ', pauseButton, ' ', drainButton, ' ', retryButton),
    pauseNote,
    actionNote,
    h('section', { 'aria-labelledby': 'tasks-title' },
      h('h2', { id: 'tasks-title' }, 'Recent tasks'),
      h('form', { class: 'filters', role: 'search', onsubmit: e => e.preventDefault() },
        h('label', { for: 'status-filter' }, 'Status'), filter,
        h('label', { for: 'id-search' }, 'Task id'), search),
      message,
      h('div', { class: 'scroll', role: 'region', 'aria-label': 'Recent tasks table', tabindex: 0 },
        h('table', { id: 'tasks' },
          h('caption', { class: 'sr-only' }, `Recent tasks of ${circle}, newest first`),
          h('thead', {}, h('tr', {}, ['Task', 'Status', 'Created', 'Duration', 'Attempts', 'Worker', 'Error'].map(t => h('th', { scope: 'col' }, t)))),
          body)),
      olderBar),
    h('section', { 'aria-labelledby': 'scripts-title' }, h('h2', { id: 'scripts-title' }, 'Registered scripts'),
      h('div', { id: 'scripts' }, h('p', { class: 'muted' }, 'Loading…'))),
    h('section', { 'aria-labelledby': 'schedules-title' }, h('h2', { id: 'schedules-title' }, 'Schedules'),
      h('div', { id: 'schedules' }, h('p', { class: 'muted' }, 'Loading…'))),
    h('section', { 'aria-labelledby': 'domain-title' }, h('h2', { id: 'domain-title' }, 'Domain'),
      h('div', { id: 'domain' }, h('p', { class: 'muted' }, 'Loading…'))));

  async function loadFigures() {
    showFigures((await api(path, { signal })).data);
  }

  function showFigures(data) {
    const item = (k, v) => [h('dt', {}, k), h('dd', { 'data-figure': k.toLowerCase() }, v === undefined ? '—' : String(v))];
    replace(figures, item('Pending', data.pending), item('Scheduled', data.scheduled), item('Processing', data.processing), item('Failed', data.failed),
      item('Recent', data.recent),
      item('Entities', `${bytes(data.entityBytes)} of ${bytes(data.entityBytesLimit)}`));
    // A server without pausing says nothing of it: the button stays hidden.
    if (typeof data.paused !== 'boolean') return;
    paused = data.paused;
    waiting = { pending: data.pending, scheduled: data.scheduled };
    pauseButton.hidden = false;
    drainButton.hidden = false;
    pauseButton.textContent = paused ? 'Resume' : 'Pause';
    pauseNote.textContent = paused ? 'Paused: tasks are accepted and wait; no worker claims one until the circle is resumed.' : '';
  }

  // A circle action: its button is off while the call runs; what the call says it did, or why
  // it failed, goes to the note.
  async function act(button, note, call) {
    button.disabled = true;
    try {
      const said = await call();
      if (said !== undefined) note.textContent = said;
    } catch (error) {
      if (signal.aborted) return;
      note.textContent = problemText(error);
    } finally {
      button.disabled = false;
    }
  }

  function togglePause() {
    return act(pauseButton, pauseNote, async () => {
      showFigures((await api(`${path}/${paused ? 'resume' : 'pause'}`, { method: 'POST', signal })).data);
    });
  }

  function drain() {
    const what = `${waiting.pending} pending and ${waiting.scheduled} scheduled`;
    if (!confirm(`Cancel every task waiting in circle ${circle} (${what} now)? Running tasks go on.`)) return;
    return act(drainButton, actionNote, async () => {
      const { data } = await api(`${path}/drain?scheduled=true`, { method: 'POST', signal });
      showFigures(data.circle);
      return `Cancelled ${data.cancelled} waiting ${data.cancelled === 1 ? 'task' : 'tasks'}.`;
    });
  }

  function retryFailed() {
    if (!confirm(`Run the failed tasks of circle ${circle} again, each as a new task? Those already re-run are left out.`)) return;
    return act(retryButton, actionNote, async () => {
      const n = (await api(`${path}/tasks/retry`, { method: 'POST', signal })).data.tasks.length;
      return n === 0 ? 'No failed task to run again.' : `Running ${n} failed ${n === 1 ? 'task' : 'tasks'} again.`;
    });
  }

  // A busy circle sends many events a second: the table is drawn at most once a frame, and the
  // page keeps the newest tasks only, a few times what it shows.
  let frame = 0;
  function paintSoon() {
    if (!frame) frame = requestAnimationFrame(() => { frame = 0; paint(); });
  }

  function prune(rows) {
    const keep = 4 * cap;
    if (tasks.size <= keep + cap) return;
    const shownIds = new Set(rows.map(t => t.id));
    const ids = [...tasks.keys()].sort();
    for (const id of ids.slice(0, ids.length - keep)) if (!shownIds.has(id)) tasks.delete(id);
  }

  function paint() {
    const wanted = filter.value, term = search.value.trim().toLowerCase();
    const rows = [...tasks.values()]
      .filter(t => (!wanted || t.status === wanted) && (!term || t.id.includes(term)))
      .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .slice(0, cap);
    prune(rows);
    body.replaceChildren(...rows.map(t => h('tr', { 'data-task': t.id },
      h('th', { scope: 'row' }, h('a', { href: `#/circles/${enc(circle)}/tasks/${t.id}`, class: 'mono' }, t.id)),
      h('td', {}, badge(t.status)),
      h('td', {}, time(t.createdAt)),
      h('td', { class: 'num' }, ms(t.durationMs)),
      h('td', { class: 'num' }, String(t.attempts)),
      h('td', {}, t.workerId ?? '—'),
      h('td', {}, t.error ? h('span', { title: t.error.message }, t.error.code) : '—'))));
    if (!rows.length) body.append(h('tr', {}, h('td', { colspan: 7 },
      older !== null ? 'No task matches among those read; "Older tasks" reads further back.' : term || wanted ? 'No task matches.' : 'No task yet.')));
    olderBar.hidden = older === null;
  }

  const tasksPath = before => `${path}/tasks?limit=${shown}${filter.value ? `&status=${filter.value}` : ''}${before ? `&before=${before}` : ''}`;

  async function loadOlder() {
    olderButton.disabled = true;
    try {
      const { data, headers } = await api(tasksPath(older), { signal });
      for (const t of data.tasks) tasks.set(t.id, settle(tasks.get(t.id), t));
      cap += data.tasks.length;
      older = nextCursor(headers, 'before');
    } catch (error) {
      if (signal.aborted) return;
      message.textContent = problemText(error);
    } finally {
      olderButton.disabled = false;
    }
    paint();
  }

  // Each read of the list is numbered: only the latest one's answer is used, so a slow answer
  // for a filter no longer chosen cannot set the rows or the "Older tasks" cursor.
  let loads = 0;
  async function loadTasks() {
    const status = filter.value;
    const load = ++loads;
    message.textContent = '';
    try {
      const { data, headers } = await api(tasksPath(null), { signal });
      if (load !== loads) return;
      // A list read while tasks finished may be older than the events that finished them.
      const read = data.tasks.map(t => settle(tasks.get(t.id), t));
      if (!status) tasks.clear();
      for (const t of read) tasks.set(t.id, t);
      older = nextCursor(headers, 'before');
      cap = shown;
    } catch (error) {
      if (signal.aborted || load !== loads) return;
      message.textContent = problemText(error);
    }
    const term = search.value.trim().toLowerCase();
    // A whole id not among the recent ones: ask for it.
    if (/^[0-9a-f]{32}$/.test(term) && !tasks.has(term)) {
      try { const read = (await api(`${path}/tasks/${term}`, { signal })).data; tasks.set(term, settle(tasks.get(term), read)); }
      catch (error) {
        if (signal.aborted) return;
        message.textContent = error instanceof ApiError && error.status === 404 ? `No task ${term} in this circle.` : problemText(error);
      }
    }
    if (load !== loads) return;
    paint();
  }

  filter.addEventListener('change', loadTasks);
  let typing;
  search.addEventListener('input', () => { paint(); clearTimeout(typing); typing = setTimeout(loadTasks, 400); });

  await Promise.all([loadFigures(), loadTasks()]);

  const figuresSoon = throttle(loadFigures, 1000);
  signal.addEventListener('abort', () => { figuresSoon.cancel(); clearTimeout(typing); cancelAnimationFrame(frame); });

  follow(`${path}/tasks/stream`, {
    signal,
    onState: streamState,
    onMissed() { loadTasks(); loadFigures().catch(() => {}); },
    onEvent(name, task) {
      if (name !== 'status') return;
      // Once older pages were read, a new task adds a row rather than pushing the oldest read out.
      if (cap > shown && !tasks.has(task.id)) cap++;
      tasks.set(task.id, settle(tasks.get(task.id), task));
      paintSoon();
      figuresSoon();
    },
  });

  // A registered script's text (its latest version), read when asked for and shown in a row
  // below its own, `span` columns wide; asked again, it is hidden.
  function scriptTextCell(tr, name, span) {
    const button = h('button', { type: 'button', class: 'small', 'aria-expanded': 'false', 'aria-label': `Show script ${name}` }, 'Show');
    const cellOf = h('td', {}, button);
    let shown = null;
    const showing = on => {
      button.setAttribute('aria-expanded', String(on));
      button.setAttribute('aria-label', `${on ? 'Hide' : 'Show'} script ${name}`);
      button.textContent = on ? 'Hide' : 'Show';
    };
    button.addEventListener('click', async () => {
      if (shown) { shown.remove(); shown = null; showing(false); return; }
      button.disabled = true;
      try {
        const { data } = await api(`${path}/scripts/${enc(name)}`, { signal });
        shown = h('tr', { class: 'script-text', 'data-script': name },
          h('td', { colspan: span }, codeView(data.script, data.language ?? 'javascript')));
        tr.after(shown);
        showing(true);
      } catch (error) {
        if (!signal.aborted) cellOf.append(' ', h('span', { class: 'error', role: 'alert' }, problemText(error)));
      } finally {
        button.disabled = false;
      }
    });
    return cellOf;
  }

  // A schedule's Enabled cell: what it is, and a button that turns it. The definition is read
  // and put again with the flag turned (a put elsewhere in between is overwritten, as any put
  // is); then the table is read again, for the next run that changes with it.
  function enabledCell(s) {
    const on = s.enabled !== false;
    const button = h('button', { type: 'button', class: 'small', 'aria-label': `${on ? 'Disable' : 'Enable'} schedule ${s.name}` }, on ? 'Disable' : 'Enable');
    const cellOf = h('td', {}, on ? 'yes' : 'no', ' ', button);
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        const at = `${path}/schedules/${enc(s.name)}`;
        const { data: now } = await api(at, { signal });
        // The schedule as read goes back whole, so a field this page does not know is kept too;
        // the put ignores what only a read shows (name, dates, last task).
        await api(at, { method: 'PUT', body: { ...now, enabled: now.enabled === false }, signal });
        await loadSchedules();
      } catch (error) {
        if (signal.aborted) return;
        button.disabled = false;
        cellOf.append(' ', h('span', { class: 'error', role: 'alert' }, problemText(error)));
      }
    });
    return cellOf;
  }

  // A retry policy as people read it: "2, after 500 ms ×3" (runs more, first wait, its growth).
  function retryText(retry) {
    if (!retry?.attempts) return '—';
    if (!retry.backoffMs) return `${retry.attempts}, at once`;
    return `${retry.attempts}, after ${ms(retry.backoffMs)}${(retry.factor ?? 1) !== 1 ? ` ×${retry.factor}` : ''}`;
  }

  function schedulesView(data) {
    const list = data.schedules ?? data;
    return list.length ? table('Schedules', ['Name', 'Cron', 'Time zone', 'Runs', 'Enabled', 'Next run', 'Last run', 'Last task', 'Priority', 'Retry', actions()],
      list.map(s => {
        const tr = h('tr', {}, h('th', { scope: 'row' }, s.name), h('td', {}, h('code', {}, s.cron)), h('td', {}, s.timeZone ?? 'UTC'),
          h('td', {}, s.scriptName ? s.scriptName + (s.scriptVersion ? ` v${s.scriptVersion}` : '') : (s.script ? 'inline script' : '—')),
          enabledCell(s),
          h('td', {}, time(s.nextRunAt)), h('td', {}, time(s.lastRunAt)),
          h('td', {}, s.lastTaskId ? h('a', { href: `#/circles/${enc(circle)}/tasks/${s.lastTaskId}`, class: 'mono' }, s.lastTaskId) : '—'),
          h('td', { class: 'num' }, String(s.priority ?? 0)),
          h('td', {}, retryText(s.retry)));
        tr.append(deleteCell(tr, `schedule ${s.name}`,
          `Delete schedule ${s.name} of circle ${circle}? It fires no more; tasks it submitted go on.`,
          () => api(`${path}/schedules/${enc(s.name)}`, { method: 'DELETE', signal })));
        return tr;
      }))
      : h('p', { class: 'muted' }, 'No schedule.');
  }

  async function loadSchedules() {
    const view = await optional(`${path}/schedules`, signal, schedulesView);
    if (!signal.aborted) replace(document.getElementById('schedules'), view);
  }

  // The sections below come from endpoints a server may not have yet.
  const [scripts, schedules] = await Promise.all([
    optional(`${path}/scripts`, signal, data => {
      const list = data.scripts ?? data;
      return list.length ? table('Registered scripts', ['Name', 'Version', 'Language', 'Description', 'Registered', 'Text', 'Run', actions()],
        list.map(s => {
          const tr = h('tr', {}, h('th', { scope: 'row' }, s.name), h('td', { class: 'num' }, String(s.version)),
            h('td', {}, s.language ?? 'javascript'), h('td', {}, s.description ?? ''), h('td', {}, time(s.createdAt)));
          tr.append(scriptTextCell(tr, s.name, 8),
            h('td', {}, h('a', { href: `#/submit?circle=${enc(circle)}&script=${enc(s.name)}`, class: 'run-script', 'aria-label': `Run ${s.name}` }, 'Run')));
          tr.append(deleteCell(tr, `script ${s.name}`,
            `Delete script ${s.name} of circle ${circle}, every version of it? Tasks already submitted still run; a schedule that names it skips its firings.`,
            () => api(`${path}/scripts/${enc(s.name)}`, { method: 'DELETE', signal })));
          return tr;
        }))
        : h('p', { class: 'muted' }, 'No registered script.');
    }),
    optional(`${path}/schedules`, signal, schedulesView),
  ]);
  if (signal.aborted) return;
  replace(document.getElementById('scripts'), scripts);
  replace(document.getElementById('schedules'), schedules);

  const kinds = ['calendars', 'events', 'flows', 'contracts'];
  const domain = await Promise.all(kinds.map(kind => optional(`${path}/${kind}?limit=${entityPage}`, signal,
    (data, headers) => entityTable(kind[0].toUpperCase() + kind.slice(1), data[kind], circle, kind, nextCursor(headers, 'after'),
      async id => { await api(`${path}/${kind}/${id}`, { method: 'DELETE', signal }); loadFigures().catch(() => {}); }))));
  if (signal.aborted) return;
  replace(document.getElementById('domain'), kinds.map((kind, i) => h('div', { class: 'entity' }, h('h3', {}, kind[0].toUpperCase() + kind.slice(1)), domain[i])));
}
