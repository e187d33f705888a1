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
  }
  export default function orxe(): OpenRosaEvaluator;
}
