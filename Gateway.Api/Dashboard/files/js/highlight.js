// Syntax highlighting for JavaScript and Rhai: a small tokenizer, enough to read a script by.
import { h } from './dom.js';

const keywords = {
  javascript: new Set(('await break case catch class const continue debugger default delete do else export extends ' +
    'finally for function if import in instanceof let new of return static super switch this throw try typeof var ' +
    'void while with yield async').split(' ')),
  rhai: new Set(('let const fn if else while loop for in do until return throw try catch switch break continue ' +
    'import export as private this global is_def_var is_def_fn Fn call curry type_of print debug').split(' ')),
};
const literals = new Set(['true', 'false', 'null', 'undefined', 'NaN', 'Infinity']);

const token = /(\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|$))|("(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?|`(?:[^`\\]|\\[\s\S])*`?)|(\b(?:0[xXbBoO][\da-fA-F_]+|\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?)\b)|([A-Za-z_$][\w$]*)|(\n)/g;

/** Splits source into lines of tokens: [[{ text, kind }]], kind in kw, str, num, com, lit, or ''. */
export function tokenize(source, language = 'javascript') {
  const words = keywords[language] ?? keywords.javascript;
  const lines = [[]];
  const push = (text, kind) => {
    // Comments and template strings may span lines: split them, keeping the kind.
    const parts = text.split('\n');
    parts.forEach((part, i) => {
      if (i > 0) lines.push([]);
      if (part) lines[lines.length - 1].push({ text: part, kind });
    });
  };
  let last = 0;
  for (const m of source.matchAll(token)) {
    if (m.index > last) push(source.slice(last, m.index), '');
    const [text, comment, string, number, word] = m;
    if (comment) push(text, 'com');
    else if (string) push(text, 'str');
    else if (number) push(text, 'num');
    else if (word) push(text, words.has(word) ? 'kw' : literals.has(word) ? 'lit' : '');
    else push(text, '');
    last = m.index + text.length;
  }
  if (last < source.length) push(source.slice(last), '');
  return lines;
}

function lineNodes(tokens) {
  return tokens.map(t => t.kind ? h('span', { class: `tok-${t.kind}` }, t.text) : t.text);
}

/** A read-only listing with line numbers; markLine (1-based) is marked as the failing line. */
export function codeView(source, language, { markLine, markText } = {}) {
  const lines = tokenize(source ?? '', language);
  return h('pre', { class: 'code', tabindex: 0, 'aria-label': `Script, ${lines.length} lines` },
    h('code', {}, lines.map((tokens, i) => {
      const n = i + 1;
      const failing = n === markLine;
      return h('span', { class: failing ? 'line failing' : 'line', 'data-line': n, 'aria-current': failing ? 'true' : null },
        h('span', { class: 'ln', 'aria-hidden': 'true' }, String(n)),
        h('span', { class: 'src' }, lineNodes(tokens), '\n'),
        failing && markText ? h('span', { class: 'mark-note' }, `▲ line ${n}: ${markText}`, '\n') : null);
    })));
}

/**
 * A script editor: a textarea over a highlighted copy of its text, with line numbers. Tab keeps
 * moving focus (a keyboard user must be able to leave the editor); indent with spaces.
 */
export function editor({ id, label, value = '', language = () => 'javascript' }) {
  const input = h('textarea', { id, class: 'editor-input', spellcheck: 'false', autocapitalize: 'off', autocomplete: 'off', rows: 12 });
  input.value = value;
  const gutter = h('div', { class: 'editor-gutter', 'aria-hidden': 'true' });
  const view = h('pre', { class: 'editor-view', 'aria-hidden': 'true' });
  const paint = () => {
    const lines = tokenize(input.value, language());
    view.replaceChildren(...lines.map(tokens => h('span', { class: 'eline' }, lineNodes(tokens), '\n')));
    gutter.replaceChildren(...lines.map((_, i) => h('span', {}, String(i + 1))));
  };
  const sync = () => { view.scrollTop = input.scrollTop; view.scrollLeft = input.scrollLeft; gutter.scrollTop = input.scrollTop; };
  input.addEventListener('input', () => { paint(); sync(); });
  input.addEventListener('scroll', sync);
  paint();
  const root = h('div', { class: 'editor' }, gutter, h('div', { class: 'editor-body' }, view, input));
  return { root, input, paint, label };
}
