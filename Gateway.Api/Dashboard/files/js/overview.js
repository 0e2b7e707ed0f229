// Overview: the API's readiness checks, every circle with its figures and a chart of the last 15
// minutes, and the live workers.
import { api, follow, enc, credential } from './api.js';
import { h, svg, replace, table, ago, ms, badge, throttle, problemText } from './dom.js';
import { streamState } from './live.js';

const minutes = 15;
const minute = 60_000;
const figuresEvery = 5_000; // the slowest refresh the page allows itself: never faster than this
const backfillLimit = 500;

/** Completed and failed counts per minute for the last 15 minutes of one circle. */
class Throughput {
  constructor() { this.buckets = new Map(); this.counted = new Map(); } // counted: task id → its minute
  add(task) {
    if ((task.status !== 'completed' && task.status !== 'failed') || this.counted.has(task.id)) return;
    const at = Math.floor(new Date(task.finishedAt ?? Date.now()).getTime() / minute);
    this.counted.set(task.id, at);
    const bucket = this.buckets.get(at) ?? { completed: 0, failed: 0 };
    bucket[task.status]++;
    this.buckets.set(at, bucket);
  }
  series(now = Date.now()) {
    const end = Math.floor(now / minute);
    if (end !== this.end) {
      // A minute has passed: what fell out of the window is forgotten, its task ids too.
      this.end = end;
      for (const key of this.buckets.keys()) if (key <= end - minutes) this.buckets.delete(key);
      for (const [id, at] of this.counted) if (at <= end - minutes) this.counted.delete(id);
    }
    return Array.from({ length: minutes }, (_, i) => this.buckets.get(end - minutes + 1 + i) ?? { completed: 0, failed: 0 });
  }
}

function chart(series) {
  const width = 150, height = 32, bar = width / series.length;
  const max = Math.max(1, ...series.map(b => b.completed + b.failed));
  const total = series.reduce((t, b) => ({ completed: t.completed + b.completed, failed: t.failed + b.failed }), { completed: 0, failed: 0 });
  const bars = series.flatMap((b, i) => {
    const c = (b.completed / max) * height, f = (b.failed / max) * height;
    return [
      c > 0 ? svg('rect', { x: i * bar + 1, y: height - c, width: bar - 2, height: c, class: 'bar-ok' }) : null,
      f > 0 ? svg('rect', { x: i * bar + 1, y: height - c - f, width: bar - 2, height: f, class: 'bar-fail' }) : null,
    ];
  });
  const label = `Last ${minutes} minutes: ${total.completed} completed, ${total.failed} failed`;
  return h('span', { class: 'chart' },
    svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': label },
      svg('title', {}, label),
      svg('line', { x1: 0, y1: height - 0.5, x2: width, y2: height - 0.5, class: 'axis' }), bars),
    h('span', { class: 'chart-figures' }, h('span', { class: 'ok-text' }, `${total.completed}✓`), ' ', h('span', { class: 'fail-text' }, `${total.failed}✗`)));
}

export async function overview(main, _params, signal) {
  const circles = new Map(); // name → { figures, throughput, row }
  const circlesBody = h('tbody', {});
  const workersRegion = h('div', {}, h('p', { class: 'muted' }, 'Loading workers…'));
  const healthRegion = h('div', {}, h('p', { class: 'muted' }, 'Loading health…'));
  const circlesError = h('p', { class: 'error', role: 'alert', id: 'circles-error', hidden: true });
  const note = h('p', { class: 'muted small' },
    `Completed and failed per minute: from each circle's newest ${backfillLimit} finished tasks when the page opened, then live.`);
  replace(main,
    h('h1', {}, 'Overview'),
    h('section', { 'aria-labelledby': 'health-title' }, h('h2', { id: 'health-title' }, 'Health'), healthRegion),
    h('section', { 'aria-labelledby': 'circles-title' },
      h('h2', { id: 'circles-title' }, 'Circles'),
      circlesError,
      h('div', { class: 'scroll', role: 'region', 'aria-label': 'Circles table', tabindex: 0 },
        h('table', { id: 'circles' },
          h('caption', { class: 'sr-only' }, 'Circles with their queue figures'),
          h('thead', {}, h('tr', {}, ['Circle', 'Pending', 'Scheduled', 'Processing', 'Failed', 'Queue depth', 'Completed / failed per minute, last 15 min']
            .map(t => h('th', { scope: 'col' }, t)))),
          circlesBody)),
      note),
    h('section', { 'aria-labelledby': 'workers-title' }, h('h2', { id: 'workers-title' }, 'Workers'), workersRegion));

  // With a credential the server lists only the circles it grants: say so, rather than that none exists.
  const empty = h('tr', { class: 'empty' }, h('td', { colspan: 7 },
    credential.get() ? 'No circle this key or token may use has had a task yet.' : 'No circle has had a task yet.'));

  function rowOf(name) {
    let circle = circles.get(name);
    if (circle) return circle;
    circle = { name, figures: null, throughput: new Throughput(), row: h('tr', { 'data-circle': name }) };
    circles.set(name, circle);
    const rows = [...circles.values()].sort((a, b) => a.name.localeCompare(b.name));
    empty.remove();
    circlesBody.replaceChildren(...rows.map(c => c.row));
    paint(circle);
    return circle;
  }

  function paint(circle) {
    const f = circle.figures;
    const n = v => (v === undefined || v === null ? '—' : String(v));
    const depth = f ? (f.pending ?? 0) + (f.scheduled ?? 0) : null;
    replace(circle.row,
      h('th', { scope: 'row' }, h('a', { href: `#/circles/${enc(circle.name)}` }, circle.name),
        f?.paused ? [' ', h('span', { class: 'badge s-paused', 'data-paused': '' }, 'paused')] : null),
      h('td', { class: 'num' }, n(f?.pending)),
      h('td', { class: 'num' }, n(f?.scheduled)),
      h('td', { class: 'num' }, n(f?.processing)),
      h('td', { class: 'num' }, n(f?.failed)),
      h('td', { class: 'num' }, n(depth)),
      h('td', {}, chart(circle.throughput.series())));
  }

  async function backfill(circle) {
    for (const status of ['completed', 'failed']) {
      try {
        const { data } = await api(`circles/${enc(circle.name)}/tasks?status=${status}&limit=${backfillLimit}`, { signal });
        for (const task of data.tasks) circle.throughput.add(task);
      } catch { /* the chart starts empty for this circle */ }
    }
    paint(circle);
  }

  // A circle's figures are read again after its tasks change, at most once per second per circle.
  const refreshers = new Map();
  function refreshSoon(circle) {
    let refresh = refreshers.get(circle.name);
    if (!refresh) {
      refresh = throttle(async () => {
        circle.figures = (await api(`circles/${enc(circle.name)}`, { signal })).data;
        paint(circle);
      }, 1000);
      refreshers.set(circle.name, refresh);
    }
    refresh();
  }

  // A failed read says so above the table, which keeps the figures last read; the next one clears it.
  async function loadCircles() {
    let data;
    try {
      ({ data } = await api('circles', { signal }));
    } catch (error) {
      if (signal.aborted) return;
      circlesError.textContent = `Circles: ${problemText(error)}. The figures below may be out of date.`;
      circlesError.hidden = false;
      return;
    }
    circlesError.hidden = true;
    for (const figures of data.circles) {
      const known = circles.has(figures.name);
      const circle = rowOf(figures.name);
      circle.figures = figures;
      paint(circle);
      if (!known) backfill(circle);
    }
    if (circles.size === 0) circlesBody.replaceChildren(empty);
  }

  async function loadWorkers() {
    try {
      const { data } = await api('workers', { signal });
      const now = Date.now();
      const rows = data.workers.map(w => h('tr', { 'data-worker': w.id },
        h('th', { scope: 'row' }, w.id),
        h('td', {}, w.host),
        h('td', {}, (w.circles ?? []).join(', ') || 'every circle'),
        h('td', { class: 'num' }, `${w.busy} / ${w.concurrency}`),
        h('td', { class: 'num' }, String(w.processed)),
        h('td', {}, h('time', { datetime: w.lastSeenAt, title: w.lastSeenAt }, ago(w.lastSeenAt, now))),
        h('td', {}, h('time', { datetime: w.startedAt, title: w.startedAt }, ago(w.startedAt, now)))));
      replace(workersRegion, rows.length
        ? table('Live workers', ['Worker', 'Host', 'Circles', 'Busy slots', 'Tasks processed', 'Last heartbeat', 'Started'], rows, { id: 'workers' })
        : h('p', {}, 'No live worker.'));
    } catch (error) {
      replace(workersRegion, h('p', { class: 'error' }, `Workers: ${error.message}`));
    }
  }

  // The readiness checks of the API process that answers: why a Degraded service is degraded.
  async function loadHealth() {
    try {
      const { data } = await api('health', { signal });
      const rows = data.checks.map(c => h('tr', { 'data-check': c.name },
        h('th', { scope: 'row' }, c.name),
        h('td', {}, badge(c.status)),
        h('td', {}, c.description ?? ''),
        h('td', { class: 'num' }, ms(c.durationMs))));
      replace(healthRegion,
        h('p', { id: 'health-status' }, 'API ', badge(data.status), ' ',
          h('span', { class: 'muted small' }, 'checked ', h('time', { datetime: data.checkedAt, title: data.checkedAt }, ago(data.checkedAt)))),
        table('Readiness checks', ['Check', 'Status', 'Finding', 'Took'], rows, { id: 'health' }));
    } catch (error) {
      replace(healthRegion, h('p', { class: 'error' }, `Health: ${problemText(error)}`));
    }
  }

  await loadHealth();
  await loadCircles();
  await loadWorkers();
  if (signal.aborted) return; // left while loading: no stream, no timer

  follow('tasks/stream', {
    signal,
    onState: streamState,
    onMissed: loadCircles,
    onEvent(name, task) {
      if (name !== 'status' || !task.circle) return;
      const known = circles.has(task.circle);
      const circle = rowOf(task.circle);
      circle.throughput.add(task);
      if (!known) backfill(circle);
      paint(circle);
      refreshSoon(circle);
    },
  });

  // Health, figures of every circle, workers, and the chart's moving window: once per 5 s, no faster.
  const timer = setInterval(() => {
    loadHealth();
    loadCircles();
    loadWorkers();
  }, figuresEvery);
  signal.addEventListener('abort', () => { clearInterval(timer); for (const r of refreshers.values()) r.cancel(); });
}
