/**
 * ODK expressions on the phone: Enketo's openrosa-xpath-evaluator over an XML copy of the
 * answers (`<data><q>…</q><roster><q>…</q></roster></data>`). The server evaluates the same
 * text the same way (backend/surveys/xpath.py); tests/fixtures/survey_rules.json proves it.
 * Loaded only with the survey screens.
 *
 * What depends on the reader, as in ODK Collect (the device's language), follows the app's
 * language: `format-date`'s %a and %b (Enketo's `enketoFormLocale`, zh-CN or en-US) and
 * `jr:choice-name`, registered here (Enketo's evaluator has none) over the choices of the
 * form the instance was built from (`bindChoices`). The response carries the language, so
 * the server computes the same.
 */
import orxe from 'openrosa-xpath-evaluator';
import { lang } from '../i18n';

export const ROOT = 'data';

/** A select question's choices by name, each with its label by language. */
export type ChoiceLabels = (question: string) => Record<string, Record<string, string>>;

const choicesOf = new WeakMap<Document, ChoiceLabels>();

/** The choices `jr:choice-name` reads in expressions over this instance. */
export function bindChoices(doc: Document, labels: ChoiceLabels): void {
  choicesOf.set(doc, labels);
}

/** The choices of the instance being evaluated (the evaluator's functions see no context). */
let running: ChoiceLabels | null = null;

/**
 * ODK's `jr:choice-name(value, '${q}')`: the label of q's choice named value in the app's
 * language; empty for no such choice. q is the path's last step (names are unique in a form).
 * Mirrors xpath.py `_choice_name`.
 */
function choiceName(value: string, path: string): string {
  const question = path.trim().replace(/\/+$/, '').split('/').pop() ?? '';
  const label = running?.(question)[value];
  if (!label) return '';
  return label[lang.get()] || label.zh || '';
}

let evaluator: ReturnType<typeof orxe> | null = null;
function engine(): ReturnType<typeof orxe> {
  if (!evaluator) {
    evaluator = orxe();
    evaluator.customXPathFunction.add('jr:choice-name', { fn: choiceName, args: [{ t: 'string' }, { t: 'string' }], ret: 'string' });
  }
  return evaluator;
}

/** Evaluate with the language and the choices of the instance `context` is in. */
function withReader<T>(context: Node, run: () => T): T {
  const doc = context.nodeType === Node.DOCUMENT_NODE ? (context as Document) : context.ownerDocument;
  const before = running;
  running = (doc && choicesOf.get(doc)) || null;
  const page = (globalThis as { window?: { enketoFormLocale?: string } }).window;
  if (page) page.enketoFormLocale = lang.get() === 'zh' ? 'zh-CN' : 'en-US';
  try {
    return run();
  } finally {
    running = before;
  }
}

/** A new, empty instance document. */
export function newInstance(): XMLDocument {
  return document.implementation.createDocument(null, ROOT, null);
}

export function addNode(parent: Element, name: string, text: string): Element {
  const node = parent.ownerDocument.createElementNS(null, name);
  if (text) node.textContent = text;
  parent.appendChild(node);
  return node;
}

const CURLY: Record<string, string> = { '‘': "'", '’': "'", '“': '"', '”': '"', '＇': "'", '＂': '"' };
const TOKEN = /\s+|'[^']*'|"[^"]*"|\d+(?:\.\d*)?|\.\d+|!=|<=|>=|\/\/|::|\.\.|[A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?|[^\s]/g;
const WORD_OPS = new Set(['and', 'or', 'div', 'mod']);
const ENDS_OPERAND = (t: string) => /^['"\d.A-Za-z_)\]*]/.test(t) || t === '..';

/**
 * An expression as Enketo's evaluator reads it the way XPath (and the server) means it:
 * quotes pasted from Word made straight, and a minus sign before anything but a number
 * (`-${x}`, `-(1+2)`, `--3`, which the evaluator refuses or misreads) written `(-1 * (…))`.
 */
export function odkText(expression: string): string {
  let known = rewritten.get(expression);
  if (known === undefined) {
    known = rewrite(expression);
    if (rewritten.size >= 2000) rewritten.clear();
    rewritten.set(expression, known);
  }
  return known;
}

const rewritten = new Map<string, string>();

function rewrite(expression: string): string {
  const text = expression.replace(/[‘’“”＇＂]/g, (c) => CURLY[c]);
  const tokens = text.match(TOKEN) ?? [];
  // Which tokens are binary operators: those that follow an operand.
  const ops: boolean[] = [];
  let last = '';
  for (const t of tokens) {
    const op = last !== '' && ENDS_OPERAND(last) && (WORD_OPS.has(t) || ['+', '-', '*', '=', '!=', '<', '<=', '>', '>=', '|'].includes(t));
    ops.push(op);
    if (!/^\s+$/.test(t)) last = op ? '' : t;
  }
  const out = (from: number, to: number): string => {
    let s = '';
    for (let i = from; i < to; i++) {
      const t = tokens[i];
      if (t !== '-' || ops[i]) {
        s += t;
        continue;
      }
      // A unary minus: its operand runs to the next binary operator (but `|`) or closing mark.
      let depth = 0;
      let j = i + 1;
      for (; j < to; j++) {
        const u = tokens[j];
        if (u === '(' || u === '[') depth++;
        else if (u === ')' || u === ']') {
          if (depth === 0) break;
          depth--;
        } else if (depth === 0 && (u === ',' || (ops[j] && u !== '|'))) break;
      }
      s += `(-1 * (${out(i + 1, j)}))`;
      i = j - 1;
    }
    return s;
  };
  return out(0, tokens.length);
}

/** The expression's boolean value at `context`; an expression that fails is false. */
export function isTrue(expression: string, context: Node): boolean {
  try {
    return withReader(context, () => engine().evaluate(odkText(expression), context, null, XPathResult.BOOLEAN_TYPE, null).booleanValue);
  } catch {
    return false;
  }
}

/** The expression's string value at `context`; an expression that fails is empty. */
export function valueOf(expression: string, context: Node): string {
  try {
    return withReader(context, () => engine().evaluate(odkText(expression), context, null, XPathResult.STRING_TYPE, null).stringValue);
  } catch {
    return '';
  }
}

/** The number JavaScript writes for n, as XPath's string() does. */
export const numberText = (n: number): string => String(n);
