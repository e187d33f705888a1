// openrosa-xpath-evaluator (Enketo) ships no types: a factory of an XPathEvaluator-like object.
declare module 'openrosa-xpath-evaluator' {
  interface OpenRosaEvaluator {
    evaluate(
      expression: string,
      context: Node,
      resolver: XPathNSResolver | null,
      type: number,
      result: XPathResult | null,
    ): XPathResult;
    /** Enketo's extension point: a function of string, boolean or number arguments. */
    customXPathFunction: {
      add(
        name: string,
        spec: {
          fn: (...args: never[]) => unknown;
          args: { t: 'string' | 'boolean' | 'number' }[];
          ret: 'string' | 'boolean' | 'number';
        },
      ): void;
    };
  }
  export default function orxe(): OpenRosaEvaluator;
}
