/**
 * ODK expressions on the phone: Enketo's openrosa-xpath-evaluator over an XML copy of the
 * answers (`<data><q>…</q><roster><q>…</q></roster></data>`). The server evaluates the same
 * text the same way (backend/surveys/xpath.py); tests/fixtures/survey_rules.json proves it.
 * Loaded only with the survey screens.
 */
import orxe from 'openrosa-xpath-evaluator';

export const ROOT = 'data';

let evaluator: ReturnType<typeof orxe> | null = null;
const engine = () => (evaluator ??= orxe());

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
    return engine().evaluate(odkText(expression), context, null, XPathResult.BOOLEAN_TYPE, null).booleanValue;
  } catch {
    return false;
  }
}

/** The expression's string value at `context`; an expression that fails is empty. */
export function valueOf(expression: string, context: Node): string {
  try {
    return engine().evaluate(odkText(expression), context, null, XPathResult.STRING_TYPE, null).stringValue;
  } catch {
    return '';
  }
}

/** The number JavaScript writes for n, as XPath's string() does. */
export const numberText = (n: number): string => String(n);
