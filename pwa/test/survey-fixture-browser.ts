/**
 * The shared survey fixture's expressions (tests/fixtures/survey_rules.json), evaluated by the
 * phone's code in a real browser: bundled and run in Chromium by
 * tests/e2e/test_survey_fixture_chromium.py, since the vitest run uses jsdom's XPath, not the
 * browser's that Enketo's evaluator wraps on the phone.
 */
import fixture from '../../tests/fixtures/survey_rules.json';
import { lang } from '../src/i18n';
import { expressionValue, type Answers, type Form } from '../src/surveys/rules';

interface FunctionCase {
  expr: string;
  at: string;
  value: string;
  lang?: 'zh' | 'en';
}

interface Functions {
  answers: Answers;
  cases: FunctionCase[];
}

/** Every case whose value differs from the fixture's (the server's), and how many ran. */
function mismatches(): { ran: number; wrong: string[] } {
  const { expressions, nested } = fixture as unknown as {
    expressions: { form: Form; functions: Functions };
    nested: { form: Form; functions: Functions };
  };
  const wrong: string[] = [];
  let ran = 0;
  for (const { form, functions } of [expressions, nested]) {
    for (const c of functions.cases) {
      lang.set(c.lang ?? 'zh');
      const value = expressionValue(form, functions.answers, c.expr, c.at);
      ran++;
      if (value !== c.value) wrong.push(`${c.expr} at ${c.at || '/data'} in ${c.lang ?? 'zh'}: ${JSON.stringify(value)}, not ${JSON.stringify(c.value)}`);
    }
  }
  lang.set('zh');
  return { ran, wrong };
}

(globalThis as { surveyFixture?: typeof mismatches }).surveyFixture = mismatches;
