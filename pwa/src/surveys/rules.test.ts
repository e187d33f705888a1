// @vitest-environment jsdom
import fixtureJson from '../../../tests/fixtures/survey_rules.json';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { lang } from '../i18n';
import { checkAnswers, expressionValue, isDate, same, visibleQuestions, withCalculations, type Answers, type AnswerError, type Form } from './rules';

interface Case {
  name: string;
  answers: Answers;
  visible: string[];
  errors: AnswerError[];
  stored?: Answers;
}

/** The cases the server's tests run too (backend/surveys/rules.py), so the two cannot drift. */
interface FunctionCase {
  expr: string;
  at: string;
  value: string;
  /** The language the form is answered in (jr:choice-name, format-date's %a %b); zh when absent. */
  lang?: 'zh' | 'en';
}

/** The value in the case's language (the app's language on the phone), as the server gives it. */
function valueIn(form: Form, answers: Answers, c: FunctionCase): string {
  const before = lang.get();
  lang.set(c.lang ?? 'zh');
  try {
    return expressionValue(form, answers, c.expr, c.at);
  } finally {
    lang.set(before);
  }
}

const fixture = fixtureJson as unknown as {
  form: Form;
  cases: Case[];
  expressions: { now: string; form: Form; cases: Case[]; functions: { answers: Answers; cases: FunctionCase[] } };
  nested: { form: Form; cases: Case[]; functions: { answers: Answers; cases: FunctionCase[] } };
  roster_fact: { form: Form; cases: Case[] };
};

describe('survey rules (shared fixture)', () => {
  it('has cases', () => expect(fixture.cases.length).toBeGreaterThan(10));
  for (const c of fixture.cases) {
    it(c.name, () => {
      expect(visibleQuestions(fixture.form, c.answers)).toEqual(c.visible);
      expect(checkAnswers(fixture.form, c.answers)).toEqual(c.errors);
    });
  }
});

describe('ODK expressions (shared fixture, Enketo evaluator against the server)', () => {
  const { now, form, cases } = fixture.expressions;
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(now));
  });
  afterAll(() => vi.useRealTimers());
  it('runs in China time, as the server', () => expect(new Date(now).getTimezoneOffset()).toBe(-480));
  it('has cases', () => expect(cases.length).toBeGreaterThan(25));
  for (const c of cases) {
    it(c.name, () => {
      expect(visibleQuestions(form, c.answers)).toEqual(c.visible);
      expect(checkAnswers(form, c.answers)).toEqual(c.errors);
      if (c.stored) {
        const computed = withCalculations(form, c.answers);
        for (const [k, v] of Object.entries(c.stored)) {
          if (form.questions.some((q) => q.name === k && q.type === 'calculate')) expect([k, computed[k]]).toEqual([k, v]);
        }
        expect((computed.members as Answers[]).map((m) => [m.is_adult, m.place])).toEqual(
          (c.stored.members as Answers[]).map((m) => [m.is_adult, m.place]),
        );
      }
    });
  }
});

describe('every ODK function and type (shared fixture, Enketo evaluator against the server)', () => {
  const { now, form, functions } = fixture.expressions;
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(now));
  });
  afterAll(() => vi.useRealTimers());
  it('has cases', () => expect(functions.cases.length).toBeGreaterThan(100));
  for (const c of functions.cases) {
    it(`${c.expr} at ${c.at || '/data'} in ${c.lang ?? 'zh'}`, () => {
      expect(valueIn(form, functions.answers, c)).toBe(c.value);
    });
  }
});

describe('a repeat inside a repeat (shared fixture, the server gives the same)', () => {
  const { form, cases, functions } = fixture.nested;
  for (const c of cases) {
    it(c.name, () => {
      expect(visibleQuestions(form, c.answers)).toEqual(c.visible);
      expect(checkAnswers(form, c.answers)).toEqual(c.errors);
      if (c.stored) expect(withCalculations(form, c.answers)).toEqual(c.stored);
    });
  }
  for (const c of functions.cases) {
    it(`${c.expr} at ${c.at || '/data'} in ${c.lang ?? 'zh'}`, () => {
      expect(valueIn(form, functions.answers, c)).toBe(c.value);
    });
  }
});

describe('a roster kept as a household fact (shared fixture, the server gives the same)', () => {
  const { form, cases } = fixture.roster_fact;
  it('has cases', () => expect(cases.length).toBeGreaterThan(5));
  for (const c of cases) {
    it(c.name, () => {
      expect(visibleQuestions(form, c.answers)).toEqual(c.visible);
      expect(checkAnswers(form, c.answers)).toEqual(c.errors);
    });
  }
});

describe('survey rules (edges)', () => {
  it('checks real dates, leap years included', () => {
    expect(isDate('2024-02-29')).toBe(true);
    expect(isDate('2100-02-29')).toBe(false);
    expect(isDate('0000-01-01')).toBe(false);
  });

  it('compares like Python', () => {
    expect(same(['a', 'b'], ['a', 'b'])).toBe(true);
    expect(same({ a: 1 }, { a: 1.0 })).toBe(true);
    expect(same(true, 1)).toBe(true);
    expect(same('1', 1)).toBe(false);
  });

  it('never lets text above 2000 characters', () => {
    const form: Form = { questions: [{ name: 'n', type: 'text', label: { zh: 'n', en: 'n' }, constraint: { max_length: 5000 } }] };
    expect(checkAnswers(form, { n: 'x'.repeat(2001) })).toEqual([{ question: 'n', code: 'too_long' }]);
  });

  it('a condition on a later question is false', () => {
    const form: Form = {
      questions: [
        { name: 'a', type: 'text', label: { zh: 'a', en: 'a' }, relevant: [[{ q: 'b', op: '=', value: 'x' }]] },
        { name: 'b', type: 'text', label: { zh: 'b', en: 'b' } },
      ],
    };
    expect(visibleQuestions(form, { b: 'x' })).toEqual(['b']);
  });
});
