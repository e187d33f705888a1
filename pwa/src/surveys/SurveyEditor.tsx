import { useState } from 'preact/hooks';
import { ApiError, errorText, type FieldError } from '../api';
import { ask } from '../dialog';
import { lang, t, type MessageKey } from '../i18n';
import { online } from '../net';
import { relevanceSummary, saveForm, type Survey } from './admin';
import {
  COMMON_FACTS,
  EXPR_LIMIT,
  FACT_RE,
  QUESTION_TYPES,
  addToGroup,
  autoNames,
  buildForm,
  changeType,
  errorsByQuestion,
  fromForm,
  move,
  moveGroup,
  newGroup,
  newQuestion,
  opsFor,
  parseChoices,
  setGroupExpr,
  type EditorQuestion,
  type ExprKey,
  type QuestionError,
  type SimpleOp,
} from './editor';
import { repeatOf, type Group, type QuestionType } from './rules';

const OTHER = '__other';
const OP_KEYS: Record<SimpleOp, MessageKey> = { '=': 'surveyEditor.op.eq', '!=': 'surveyEditor.op.ne', selected: 'surveyEditor.op.selected' };
const FIELDS: Record<string, MessageKey> = {
  label: 'surveyAdmin.question',
  name: 'surveyEditor.name',
  type: 'surveyAdmin.type',
  required: 'surveyAdmin.required',
  choices: 'surveyEditor.field.choices',
  constraint: 'surveyAdmin.constraint',
  relevant: 'surveyAdmin.relevant',
  fact: 'surveyAdmin.fact',
  hint: 'surveyEditor.field.hint',
  xpath: 'surveyEditor.field.xpath',
  default: 'surveyEditor.field.default',
  constraint_message: 'surveyEditor.messageZh',
};
const fieldName = (field: string) => (field in FIELDS ? t(FIELDS[field]) : field);
const GROUP_FIELDS: Record<string, MessageKey> = { relevant: 'surveyEditor.groupField.relevant', repeat_count: 'surveyEditor.groupField.repeatCount' };

/** A server error on a group's expression (`groups.2.xpath.relevant`) named by the group. */
function groupFieldName(field: string, groups: Group[]): string {
  const m = /(?:^|\.)groups\.(\d+)\.(?:xpath\.)?(\w+)$/.exec(field);
  const group = m ? groups[Number(m[1])] : undefined;
  if (!m || !group) return field;
  const what = m[2] in GROUP_FIELDS ? t(GROUP_FIELDS[m[2]]) : fieldName(m[2]);
  return t('surveyEditor.groupField', { name: group.label?.zh || group.name, what });
}

interface Props {
  userId: string;
  survey: Survey;
  onSaved: (s: Survey) => void;
  onCancel: () => void;
}

/**
 * 编辑表单: build or adjust the working form on a phone, without Excel. One card a question;
 * what the server finds wrong is shown on the question it names.
 */
export default function SurveyEditor({ userId, survey, onSaved, onCancel }: Props) {
  const [rows, setRows] = useState<EditorQuestion[]>(() => fromForm(survey.form));
  const [groups, setGroups] = useState<Group[]>(() => survey.form?.groups ?? []);
  const changeGroups = (next: Group[]) => {
    setGroups(next);
    setDirty(true);
  };
  // By question key, so errors stay with their question when questions move.
  const [errors, setErrors] = useState<Map<number, QuestionError[]>>(new Map());
  const [other, setOther] = useState<FieldError[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [dirty, setDirty] = useState(false);
  const households = survey.target === 'households';
  const names = autoNames(rows.map((r) => r.name));

  const change = (next: EditorQuestion[]) => {
    setRows(next);
    setDirty(true);
  };
  const update = (i: number, patch: Partial<EditorQuestion>) => {
    const q = { ...rows[i], ...patch };
    change(rows.map((r, j) => (j === i ? q : r)));
    if (errors.has(q.key)) {
      const next = new Map(errors);
      next.delete(q.key);
      setErrors(next);
    }
  };
  const remove = async (i: number) => {
    const q = rows[i];
    const label = q.labelZh.trim();
    if (label && !(await ask({ title: t('surveyEditor.deleteConfirm', { n: i + 1, label }), confirm: t('surveyEditor.delete'), danger: true }))) return;
    // By key: the rows may have changed while the dialog was open.
    setRows((now) => now.filter((r) => r.key !== q.key));
    setDirty(true);
  };
  const cancel = async () => {
    if (dirty && !(await ask({ title: t('surveyEditor.discard'), confirm: t('surveyEditor.discardConfirm'), danger: true }))) return;
    onCancel();
  };
  const save = async () => {
    const { form, problems } = buildForm(rows, { households, groups });
    const byKey = new Map<number, QuestionError[]>();
    const put = (index: number, e: QuestionError) => {
      const key = rows[index].key;
      byKey.set(key, [...(byKey.get(key) ?? []), e]);
    };
    for (const p of problems.filter((x) => x.index >= 0)) put(p.index, { field: p.field, message: t(p.key, p.params) });
    setErrors(byKey);
    setOther(problems.filter((x) => x.index < 0).map((x) => ({ field: 'groups', code: 'invalid', message: t(x.key, x.params) })));
    if (problems.length) return setError(t('surveyEditor.fixFirst'));
    setBusy(true);
    setError(null);
    try {
      onSaved(await saveForm(userId, survey.id, form));
    } catch (err) {
      setError(errorText(err));
      if (err instanceof ApiError) {
        const found = errorsByQuestion(err.errors, rows.length);
        found.byIndex.forEach((list, index) => list.forEach((e) => put(index, e)));
        setErrors(new Map(byKey));
        setOther(found.other);
      }
      setBusy(false);
    }
  };

  return (
    <div class="card" data-testid="editor">
      <h2>{t('surveyEditor.title')}</h2>
      <p class="small muted">{t('surveyEditor.note')}</p>
      {survey.state === 'published' && <p class="small warnc">{t('surveyEditor.notePublished')}</p>}
      {rows.length === 0 && (
        <p class="empty" data-testid="editor-empty">
          {t('surveyEditor.empty')}
        </p>
      )}
      <ol class="list">
        {rows.map((q, i) => (
          <QuestionCard
            key={q.key}
            q={q}
            index={i}
            rows={rows}
            names={names}
            survey={survey}
            households={households}
            groups={groups}
            errors={errors.get(q.key) ?? []}
            onChange={(patch) => update(i, patch)}
            onType={(type) => update(i, changeType(q, type))}
            onMove={(delta) => change(move(rows, i, delta))}
            onDelete={() => void remove(i)}
          />
        ))}
      </ol>
      <div class="actions">
        <button type="button" class="btn" onClick={() => change([...rows, newQuestion()])} data-testid="editor-add">
          + {t('surveyEditor.add')}
        </button>
      </div>
      <GroupsPanel groups={groups} rows={rows} households={households} onChange={changeGroups} onAddTo={(name) => change(addToGroup(rows, name))} />
      {error && (
        <p class="err block" role="alert" data-testid="editor-save-error">
          {error}
        </p>
      )}
      {other.length > 0 && (
        <ul class="errors err small">
          {other.map((f) => (
            <li data-field={f.field}>
              {groupFieldName(f.field, groups)}：{f.message}
            </li>
          ))}
        </ul>
      )}
      <div class="actions">
        <button type="button" class="btn primary" onClick={() => void save()} disabled={busy || !online.get()} data-testid="editor-save">
          {busy ? t('app.loading') : t('surveyEditor.save')}
        </button>
        <button type="button" class="btn" onClick={() => void cancel()} disabled={busy} data-testid="editor-cancel">
          {t('surveyEditor.cancel')}
        </button>
      </div>
    </div>
  );
}

/**
 * Groups (a section of the form) and repeats (a roster: the same questions once for each
 * member, plot, herd…): add, name, rename, turn into a roster, remove when nothing is in it.
 * Questions join one with their 分组 choice.
 */
function GroupsPanel(props: {
  groups: Group[];
  rows: EditorQuestion[];
  households: boolean;
  onChange: (g: Group[]) => void;
  onAddTo: (name: string) => void;
}) {
  const { groups, rows, onChange } = props;
  const set = (i: number, patch: Partial<Group>) => onChange(groups.map((g, j) => (j === i ? { ...g, ...patch } : g)));
  return (
    <div class="field" data-testid="editor-groups">
      <h3>{t('surveyEditor.groups')}</h3>
      <p class="small muted">{t('surveyEditor.groupsNote')}</p>
      <ul class="list">
        {groups.map((g, i) => {
          const count = rows.filter((r) => r.group === g.name).length;
          const used = count > 0 || groups.some((o) => o.parent === g.name);
          return (
            <li class="item" data-testid="editor-group-item" data-name={g.name}>
              <div class="item-head">
                <strong>
                  {(g.label?.zh || g.name) + (g.repeat ? ` (${t('surveyEditor.repeat')})` : '')}
                  <span class="small muted"> · {t('surveyEditor.groupQuestions', { n: count })}</span>
                </strong>
                <span class="actions" style={{ marginTop: 0 }}>
                  <button type="button" class="btn small" onClick={() => onChange(moveGroup(groups, i, -1))} disabled={i === 0} aria-label={t('surveyEditor.up')} data-testid="editor-group-up">
                    ↑
                  </button>
                  <button
                    type="button"
                    class="btn small"
                    onClick={() => onChange(moveGroup(groups, i, 1))}
                    disabled={i === groups.length - 1}
                    aria-label={t('surveyEditor.down')}
                    data-testid="editor-group-down"
                  >
                    ↓
                  </button>
                </span>
              </div>
              <div class="two">
                <label class="field">
                  <span>{t('surveyEditor.groupLabel')}</span>
                  <input
                    value={g.label?.zh ?? ''}
                    onInput={(e) => {
                      const zh = e.currentTarget.value;
                      set(i, { label: zh.trim() ? { ...(g.label ?? {}), zh, en: g.label?.en && g.label.en !== g.label.zh ? g.label.en : zh } : null });
                    }}
                    data-testid="editor-group-label"
                  />
                </label>
                <label class="field">
                  <span>{t('surveyEditor.name')}</span>
                  <input
                    value={g.name}
                    autocapitalize="off"
                    spellcheck={false}
                    disabled={used}
                    onInput={(e) => set(i, { name: e.currentTarget.value })}
                    data-testid="editor-group-name"
                  />
                </label>
              </div>
              <label class="check">
                <input type="checkbox" checked={!!g.repeat} onChange={(e) => set(i, { repeat: e.currentTarget.checked })} style={{ width: 'auto' }} data-testid="editor-group-repeat" />
                <span>{t('surveyEditor.repeatNote')}</span>
              </label>
              <ExprField
                label={t('surveyEditor.groupRelevant')}
                value={g.xpath?.relevant ?? ''}
                onChange={(v) => set(i, setGroupExpr(g, 'relevant', v))}
                testid="editor-group-relevant"
              />
              {g.repeat && props.households && repeatOf({ questions: [], groups }, g.parent) === null && (
                <label class="field">
                  <span>{t('surveyEditor.groupFact')}</span>
                  <input
                    value={g.fact ?? ''}
                    maxLength={40}
                    autocapitalize="off"
                    spellcheck={false}
                    onInput={(e) => set(i, { fact: e.currentTarget.value.trim() || null })}
                    data-testid="editor-group-fact"
                  />
                  <span class="small muted" style={{ fontWeight: 'normal' }}>
                    {t('surveyEditor.groupFactHint')}
                  </span>
                </label>
              )}
              {g.repeat && (
                <ExprField
                  label={t('surveyEditor.repeatCount')}
                  value={g.xpath?.repeat_count ?? ''}
                  onChange={(v) => set(i, setGroupExpr(g, 'repeat_count', v))}
                  testid="editor-group-repeat-count"
                />
              )}
              <div class="actions">
                <button type="button" class="btn small" onClick={() => props.onAddTo(g.name)} data-testid="editor-group-add">
                  + {t('surveyEditor.addToGroup')}
                </button>
                <button type="button" class="btn small danger" disabled={used} onClick={() => onChange(groups.filter((_, j) => j !== i))} data-testid="editor-group-delete">
                  {t('surveyEditor.delete')}
                </button>
              </div>
            </li>
          );
        })}
      </ul>
      <div class="actions">
        <button type="button" class="btn small" onClick={() => onChange([...groups, newGroup(groups, false)])} data-testid="editor-add-group">
          + {t('surveyEditor.addGroup')}
        </button>
        <button type="button" class="btn small" onClick={() => onChange([...groups, newGroup(groups, true)])} data-testid="editor-add-repeat">
          + {t('surveyEditor.addRepeat')}
        </button>
      </div>
    </div>
  );
}

interface CardProps {
  q: EditorQuestion;
  index: number;
  rows: EditorQuestion[];
  names: string[];
  survey: Survey;
  households: boolean;
  groups: Group[];
  errors: QuestionError[];
  onChange: (patch: Partial<EditorQuestion>) => void;
  onType: (type: QuestionType) => void;
  onMove: (delta: -1 | 1) => void;
  onDelete: () => void;
}

function QuestionCard(props: CardProps) {
  const { q, index, rows, names, errors, onChange } = props;
  const isDate = q.type === 'date';
  const answered = q.type !== 'note' && q.type !== 'calculate';
  return (
    <li class="item" data-testid="editor-question" data-index={index} data-name={names[index]}>
      <div class="item-head">
        <strong>{t('surveyEditor.number', { n: index + 1 })}</strong>
        <span class="actions" style={{ marginTop: 0 }}>
          <button type="button" class="btn small" onClick={() => props.onMove(-1)} disabled={index === 0} aria-label={t('surveyEditor.up')} data-testid="editor-up">
            ↑
          </button>
          <button
            type="button"
            class="btn small"
            onClick={() => props.onMove(1)}
            disabled={index === rows.length - 1}
            aria-label={t('surveyEditor.down')}
            data-testid="editor-down"
          >
            ↓
          </button>
          <button type="button" class="btn small danger" onClick={props.onDelete} data-testid="editor-delete">
            {t('surveyEditor.delete')}
          </button>
        </span>
      </div>
      <label class="field">
        <span>{t('surveyEditor.type')}</span>
        <select value={q.type} onChange={(e) => props.onType(e.currentTarget.value as QuestionType)} data-testid="editor-type">
          {QUESTION_TYPES.map((type) => (
            <option value={type}>{t(`surveyEditor.type.${type}` as MessageKey)}</option>
          ))}
          {/* A type that came with an XLSForm (note, calculate, time…) stays as it came. */}
          {!QUESTION_TYPES.includes(q.type) && <option value={q.type}>{q.type}</option>}
        </select>
      </label>
      {props.groups.length > 0 && (
        <label class="field">
          <span>{t('surveyEditor.group')}</span>
          <select value={q.group} onChange={(e) => onChange({ group: e.currentTarget.value })} data-testid="editor-group">
            <option value="">{t('surveyEditor.noGroup')}</option>
            {props.groups.map((g) => (
              <option value={g.name}>
                {(g.label?.zh ?? g.name) + (g.repeat ? ` (${t('surveyEditor.repeat')})` : '')}
              </option>
            ))}
          </select>
        </label>
      )}
      <label class="field">
        <span>{t('surveyEditor.labelZh')}</span>
        <input value={q.labelZh} maxLength={500} onInput={(e) => onChange({ labelZh: e.currentTarget.value })} data-testid="editor-label-zh" />
      </label>
      <label class="field">
        <span>{t('surveyEditor.labelEn')}</span>
        <input
          value={q.labelEn}
          maxLength={500}
          placeholder={q.labelZh.trim() || t('surveyEditor.labelEnHint')}
          onInput={(e) => onChange({ labelEn: e.currentTarget.value })}
          data-testid="editor-label-en"
        />
      </label>
      <div class="two">
        <label class="field">
          <span>{t('surveyEditor.name')}</span>
          <input
            value={q.name}
            maxLength={64}
            placeholder={names[index]}
            autocapitalize="off"
            autocorrect="off"
            spellcheck={false}
            onInput={(e) => onChange({ name: e.currentTarget.value })}
            data-testid="editor-name"
          />
        </label>
        {answered && (
          <label class="check" style={{ alignSelf: 'end', marginBottom: '14px' }}>
            <input type="checkbox" checked={q.required} onChange={(e) => onChange({ required: e.currentTarget.checked })} data-testid="editor-required" style={{ width: 'auto' }} />
            <span>{t('surveyEditor.required')}</span>
          </label>
        )}
      </div>
      <p class="small muted" style={{ marginTop: '-8px' }}>
        {t('surveyEditor.nameHint')}
      </p>
      {(q.type === 'integer' || q.type === 'decimal' || isDate) && (
        <div class="two">
          <label class="field">
            <span>{t(isDate ? 'surveyEditor.minDate' : 'surveyEditor.min')}</span>
            <input
              type={isDate ? 'date' : 'number'}
              step={q.type === 'integer' ? 1 : 'any'}
              inputMode={isDate ? undefined : q.type === 'integer' ? 'numeric' : 'decimal'}
              value={q.min}
              onInput={(e) => onChange({ min: e.currentTarget.value })}
              data-testid="editor-min"
            />
          </label>
          <label class="field">
            <span>{t(isDate ? 'surveyEditor.maxDate' : 'surveyEditor.max')}</span>
            <input
              type={isDate ? 'date' : 'number'}
              step={q.type === 'integer' ? 1 : 'any'}
              inputMode={isDate ? undefined : q.type === 'integer' ? 'numeric' : 'decimal'}
              value={q.max}
              onInput={(e) => onChange({ max: e.currentTarget.value })}
              data-testid="editor-max"
            />
          </label>
        </div>
      )}
      {q.type === 'text' && (
        <label class="field">
          <span>{t('surveyEditor.maxLength')}</span>
          <input type="number" min={1} max={2000} step={1} inputMode="numeric" value={q.maxLength} onInput={(e) => onChange({ maxLength: e.currentTarget.value })} data-testid="editor-max-length" />
        </label>
      )}
      {(q.type === 'select_one' || q.type === 'select_multiple') && (
        <label class="field">
          <span>{t('surveyEditor.choices')}</span>
          <textarea rows={4} value={q.choices} onInput={(e) => onChange({ choices: e.currentTarget.value })} data-testid="editor-choices" />
          <span class="small muted" style={{ fontWeight: 'normal' }}>
            {t('surveyEditor.choicesHint')}
          </span>
        </label>
      )}
      {q.type === 'select_multiple' && (
        <label class="field">
          <span>{t('surveyEditor.maxCount')}</span>
          <input type="number" min={1} max={500} step={1} inputMode="numeric" value={q.maxCount} onInput={(e) => onChange({ maxCount: e.currentTarget.value })} data-testid="editor-max-count" />
        </label>
      )}
      {props.households && <FactField q={q} onChange={onChange} />}
      <Relevance {...props} />
      <Expressions q={q} answered={answered} open={errors.some((e) => e.field === 'xpath' || e.field === 'default' || e.field === 'constraint_message')} onChange={onChange} />
      {errors.length > 0 && (
        <div role="alert">
          <ul class="errors err small" data-testid="editor-error" data-index={index}>
            {errors.map((e) => (
              <li data-field={e.field}>{e.field ? `${fieldName(e.field)}：${e.message}` : e.message}</li>
            ))}
          </ul>
        </div>
      )}
    </li>
  );
}

function FactField({ q, onChange }: { q: EditorQuestion; onChange: (patch: Partial<EditorQuestion>) => void }) {
  const common = (COMMON_FACTS as readonly string[]).includes(q.fact);
  // "Other" stays chosen while its code is still being typed (or is empty).
  const [custom, setCustom] = useState(() => !!q.fact && !common);
  const selected = custom ? OTHER : q.fact;
  return (
    <>
      <label class="field">
        <span>{t('surveyEditor.fact')}</span>
        <select
          value={selected}
          onChange={(e) => {
            const v = e.currentTarget.value;
            setCustom(v === OTHER);
            onChange({ fact: v === OTHER ? (common ? '' : q.fact) : v });
          }}
          data-testid="editor-fact"
        >
          <option value="">{t('surveyEditor.factNone')}</option>
          {COMMON_FACTS.map((f) => (
            <option value={f}>
              {t(`surveyEditor.fact.${f}` as MessageKey)} ({f})
            </option>
          ))}
          <option value={OTHER}>{t('surveyEditor.factOther')}</option>
        </select>
      </label>
      {custom && (
        <label class="field">
          <span>{t('surveyEditor.factCustom')}</span>
          <input
            value={q.fact}
            maxLength={40}
            autocapitalize="off"
            spellcheck={false}
            pattern={FACT_RE.source.slice(1, -1)}
            onInput={(e) => onChange({ fact: e.currentTarget.value })}
            data-testid="editor-fact-custom"
          />
          <span class="small muted" style={{ fontWeight: 'normal' }}>
            {t('surveyEditor.factHint')}
          </span>
        </label>
      )}
    </>
  );
}

/** 只在 [earlier question] [= | != | 选了] [value] 时显示; an XLSForm's richer relevance read-only. */
function Relevance({ q, index, rows, names, survey, onChange }: CardProps) {
  if (q.kept) {
    return (
      <div class="field" data-testid="editor-relevant-kept">
        <p class="small">{t('surveyEditor.kept', { text: relevanceSummary(q.kept, survey.form.questions, lang.get()) })}</p>
        <button type="button" class="link" onClick={() => onChange({ kept: null, relKey: null, relValue: '' })} data-testid="editor-relevant-clear">
          {t('surveyEditor.keptClear')}
        </button>
      </div>
    );
  }
  const at = q.relKey === null ? -1 : rows.findIndex((r) => r.key === q.relKey);
  const target = at >= 0 ? rows[at] : null;
  const earlier = rows.slice(0, index).filter((r) => opsFor(r.type).length > 0);
  const label = (r: EditorQuestion, i: number) => `${i + 1}. ${r.labelZh.trim() || names[i]}`;
  const ops = target ? opsFor(target.type) : [];
  const pick = (value: string) => {
    const key = value ? Number(value) : null;
    const next = key === null ? null : rows.find((r) => r.key === key);
    onChange({ relKey: key, relOp: next ? opsFor(next.type)[0] : '=', relValue: '' });
  };
  return (
    <fieldset class="field">
      <legend>{t('surveyAdmin.relevant')}</legend>
      {target && <p class="small muted">{t('surveyEditor.showOnly')}</p>}
      <select value={q.relKey === null ? '' : String(q.relKey)} onChange={(e) => pick(e.currentTarget.value)} aria-label={t('surveyAdmin.relevant')} data-testid="editor-relevant-q">
        <option value="">{t('surveyEditor.always')}</option>
        {earlier.map((r) => (
          <option value={String(r.key)}>{label(r, rows.indexOf(r))}</option>
        ))}
        {target && at >= index && (
          <option value={String(target.key)}>
            {label(target, at)} ({t('surveyEditor.notEarlier')})
          </option>
        )}
      </select>
      {target && (
        <div class="two" style={{ marginTop: '8px' }}>
          <select value={q.relOp} onChange={(e) => onChange({ relOp: e.currentTarget.value as SimpleOp })} aria-label={t('surveyEditor.showWhen')} data-testid="editor-relevant-op">
            {ops.map((op) => (
              <option value={op}>{t(OP_KEYS[op])}</option>
            ))}
          </select>
          <ConditionValue target={target} value={q.relValue} onChange={(relValue) => onChange({ relValue })} />
        </div>
      )}
      {target && <p class="small muted">{t('surveyEditor.showWhen')}</p>}
    </fieldset>
  );
}

function ConditionValue({ target, value, onChange }: { target: EditorQuestion; value: string; onChange: (v: string) => void }) {
  if (target.type === 'select_one' || target.type === 'select_multiple' || target.type === 'yes_no') {
    const options =
      target.type === 'yes_no'
        ? [
            { name: 'true', label: t('surveyAdmin.yes') },
            { name: 'false', label: t('surveyAdmin.no') },
          ]
        : parseChoices(target.choices).choices.map((c) => ({ name: c.name, label: lang.get() === 'en' ? c.label.en : c.label.zh }));
    return (
      <select value={value} onChange={(e) => onChange(e.currentTarget.value)} aria-label={t('surveyEditor.showWhen')} data-testid="editor-relevant-value">
        <option value="">{t('surveyEditor.choose')}</option>
        {options.map((o) => (
          <option value={o.name}>{o.label}</option>
        ))}
      </select>
    );
  }
  const input = (e: { currentTarget: HTMLInputElement }) => onChange(e.currentTarget.value);
  if (target.type === 'date') return <input type="date" value={value} onInput={input} aria-label={t('surveyEditor.showWhen')} data-testid="editor-relevant-value" />;
  if (target.type === 'text') return <input value={value} onInput={input} aria-label={t('surveyEditor.showWhen')} data-testid="editor-relevant-value" />;
  return <input type="number" step="any" inputMode="decimal" value={value} onInput={input} aria-label={t('surveyEditor.showWhen')} data-testid="editor-relevant-value" />;

}

/** The question's ODK expressions, default and constraint message, behind a toggle. */
function Expressions(props: { q: EditorQuestion; answered: boolean; open: boolean; onChange: (patch: Partial<EditorQuestion>) => void }) {
  const { q, answered, onChange } = props;
  const setExpr = (key: ExprKey) => (v: string) => onChange({ expr: { ...q.expr, [key]: v } });
  const any = Object.values(q.expr).some((v) => v.trim()) || !!q.defaultValue.trim() || !!q.messageZh.trim();
  return (
    <details class="field" open={props.open || q.type === 'calculate' || undefined} data-testid="editor-advanced">
      <summary>
        {t('surveyEditor.advanced')}
        {any ? ' ●' : ''}
      </summary>
      <p class="small muted">{t('surveyEditor.advancedNote')}</p>
      {q.type === 'calculate' && <ExprField label={t('surveyEditor.expr.calculation')} value={q.expr.calculation} onChange={setExpr('calculation')} testid="editor-expr-calculation" />}
      <ExprField label={t('surveyEditor.expr.relevant')} value={q.expr.relevant} onChange={setExpr('relevant')} testid="editor-expr-relevant" />
      {answered && (
        <>
          <ExprField label={t('surveyEditor.expr.constraint')} value={q.expr.constraint} onChange={setExpr('constraint')} testid="editor-expr-constraint" />
          <div class="two">
            <label class="field">
              <span>{t('surveyEditor.messageZh')}</span>
              <input value={q.messageZh} maxLength={500} onInput={(e) => onChange({ messageZh: e.currentTarget.value })} data-testid="editor-message-zh" />
            </label>
            <label class="field">
              <span>{t('surveyEditor.messageEn')}</span>
              <input
                value={q.messageEn}
                maxLength={500}
                placeholder={q.messageZh.trim() || t('surveyEditor.labelEnHint')}
                onInput={(e) => onChange({ messageEn: e.currentTarget.value })}
                data-testid="editor-message-en"
              />
            </label>
          </div>
          <ExprField label={t('surveyEditor.expr.required')} value={q.expr.required} onChange={setExpr('required')} testid="editor-expr-required" />
          <label class="field">
            <span>{t('surveyEditor.default')}</span>
            <input value={q.defaultValue} maxLength={500} autocapitalize="off" spellcheck={false} onInput={(e) => onChange({ defaultValue: e.currentTarget.value })} data-testid="editor-default" />
          </label>
        </>
      )}
    </details>
  );
}

/** One expression: monospace, no autocorrect (it would change ${name} and quotes). */
function ExprField(props: { label: string; value: string; onChange: (v: string) => void; testid: string }) {
  return (
    <label class="field">
      <span>{props.label}</span>
      <textarea
        class="expr"
        rows={2}
        value={props.value}
        maxLength={EXPR_LIMIT}
        autocapitalize="off"
        autocorrect="off"
        spellcheck={false}
        onInput={(e) => props.onChange(e.currentTarget.value)}
        data-testid={props.testid}
      />
    </label>
  );
}
