// A task: its script with the failing line marked, args, result, output, error, timings; live.
import { api, follow, enc, ApiError } from './api.js';
import { h, replace, time, ms, badge, json, problemText } from './dom.js';
import { codeView } from './highlight.js';
import { streamState } from './live.js';
import { finished as terminal, settle } from './status.js';

export async function taskView(main, { circle, id }, signal) {
  const path = `circles/${enc(circle)}/tasks/${enc(id)}`;
  let task = (await api(path, { signal })).data;
  let source = null, sourceError = null;
  try { source = (await api(`${path}/source`, { signal })).data; }
  catch (error) { if (signal.aborted) throw error; sourceError = error; }

  const status = h('span', { id: 'task-status' });
  const details = h('div', { id: 'task-details' });
  const actionMessage = h('p', { id: 'action-message', role: 'status', class: 'muted' });
  const cancel = h('button', { type: 'button', id: 'cancel' }, 'Cancel');
  const retry = h('button', { type: 'button', id: 'retry' }, 'Retry');

  replace(main,
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' },
      h('a', { href: '#/' }, 'Overview'), ' / ', h('a', { href: `#/circles/${enc(circle)}` }, circle), ' / ', h('span', { class: 'mono' }, id)),
    h('h1', {}, 'Task ', h('span', { class: 'mono' }, id), ' ', status),
    h('div', { class: 'actions' }, cancel, retry),
    actionMessage,
    details);

  function row(label, value) {
    return [h('dt', {}, label), h('dd', {}, value ?? '—')];
  }

  function paint() {
    replace(status, badge(task.status));
    cancel.disabled = terminal.has(task.status);
    // Only a failed or cancelled task can be retried; on any other the button is not shown at all.
    retry.hidden = !['failed', 'cancelled'].includes(task.status);
    retry.disabled = retry.hidden;
    const language = task.language ?? 'javascript';
    const error = task.error;
    const waited = task.startedAt ? new Date(task.startedAt) - new Date(task.createdAt) : null;
    replace(details,
      h('div', { class: 'grid' },
        h('section', { 'aria-labelledby': 'facts-title', class: 'card' },
          h('h2', { id: 'facts-title' }, 'Run'),
          h('dl', { class: 'facts' },
            row('Circle', circle),
            row('Language', language),
            task.priority !== undefined ? row('Priority', String(task.priority)) : null,
            row('Attempts', String(task.attempts)),
            row('Worker', task.workerId),
            row('Caller', task.caller),
            row('Trace id', source?.traceId ? h('span', { class: 'mono', id: 'trace-id' }, source.traceId) : null),
            row('Created', time(task.createdAt)),
            task.runAt ? row('Runs at', time(task.runAt)) : null,
            row('Started', time(task.startedAt)),
            row('Finished', time(task.finishedAt)),
            row('Waited', waited === null ? null : ms(waited)),
            row('Duration', ms(task.durationMs)),
            task.scriptName ? row('Script', `${task.scriptName} v${task.scriptVersion ?? '?'}`) : null,
            task.scheduleName ? row('Schedule', task.scheduleName) : null,
            task.retryOf ? row('Retry of', h('a', { href: `#/circles/${enc(circle)}/tasks/${task.retryOf}`, class: 'mono', id: 'retry-of' }, task.retryOf)) : null,
            task.retriedBy ? row('Retried as', h('a', { href: `#/circles/${enc(circle)}/tasks/${task.retriedBy}`, class: 'mono', id: 'retried-by' }, task.retriedBy)) : null)),
        error ? h('section', { 'aria-labelledby': 'error-title', class: 'card error-card', id: 'task-error' },
          h('h2', { id: 'error-title' }, 'Error'),
          h('p', {}, h('code', { id: 'error-code' }, error.code)),
          h('p', { id: 'error-message' }, error.message),
          error.line ? h('p', {}, `at line ${error.line}${error.column ? `, column ${error.column}` : ''}`) : null) : null),
      h('section', { 'aria-labelledby': 'script-title' },
        h('h2', { id: 'script-title' }, 'Script'),
        source ? codeView(source.script, language, { markLine: error?.line, markText: error?.message })
          : h('p', { class: 'muted' }, sourceError instanceof ApiError && sourceError.status === 404
            ? 'The script is not available on this server.' : `The script could not be read: ${problemText(sourceError)}`)),
      h('section', { 'aria-labelledby': 'args-title' },
        h('h2', { id: 'args-title' }, 'Args'),
        source ? h('pre', { class: 'json', tabindex: 0, id: 'task-args' }, json(source.args)) : h('p', { class: 'muted' }, 'Not available.')),
      h('section', { 'aria-labelledby': 'result-title' },
        h('h2', { id: 'result-title' }, 'Result'),
        task.status === 'completed' ? h('pre', { class: 'json', tabindex: 0, id: 'task-result' }, json(task.result))
          : h('p', { class: 'muted' }, terminal.has(task.status) ? 'No result.' : 'Not finished yet.')),
      h('section', { 'aria-labelledby': 'output-title' },
        h('h2', { id: 'output-title' }, 'Output'),
        task.output ? h('pre', { class: 'output', tabindex: 0, id: 'task-output' }, task.output) : h('p', { class: 'muted' }, 'Nothing printed.')));
  }

  cancel.addEventListener('click', async () => {
    cancel.disabled = true;
    actionMessage.textContent = 'Cancelling…';
    try {
      const { status: code, data } = await api(path, { method: 'DELETE', signal });
      // The stream may have shown the task finished before this answer arrived.
      task = settle(task, data);
      actionMessage.textContent = code === 202 && !terminal.has(task.status) ? 'Cancel asked; the task is stopping.' : 'Cancelled.';
      paint();
    } catch (error) {
      if (signal.aborted) return;
      actionMessage.textContent = `Cancel failed: ${problemText(error)}`;
      if (error instanceof ApiError && error.status === 409) {
        // It finished first: show how.
        try { task = settle(task, (await api(path, { signal })).data); paint(); } catch { /* keep what is shown */ }
      }
      cancel.disabled = terminal.has(task.status);
    }
  });

  retry.addEventListener('click', async () => {
    retry.disabled = true;
    actionMessage.textContent = 'Retrying…';
    try {
      const { data } = await api(`${path}/retry`, { method: 'POST', signal });
      location.hash = `#/circles/${enc(circle)}/tasks/${data.id}`;
    } catch (error) {
      actionMessage.textContent = error instanceof ApiError && (error.status === 404 || error.status === 405)
        ? `Retry is not available on this server (${error.status}).`
        : `Retry failed: ${problemText(error)}`;
      retry.disabled = false;
    }
  });

  paint();
  if (terminal.has(task.status)) return;

  // The task's own events: its first is the task as it stands, a terminal one carries the whole task.
  follow(`${path}/events`, {
    signal,
    reconnect: false,
    onState: streamState,
    async onEvent(name, data) {
      if (name !== 'status') return;
      if ('attempts' in data) task = settle(task, data);
      else {
        task = settle(task, { ...task, status: data.status });
        try {
          const read = (await api(path, { signal })).data;
          // The stream may have finished the task while this read was on its way: settle with what is shown now.
          task = settle(task, read);
        } catch { /* keep the status alone */ }
      }
      paint();
    },
  });
}
