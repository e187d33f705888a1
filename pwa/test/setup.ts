import 'fake-indexeddb/auto';
import { loadCatalogue } from '../src/i18n';

/** A Map-backed localStorage, as Node has none. */
class MemoryStorage {
  private m = new Map<string, string>();
  get length() {
    return this.m.size;
  }
  clear() {
    this.m.clear();
  }
  getItem(k: string) {
    return this.m.has(k) ? this.m.get(k)! : null;
  }
  key(i: number) {
    return [...this.m.keys()][i] ?? null;
  }
  removeItem(k: string) {
    this.m.delete(k);
  }
  setItem(k: string, v: string) {
    this.m.set(k, String(v));
  }
}

if (typeof globalThis.localStorage === 'undefined' || typeof globalThis.localStorage.getItem !== 'function') {
  Object.defineProperty(globalThis, 'localStorage', { value: new MemoryStorage(), configurable: true });
}

// The English catalogue is a chunk of its own in the app; tests switch languages synchronously.
await loadCatalogue('en');

/**
 * jsdom's XPathExpression.evaluate wants its result type, which the DOM standard makes
 * optional (0, any type) and browsers default. Enketo's evaluator leaves it out when it reads
 * the steps after a predicate (`/data/members[2]/name`): without this, jsdom throws there and
 * the survey tests would see an empty value where Chromium (the phone) reads the member's name.
 */
if (typeof XPathEvaluator !== 'undefined' && typeof XPathResult !== 'undefined') {
  const proto = Object.getPrototypeOf(new XPathEvaluator().createExpression('.', null)) as XPathExpression;
  const evaluate = proto.evaluate;
  proto.evaluate = function (this: XPathExpression, node: Node, type?: number, result?: XPathResult | null) {
    return evaluate.call(this, node, type ?? XPathResult.ANY_TYPE, result ?? null);
  };
}
