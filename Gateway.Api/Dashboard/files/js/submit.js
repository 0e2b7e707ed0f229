// Submit: a script editor (or a registered script), args as JSON, options; Run waits for the result
// and shows it here; "Keep it" registers the script or puts a schedule that submits the task.
import { api, follow, enc } from './api.js';
import { h, replace, badge, json, ms, problemText } from './dom.js';
import { editor, codeView } from './highlight.js';
import { streamState } from './live.js';
import { finished } from './status.js';

const samples = {
  javascript: '// args is the JSON you pass below; the last value is the result.\nconst total = args.a + args.b;\nconsole.log(`total is ${total}`);\n({ total })',
  rhai: '// args is the JSON you pass below; the last value is the result.\nlet total = args.a + args.b;\nprint(`total is ${total}`);\n#{ total: total }',
};

export async function submitView(main, { circle, script: named }, signal) {
  let circles = [];
  try { circles = (await api('circles', { signal })).data.circles.map(c => c.name); }
  catch (error) { if (signal.aborted || error.status === 401) throw error; }

  const field = (id, label, input, hint) => h('div', { class: 'field' },
    h('label', { for: id }, label), input, hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null);

  const circleInput = h('input', { id: 'circle', name: 'circle', required: true, list: 'circle-names', autocomplete: 'off',
    pattern: '[A-Za-z0-9][A-Za-z0-9_\\-]{0,63}', value: circle ?? circles[0] ?? 'demo' });
  const language = h('select', { id: 'language', name: 'language' },
    h('option', { value: 'javascript' }, 'JavaScript'), h('option', { value: 'rhai' }, 'Rhai'));
  const script = editor({ id: 'script', label: 'Script', value: samples.javascript, language: () => language.value });
  // A registered script of the circle runs instead of the text written here when one is chosen.
  const scriptName = h('select', { id: 'script-name', name: 'scriptName', 'aria-describedby': 'script-name-hint' });
  const scriptNameHint = h('p', { class: 'hint', id: 'script-name-hint' });
  let registered = [];
  const args = h('textarea', { id: 'args', name: 'args', rows: 4, spellcheck: 'false', 'aria-describedby': 'args-hint' });
  args.value = '{ "a": 2, "b": 3 }';
  const timeout = h('input', { id: 'timeout', name: 'timeout', type: 'number', min: 1, step: 1, value: 5000, inputmode: 'numeric' });
  const priority = h('input', { id: 'priority', name: 'priority', type: 'number', min: 0, max: 9, step: 1, value: 0, inputmode: 'numeric' });
  const wait = h('input', { id: 'wait', name: 'wait', type: 'number', min: 0, max: 60, step: 1, value: 10, inputmode: 'numeric' });
  const delay = h('input', { id: 'delay', name: 'delayMs', type: 'number', min: 0, step: 1, placeholder: '0', inputmode: 'numeric', 'aria-describedby': 'delay-hint' });
  const retries = h('input', { id: 'retries', name: 'retries', type: 'number', min: 0, max: 10, step: 1, value: 0, inputmode: 'numeric', 'aria-describedby': 'retries-hint' });
  const backoff = h('input', { id: 'backoff', name: 'backoffMs', type: 'number', min: 0, step: 1, value: 1000, inputmode: 'numeric' });
  const factor = h('input', { id: 'factor', name: 'factor', type: 'number', min: 1, max: 10, step: 'any', value: 2, inputmode: 'decimal' });
  const run = h('button', { type: 'submit', id: 'run' }, 'Run');
  const result = h('section', { id: 'run-result', 'aria-live': 'polite', 'aria-labelledby': 'run-result-title' });
  let following = null; // the AbortController of the run the panel shows

  language.addEventListener('change', () => {
    if (Object.values(samples).includes(script.input.value)) script.input.value = samples[language.value];
    script.paint();
  });

  const languageField = field('language', 'Language', language);
  const scriptField = h('div', { class: 'field' }, h('label', { for: 'script' }, 'Script'), script.root);
  const form = h('form', { id: 'submit-form', class: 'submit', novalidate: true },
    h('div', { class: 'row' },
      field('circle', 'Circle', circleInput),
      h('div', { class: 'field' }, h('label', { for: 'script-name' }, 'Run'), scriptName, scriptNameHint),
      languageField),
    scriptField,
    field('args', 'Args (JSON)', args, 'Any JSON value; the script sees it as args.'),
    h('div', { class: 'row' },
      field('timeout', 'Timeout (ms)', timeout),
      field('priority', 'Priority (0–9)', priority),
      field('wait', 'Wait for the result (s)', wait)),
    h('div', { class: 'row' },
      field('delay', 'Delay (ms)', delay, 'For Run: no sooner; the task is scheduled until then.'),
      field('retries', 'Retries (0–10)', retries, 'Runs again after a script error or a timeout.'),
      field('backoff', 'First retry after (ms)', backoff),
      field('factor', 'Each next wait ×', factor)),
    h('div', { class: 'actions' }, run));

  const keepName = h('input', { id: 'keep-name', name: 'keepName', required: true, autocomplete: 'off', spellcheck: 'false',
    pattern: '[A-Za-z0-9][A-Za-z0-9_\\-]{0,63}', 'aria-describedby': 'keep-name-hint' });
  const cron = h('input', { id: 'cron', name: 'cron', autocomplete: 'off', spellcheck: 'false', placeholder: '0 2 * * *', 'aria-describedby': 'cron-hint' });
  const zone = h('input', { id: 'time-zone', name: 'timeZone', autocomplete: 'off', spellcheck: 'false', placeholder: 'UTC', 'aria-describedby': 'time-zone-hint' });
  const register = h('button', { type: 'button', id: 'register' }, 'Register the script');
  const schedule = h('button', { type: 'button', id: 'schedule' }, 'Schedule the task');
  const keepNote = h('p', { class: 'muted', role: 'status', id: 'keep-note' });
  const keepSection = h('section', { class: 'submit', 'aria-labelledby': 'keep-title' },
    h('h2', { id: 'keep-title' }, 'Keep it'),
    h('div', { class: 'row' },
      field('keep-name', 'Name', keepName, 'Of a registered script, or of a schedule, in the circle.'),
      field('cron', 'Cron', cron, 'For a schedule: 5 fields, or 6 with seconds first.'),
      field('time-zone', 'Time zone', zone, 'An IANA zone; UTC when empty.')),
    h('div', { class: 'actions' }, register, schedule),
    keepNote);

  function showChoice() {
    const chosen = registered.find(s => s.name === scriptName.value);
    languageField.hidden = scriptField.hidden = !!chosen;
    // A registered script is kept already; a schedule may name it.
    register.hidden = !!chosen;
    scriptNameHint.textContent = chosen
      ? `Its latest version, ${chosen.version}, in ${chosen.language ?? 'javascript'}.`
      : registered.length ? 'Or one of the circle\'s registered scripts.' : 'The circle has no registered script.';
  }

  // The circle's registered scripts, read again when the circle changes; none when the server
  // has none, or the key may not use the circle.
  async function loadScripts(keep) {
    registered = [];
    if (circleInput.checkValidity()) {
      try {
        const { data } = await api(`circles/${enc(circleInput.value)}/scripts`, { signal });
        registered = data.scripts ?? data;
      } catch (error) { if (signal.aborted || error.status === 401) throw error; }
    }
    replace(scriptName, h('option', { value: '' }, 'The script written below'),
      registered.map(s => h('option', { value: s.name }, s.name)));
    scriptName.value = registered.some(s => s.name === keep) ? keep : '';
    showChoice();
  }

  await loadScripts(named);
  scriptName.addEventListener('change', showChoice);
  circleInput.addEventListener('change', () => loadScripts(scriptName.value).catch(() => {}));

  replace(main,
    h('h1', {}, 'Submit a task'),
    h('datalist', { id: 'circle-names' }, circles.map(c => h('option', { value: c }))),
    form,
    result,
    keepSection);

  function show(task, note) {
    const error = task.error;
    replace(result,
      h('h2', { id: 'run-result-title' }, 'Result ', badge(task.status)),
      note ? h('p', { class: 'muted' }, note) : null,
      h('p', {}, h('a', { href: `#/circles/${enc(task.circle)}/tasks/${task.id}`, class: 'mono', id: 'result-link' }, task.id),
        task.durationMs !== null && task.durationMs !== undefined ? ` · ${ms(task.durationMs)}` : ''),
      task.status === 'completed' ? h('pre', { class: 'json', id: 'result-json', tabindex: 0 }, json(task.result)) : null,
      error ? h('div', { class: 'card error-card' },
        h('p', {}, h('code', {}, error.code), ' ', error.message),
        // A registered script's text is on the task's page, where its line is marked.
        error.line && !task.scriptName ? codeView(script.input.value, language.value, { markLine: error.line, markText: error.message }) : null) : null,
      task.output ? [h('h3', {}, 'Output'), h('pre', { class: 'output', tabindex: 0 }, task.output)] : null);
  }

  // What the form asks to run, as the body of a task (a schedule's firings take it too); null,
  // with the reason shown in `where`, when it cannot be sent.
  function taskBody(where, numbers) {
    let parsedArgs = null;
    const text = args.value.trim();
    if (text) {
      try { parsedArgs = JSON.parse(text); }
      catch (e) {
        replace(where, h('span', { class: 'error', role: 'alert' }, `Args are not valid JSON: ${e.message}`));
        args.focus();
        return null;
      }
    }
    // A number field holding text reads as empty; say so rather than send the default.
    const notNumber = numbers.find(input => input.validity.badInput);
    if (notNumber) {
      replace(where, h('span', { class: 'error', role: 'alert' }, `${notNumber.labels[0].textContent} is not a number.`));
      notNumber.focus();
      return null;
    }
    if (!circleInput.checkValidity()) {
      replace(where, h('span', { class: 'error', role: 'alert' }, 'A circle name is 1–64 letters, digits, _ or -, starting with a letter or digit.'));
      circleInput.focus();
      return null;
    }
    const body = { args: parsedArgs, timeoutMs: Number(timeout.value) || undefined };
    if (scriptName.value) body.scriptName = scriptName.value; // in the language it was registered in
    else Object.assign(body, { script: script.input.value, language: language.value });
    const p = Number(priority.value);
    if (p) body.priority = p; // sent only when set: 0 is the default
    // Numbers out of range go as they are: the API's answer names the field. An empty wait or
    // factor is left to the API's default (0 ms, 1).
    const attempts = Number(retries.value);
    if (attempts) {
      body.retry = { attempts };
      if (backoff.value !== '') body.retry.backoffMs = Number(backoff.value);
      if (factor.value !== '') body.retry.factor = Number(factor.value);
    }
    return body;
  }

  // Keep what the form holds under a name of the circle: the script written as a registered
  // script, or the whole task as a schedule that submits it at each due time.
  async function keep(button, put) {
    if (!keepName.checkValidity()) {
      replace(keepNote, h('span', { class: 'error', role: 'alert' }, 'A name is 1–64 letters, digits, _ or -, starting with a letter or digit.'));
      keepName.focus();
      return;
    }
    const where = `circles/${enc(circleInput.value)}`;
    button.disabled = true;
    try {
      const said = await put(where, enc(keepName.value));
      if (said) replace(keepNote, ...said);
    } catch (error) {
      if (!signal.aborted) replace(keepNote, h('span', { class: 'error', role: 'alert' }, `Not kept: ${problemText(error)}`));
    } finally {
      button.disabled = false;
    }
  }

  register.addEventListener('click', () => keep(register, async (where, name) => {
    if (!circleInput.checkValidity()) return [h('span', { class: 'error', role: 'alert' }, 'The circle name is not valid.')];
    const { status, data } = await api(`${where}/scripts/${name}`, { method: 'PUT', body: { script: script.input.value, language: language.value }, signal });
    await loadScripts(scriptName.value);
    return [`${data.name} version ${data.version}${status === 201 ? ', registered' : ''}: run it by name above, or `,
      h('a', { href: `#/circles/${enc(circleInput.value)}` }, 'see it on the circle page'), '.'];
  }));

  // The fields a task's body is made of; Run also reads its wait and delay.
  const taskNumbers = [timeout, priority, retries, backoff, factor];

  schedule.addEventListener('click', () => keep(schedule, async (where, name) => {
    const body = taskBody(keepNote, taskNumbers);
    if (!body) return null;
    const { data } = await api(`${where}/schedules/${name}`, { method: 'PUT', body: { ...body, cron: cron.value, timeZone: zone.value.trim() || undefined }, signal });
    // A schedule's firings run at their due time: a delay written for Run is not part of it.
    const unused = delay.value !== '' && Number(delay.value) !== 0 ? 'The delay is for Run only, and was not used. ' : '';
    return [unused, data.nextRunAt ? `Schedule ${data.name} next runs at ${new Date(data.nextRunAt).toLocaleString()}; ` : `Schedule ${data.name} has no next run; `,
      h('a', { href: `#/circles/${enc(circleInput.value)}` }, 'see it on the circle page'), '.'];
  }));

  form.addEventListener('submit', async event => {
    event.preventDefault();
    const body = taskBody(result, [...taskNumbers, wait, delay]);
    if (!body) return;
    const delayMs = Number(delay.value);
    if (delayMs) body.delayMs = delayMs; // for a run only: a schedule's firings run at their due time
    run.disabled = true;
    // The panel shows the latest run only: the stream of an earlier task still going is stopped.
    following?.abort();
    following = new AbortController();
    const runSignal = AbortSignal.any([signal, following.signal]);
    replace(result, h('p', { class: 'muted' }, 'Running…'));
    try {
      const seconds = Math.max(0, Math.min(60, Number(wait.value) || 0));
      const { status, data } = await api(`circles/${enc(circleInput.value)}/tasks?wait=${seconds}`, { method: 'POST', body, signal: runSignal });
      const note = status === 202 ? 'Not finished within the wait; following it live.' : null;
      show(data, note);
      if (status === 202) {
        // The stream sends the whole task first and last, and each state between as a bare
        // status: the panel shows every one, the last whole task with the new state.
        let last = data;
        follow(`circles/${enc(data.circle)}/tasks/${data.id}/events`, {
          signal: runSignal, reconnect: false, onState: streamState,
          onEvent(name, change) {
            if (name !== 'status' || runSignal.aborted) return;
            last = 'attempts' in change ? change : { ...last, status: change.status };
            show(last, finished.has(last.status) ? null : note);
          },
        });
      }
    } catch (error) {
      if (!runSignal.aborted) replace(result, h('p', { class: 'error', role: 'alert', id: 'submit-error' }, `Not submitted: ${problemText(error)}`));
    } finally {
      run.disabled = false;
    }
  });
}
