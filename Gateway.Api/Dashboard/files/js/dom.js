// A tiny DOM builder: every text goes in through textContent, never as HTML.

/** h('td', { class: 'x', onclick }, 'text', child) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

const svgNs = 'http://www.w3.org/2000/svg';
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS(svgNs, tag);
  for (const [key, value] of Object.entries(attrs ?? {})) el.setAttribute(key, String(value));
  for (const child of children.flat()) if (child) el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return el;
}

export function time(value) {
  if (!value) return '—';
  const d = new Date(value);
  return h('time', { datetime: d.toISOString(), title: d.toISOString() }, d.toLocaleTimeString([], { hour12: false }));
}

export function ago(value, now = Date.now()) {
  if (!value) return '—';
  const s = Math.max(0, Math.round((now - new Date(value).getTime()) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  return `${Math.floor(s / 3600)} h ago`;
}

export function ms(value) {
  if (value === undefined || value === null) return '—';
  return value < 1000 ? `${Number(value).toFixed(value < 10 ? 2 : 0)} ms` : `${(value / 1000).toFixed(2)} s`;
}

/** A byte count as people read it: 512 B, 1.5 KiB, 64 MiB. */
export function bytes(value) {
  if (value === undefined || value === null) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let size = Number(value), unit = 0;
  while (size >= 1024 && unit < units.length - 1) { size /= 1024; unit++; }
  return `${unit === 0 ? size : Number(size.toFixed(1))} ${units[unit]}`;
}

export function badge(status) {
  return h('span', { class: `badge s-${status}`, 'data-status': status }, status);
}

export function json(value) {
  return JSON.stringify(value, null, 2);
}

/** A table in a scrolling wrapper, so a narrow screen scrolls it rather than the page. */
export function table(caption, headers, rows, attrs = {}) {
  return h('div', { class: 'scroll', role: 'region', 'aria-label': `${caption} table`, tabindex: 0 },
    h('table', attrs,
      h('caption', { class: 'sr-only' }, caption),
      h('thead', {}, h('tr', {}, headers.map(t => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows)));
}

export function problemText(error) {
  const p = error?.problem;
  if (p && (p.title || p.detail)) {
    const fields = p.errors ? ' ' + Object.entries(p.errors).map(([k, v]) => `${k}: ${[].concat(v).join(' ')}`).join('; ') : '';
    return `${error.status} ${p.title ?? ''} ${p.detail ?? ''}${fields}`.replace(/\s+/g, ' ').trim();
  }
  return error?.status ? `${error.status} ${error.message}` : String(error?.message ?? error);
}

/** Runs fn at once, then at most once per `ms`: calls in between are folded into one at the end. */
export function throttle(fn, ms) {
  let cooling = null, again = false;
  const run = () => {
    again = false;
    Promise.resolve().then(fn).catch(() => {});
    cooling = setTimeout(() => { cooling = null; if (again) run(); }, ms);
  };
  const call = () => { if (cooling) again = true; else run(); };
  call.cancel = () => { clearTimeout(cooling); cooling = null; again = false; };
  return call;
}
