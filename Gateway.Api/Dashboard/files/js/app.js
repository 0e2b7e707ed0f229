// The dashboard: a hash router over four views, and the key prompt when the API asks for one.
import { api, credential, session, isJwt, ApiError } from './api.js';
import { h, replace, problemText } from './dom.js';
import { overview } from './overview.js';
import { circleView } from './circle.js';
import { taskView } from './task.js';
import { submitView } from './submit.js';
import { streamState } from './live.js';

const main = document.getElementById('main');
const forget = document.getElementById('forget');
let current = null; // AbortController of the view on screen
let prompting = false;

// A circle as the server names them, and a task id as it makes them: anything else is no page
// (and never becomes part of an API path, where "." or ".." would reach another endpoint).
const circleName = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const taskId = /^[0-9a-f]{32}$/;

function decoded(text) {
  try { return decodeURIComponent(text); } catch { return null; }
}

function circleOf(text) {
  const name = decoded(text);
  return name !== null && circleName.test(name) ? name : null;
}

const routes = [
  [/^#?\/?$/, () => ({ view: overview, nav: 'overview', title: 'Overview' })],
  [/^#\/submit(?:\?([^#]*))?$/, m => {
    // ?circle=C to submit there; &script=NAME to run that registered script of it.
    const query = new URLSearchParams(m[1] ?? '');
    const script = query.get('script');
    return { view: submitView, nav: 'submit', title: 'Submit',
      params: { circle: query.get('circle') || undefined, script: script !== null && circleName.test(script) ? script : undefined } };
  }],
  [/^#\/circles\/([^/]+)$/, m => {
    const circle = circleOf(m[1]);
    return circle && { view: circleView, nav: null, title: `Circle ${circle}`, params: { circle } };
  }],
  [/^#\/circles\/([^/]+)\/tasks\/([^/]+)$/, m => {
    const circle = circleOf(m[1]);
    return circle && taskId.test(m[2]) && { view: taskView, nav: null, title: `Task ${m[2]}`, params: { circle, id: m[2] } };
  }],
];

async function render() {
  current?.abort();
  if (prompting) return;
  const controller = new AbortController();
  current = controller;
  streamState('idle');
  forget.hidden = !credential.get();
  const hash = location.hash || '#/';
  let match = null;
  for (const [pattern, make] of routes) {
    const m = hash.match(pattern);
    if (m) { match = make(m) || null; break; }
  }
  for (const a of document.querySelectorAll('[data-nav]'))
    a.toggleAttribute('aria-current', a.dataset.nav === match?.nav);
  if (!match) {
    replace(main, h('h1', {}, 'Not found'), h('p', {}, 'No such page. ', h('a', { href: '#/' }, 'Back to the overview.')));
    return;
  }
  document.title = `${match.title} · Gateway`;
  replace(main, h('p', { class: 'muted' }, 'Loading…'));
  try {
    await match.view(main, match.params ?? {}, controller.signal);
  } catch (error) {
    if (controller.signal.aborted || prompting) return;
    if (error instanceof ApiError && error.status === 401) return; // the prompt is up
    if (error instanceof ApiError && error.status === 403) {
      // The credential is valid, only not for this circle: keep it, say why, and how to use another.
      replace(main, h('h1', {}, match.title),
        h('p', { class: 'error', role: 'alert' }, `Not allowed (403): ${error.problem?.detail ?? error.message}`),
        h('p', {}, 'To see it, use “Forget key” above and sign in with a key or token that grants it. ', h('a', { href: '#/' }, 'Back to the overview.')));
      return;
    }
    replace(main, h('h1', {}, match.title), h('p', { class: 'error', role: 'alert' }, `Could not load this page: ${problemText(error)}`));
  }
}

/** Asks for an API key or a JWT; a wrong one is said so, and asked again. */
function prompt(message) {
  if (prompting) return;
  prompting = true;
  current?.abort();
  streamState('closed');
  const input = h('input', { id: 'credential', type: 'password', autocomplete: 'off', required: true, 'aria-describedby': 'credential-help' });
  const error = h('p', { id: 'credential-error', class: 'error', role: 'alert' }, message ?? '');
  const form = h('form', { class: 'card key-prompt', 'aria-labelledby': 'key-title' },
    h('h1', { id: 'key-title' }, 'Sign in'),
    h('p', { id: 'credential-help' }, 'This gateway needs an API key (sent as X-Api-Key) or a JWT (sent as a bearer token). ' +
      'It is kept for this browser tab only.'),
    h('label', { for: 'credential' }, 'API key or JWT'),
    input,
    h('button', { type: 'submit' }, 'Sign in'),
    error);
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const value = input.value.trim();
    if (!value) return;
    credential.set(value);
    try {
      await api('circles');
    } catch (e) {
      if (e.status === 401) {
        credential.clear();
        error.textContent = `That ${isJwt(value) ? 'token' : 'key'} was not accepted (401). Check it and try again.`;
        input.focus();
        return;
      }
      // Not a refusal (the service may be unavailable): keep it; the page says what fails.
    }
    prompting = false;
    render();
  });
  replace(main, form);
  input.focus();
}

session.addEventListener('unauthorized', () => {
  const had = credential.get();
  credential.clear();
  prompt(had ? 'The key or token was not accepted (401): it may have been revoked or expired.' : '');
});

forget.addEventListener('click', () => {
  credential.clear();
  forget.hidden = true;
  prompt('Signed out.');
});

window.addEventListener('hashchange', () => {
  render();
  main.focus({ preventScroll: true });
});
render();
