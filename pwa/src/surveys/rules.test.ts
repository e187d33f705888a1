import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkAnswers, isDate, same, visibleQuestions, type Answers, type AnswerError, type Form } from './rules';

interface Case {
  name: string;
  answers: Answers;
  visible: string[];
  errors: AnswerError[];
}

/** The cases the server's tests run too (backend/surveys/rules.py), so the two cannot drift. */
const fixture = JSON.parse(
  readFileSync(new URL('../../../tests/fixtures/survey_rules.json', import.meta.url), 'utf8'),
) as { form: Form; cases: Case[] };

describe('survey rules (shared fixture)', () => {
  it('has cases', () => expect(fixture.cases.length).toBeGreaterThan(10));
  for (const c of fixture.cases) {
    it(c.name, () => {
      expect(visibleQuestions(fixture.form, c.answers)).toEqual(c.visible);
      expect(checkAnswers(fixture.form, c.answers)).toEqual(c.errors);
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
