/**
 * A roster kept as a household fact (the members), as the phone pre-fills it: pure functions,
 * the same as the server's (backend/surveys/facts.py; docs/surveys.md).
 *
 * A repeat at the top of a household form marked with a `fact` keeps its entries as one fact:
 * each member with the lasting id its entry carries (MEMBER_ID, made here when the entry is
 * added) and its answers to the questions inside marked with a `fact` (the member facts).
 */
import { isAnswered, MEMBER_ID, repeatOf, typeError, type Answers, type Form, type Question } from './rules';

/** The `type` of a roster fact. */
export const ROSTER = 'roster';

export interface RosterFact {
  /** The repeat and the household fact it is kept as. */
  repeat: string;
  fact: string;
  /** The questions inside it marked with a member fact, in form order. */
  questions: Question[];
}

/** The rosters of a form kept as household facts, in form order. */
export function rosterFacts(form: Form): RosterFact[] {
  return (form.groups ?? [])
    .filter((g) => g.repeat && g.fact)
    .map((g) => ({
      repeat: g.name,
      fact: g.fact!,
      questions: form.questions.filter((q) => q.fact && repeatOf(form, q.group) === g.name),
    }));
}

/** The roster kept as a fact that a repeat is, if it is one. */
export const rosterFact = (form: Form, repeat: string): RosterFact | undefined => rosterFacts(form).find((r) => r.repeat === repeat);

/** One member as the fact keeps it. */
export interface Member {
  id: string;
  values: Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function members(value: unknown): Member[] {
  const list = isObject(value) ? value.members : undefined;
  return (Array.isArray(list) ? list : [])
    .filter((m): m is Record<string, unknown> => isObject(m) && typeof m.id === 'string')
    .map((m) => ({ id: m.id as string, values: isObject(m.values) ? m.values : {} }));
}

/**
 * The roster's entries as the household's fact fills them in: each member's id and its answers
 * to the member facts this form asks, where the value kept is of the question's type and the
 * question still takes it (a choice dropped from the form does not pre-fill). Mirrors facts.py.
 */
export function knownEntries(roster: RosterFact, value: unknown): Answers[] {
  const types = isObject(value) && isObject(value.types) ? value.types : {};
  return members(value).map((m) => {
    const entry: Answers = { [MEMBER_ID]: m.id };
    for (const q of roster.questions) {
      const kept = m.values[q.fact!];
      if (kept !== null && kept !== undefined && types[q.fact!] === q.type && !typeError(q, kept)) entry[q.name] = kept;
    }
    return entry;
  });
}

/**
 * What of a roster's entries the fact keeps: the member id and the answered member facts (a
 * confirmed roster is sent exactly as `knownEntries` gave it). Mirrors facts.py `sent_entries`.
 */
export function sentEntries(roster: RosterFact, list: unknown): Answers[] {
  if (!Array.isArray(list)) return [];
  const names = roster.questions.map((q) => q.name);
  return list.filter(isObject).map((e) => {
    const out: Answers = { [MEMBER_ID]: e[MEMBER_ID] };
    for (const n of names) if (isAnswered(e[n])) out[n] = e[n];
    return out;
  });
}

/** A new member's lasting id. */
export const newMemberId = (): string => crypto.randomUUID();
