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

/** The expression's boolean value at `context`; an expression that fails is false. */
export function isTrue(expression: string, context: Node): boolean {
  try {
    return engine().evaluate(expression, context, null, XPathResult.BOOLEAN_TYPE, null).booleanValue;
  } catch {
    return false;
  }
}

/** The expression's string value at `context`; an expression that fails is empty. */
export function valueOf(expression: string, context: Node): string {
  try {
    return engine().evaluate(expression, context, null, XPathResult.STRING_TYPE, null).stringValue;
  } catch {
    return '';
  }
}

/** The number JavaScript writes for n, as XPath's string() does. */
export const numberText = (n: number): string => String(n);
