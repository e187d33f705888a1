import { useEffect, useMemo, useState } from 'preact/hooks';
import { activePostings } from '../auth';
import { lang, t } from '../i18n';
import { outboxChanged } from '../outbox';
import type { RecordView } from '../records';
import { href } from '../router';
import type { ViewProps } from '../routes';
import { useStores } from '../store';
import {
  draftTargets,
  householdName,
  isDone,
  loadContext,
  progress,
  responsesByTarget,
  villageHouseholds,
  type SurveyContext,
  type SurveyData,
} from './answering';
import './surveys.css';
import { localDate } from '../time';
import * as fmt from '../format';
import { SurveyForm, takeNotice } from './SurveyForm';

/**
 * 调查: the surveys sent to the cadre's villages, answered offline household by household.
 * Routes: `#/surveys` (list), `#/surveys/<survey record>` (households, or the form of a
 * village survey), `#/surveys/<survey record>/<household>` (the form),
 * `#/surveys/response/<response id>` (a response, e.g. a rejected one opened from the outbox).
 */
export default function Surveys({ user, params }: ViewProps) {
  useStores(lang, outboxChanged);
  const tick = outboxChanged.get();
  const [ctx, setCtx] = useState<SurveyContext | null>(null);
  useEffect(() => {
    let live = true;
    void loadContext(user.id).then((c) => live && setCtx(c));
    return () => {
      live = false;
    };
  }, [user.id, tick]);

  if (!ctx) return <p class="muted loading">{t('app.loading')}</p>;

  if (params[0] === 'response') {
    const r = ctx.responses.find((x) => x.id === params[1]);
    const survey = r && ctx.surveys.find((s) => s.data.survey_id === r.data.survey_id && s.data.village_code === r.data.village_code);
    if (!r || !survey) return <Missing text={t('survey.notFound')} />;
    return <SurveyForm user={user} ctx={ctx} survey={survey} householdId={r.data.household_id} />;
  }
  if (!params[0]) return <SurveyList ctx={ctx} villages={villageNames(user)} />;
  const survey = ctx.surveys.find((s) => s.id === params[0]);
  if (!survey) return <Missing text={t('survey.notFound')} />;
  if (survey.data.target === 'villages') return <SurveyForm user={user} ctx={ctx} survey={survey} householdId={null} />;
  if (params[1]) {
    if (!ctx.households.some((h) => h.id === params[1])) return <Missing text={t('survey.householdNotFound')} back={survey.id} />;
    return <SurveyForm user={user} ctx={ctx} survey={survey} householdId={params[1]} />;
  }
  return <Households userId={user.id} ctx={ctx} survey={survey} />;
}

function villageNames(user: ViewProps['user']): Map<string, string> {
  return new Map(activePostings(user, localDate()).map((p) => [p.village_code, p.village_name]));
}

function Missing({ text, back }: { text: string; back?: string }) {
  return (
    <section>
      <p class="err block" data-testid="survey-missing">
        {text}
      </p>
      <a class="btn" href={back ? href('surveys', back) : href('surveys')}>
        {t('survey.back')}
      </a>
    </section>
  );
}

export function Period({ s }: { s: SurveyData }) {
  return (
    <span class="small muted">
      {fmt.dayRange(s.period_start, s.period_end)}
    </span>
  );
}

function ProgressLine({ ctx, s }: { ctx: SurveyContext; s: SurveyData }) {
  const p = progress(ctx, s);
  const text =
    s.target === 'villages'
      ? t(p.done ? 'survey.villageDone' : 'survey.villageTodo')
      : t('survey.progress', { done: p.done, total: p.total });
  return (
    <span class="small" data-testid="survey-progress" data-done={p.done} data-total={p.total}>
      {text}
    </span>
  );
}

function SurveyList({ ctx, villages }: { ctx: SurveyContext; villages: Map<string, string> }) {
  return (
    <section>
      <h1>{t('survey.title')}</h1>
      {ctx.surveys.length === 0 ? (
        <p class="empty" data-testid="survey-none">
          {t('survey.none')}
        </p>
      ) : (
        <ul class="list" data-testid="survey-list">
          {ctx.surveys.map((s) => (
            <li class={s.data.state === 'closed' ? 'item closed' : 'item'} data-testid="survey-item" data-id={s.id} data-survey-id={s.data.survey_id} data-state={s.data.state}>
              <a class="item-button" href={href('surveys', s.id)} data-testid="survey-open">
                <div class="item-head">
                  <strong>{s.data.title}</strong>
                  <span class={s.data.state === 'closed' ? 'status' : 'status s-applied'}>
                    {t(s.data.state === 'closed' ? 'survey.closed' : 'survey.open')}
                  </span>
                </div>
                <div class="item-foot">
                  {villages.size > 1 && <span class="small">{villages.get(s.data.village_code) ?? s.data.village_code}</span>}
                  {s.data.target === 'villages' && <span class="tag">{t('survey.targetVillage')}</span>}
                  <Period s={s.data} />
                  <ProgressLine ctx={ctx} s={s.data} />
                </div>
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Households({ userId, ctx, survey }: { userId: string; ctx: SurveyContext; survey: RecordView<SurveyData> }) {
  const s = survey.data;
  const [drafts, setDrafts] = useState<Set<string>>(new Set());
  const [query, setQuery] = useState('');
  const [notice] = useState(takeNotice);
  useEffect(() => {
    let live = true;
    void draftTargets(userId, s.survey_id).then((d) => live && setDrafts(d));
    return () => {
      live = false;
    };
  }, [userId, s.survey_id]);
  const households = useMemo(() => villageHouseholds(ctx.households, s.village_code), [ctx, s.village_code]);
  const byTarget = responsesByTarget(ctx.responses, s.survey_id);
  const q = query.trim();
  const shown = q
    ? households.filter((h) => householdName(h.data).includes(q) || String(h.data.external_id ?? '').includes(q))
    : households;

  return (
    <section>
      <a class="link small" href={href('surveys')} data-testid="survey-back">
        ← {t('survey.back')}
      </a>
      <h1>{s.title}</h1>
      <div class="card survey-head">
        {s.description && <p class="text">{s.description}</p>}
        <div class="item-foot">
          <Period s={s} />
          <ProgressLine ctx={ctx} s={s} />
        </div>
        {s.state === 'closed' && <p class="small muted">{t('survey.closedReadOnly')}</p>}
      </div>
      {notice && (
        <p class="ok" role="status" data-testid="survey-saved">
          {notice}
        </p>
      )}
      {households.length === 0 ? (
        <p class="empty" data-testid="survey-no-households">
          {t('survey.noHouseholds')}
        </p>
      ) : (
        <>
          {households.length > 8 && (
            <input
              type="search"
              class="survey-search"
              placeholder={t('survey.search')}
              value={query}
              onInput={(e) => setQuery(e.currentTarget.value)}
              data-testid="survey-household-search"
            />
          )}
          <ul class="list" data-testid="survey-households">
            {shown.map((h) => {
              const r = byTarget.get(h.id);
              const done = isDone(r);
              const draft = drafts.has(h.id);
              return (
                <li
                  class={done ? 'item hh done' : 'item hh'}
                  data-testid="survey-household"
                  data-id={h.id}
                  data-external-id={h.data.external_id ?? ''}
                  data-done={String(done)}
                  data-draft={String(draft)}
                >
                  <a class="item-button" href={href('surveys', survey.id, h.id)} data-testid="survey-household-open">
                    <div class="item-head">
                      <strong>{householdName(h.data)}</strong>
                      <span class="marks">
                        {draft && (
                          <span class="status s-pending" data-testid="survey-draft-mark">
                            {t('survey.draft')}
                          </span>
                        )}
                        {done && (
                          <span class="status s-applied" data-testid="survey-done-mark">
                            ✓ {t('survey.done')}
                          </span>
                        )}
                        {r?.status === 'rejected' && (
                          <span class="status s-rejected" data-testid="survey-rejected-mark">
                            {t('survey.rejected')}
                          </span>
                        )}
                      </span>
                    </div>
                    <div class="item-foot small muted">
                      {h.data.group_name && <span>{h.data.group_name}</span>}
                      {typeof h.data.members === 'number' && <span>{t('survey.members', { n: h.data.members })}</span>}
                      {h.data.external_id && <span>{h.data.external_id}</span>}
                      {h.data.tags?.map((tag) => (
                        <span class="tag">{tag}</span>
                      ))}
                    </div>
                  </a>
                </li>
              );
            })}
          </ul>
        </>
      )}
    </section>
  );
}
