import { useEffect, useState } from 'preact/hooks';
import { errorText } from '../api';
import { t, type MessageKey } from '../i18n';
import { online } from '../net';
import { href } from '../router';
import { getPlan, listSurveys, monthPeriod, type PlanVillage } from './admin';
import { localDate } from '../time';
import { useOnlineList } from '../ui/onlineList';
import { StateBadge, period } from './adminParts';

/** The surveys of the caller's scope, and the coordination plan below them. */
export function SurveyList({ userId }: { userId: string }) {
  const { rows, error } = useOnlineList(() => listSurveys(userId), [userId]);
  return (
    <>
      <div class="row">
        <h1>{t('surveyAdmin.title')}</h1>
        <a class="btn primary" href={href('surveyadmin', 'new')} data-testid="surveyadmin-new">
          {t('surveyAdmin.new')}
        </a>
      </div>
      {error && <p class="err block">{error}</p>}
      {rows && rows.length === 0 && (
        <p class="empty" data-testid="surveyadmin-empty">
          {t('surveyAdmin.none')}
        </p>
      )}
      <ul class="list" data-testid="survey-list">
        {rows?.map((s) => (
          <li class="item" data-testid="survey-row" data-id={s.id} data-state={s.state}>
            <a class="item-button" href={href('surveyadmin', s.id)}>
              <div class="item-head">
                <strong>{s.title}</strong>
                <StateBadge state={s.state} />
              </div>
              <p class="small muted">
                {period(s)} · {t(`surveyAdmin.target.${s.target}` as MessageKey)} · {t('surveyAdmin.villageCount', { n: s.villages.length })}
              </p>
            </a>
          </li>
        ))}
      </ul>
      <Plan userId={userId} />
    </>
  );
}

/** 统筹: which surveys each village gets in a period, so they can be spread out. */
function Plan({ userId }: { userId: string }) {
  const [range, setRange] = useState(() => monthPeriod(localDate(), 2));
  const [rows, setRows] = useState<PlanVillage[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const isOnline = online.get();
  useEffect(() => {
    if (!isOnline || !range.start || !range.end || range.start > range.end) return;
    let live = true;
    getPlan(userId, range.start, range.end).then(
      (r) => live && (setRows(r), setError(null)),
      (err) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [userId, range.start, range.end, isOnline]);
  const busy = rows?.filter((v) => v.surveys.length > 0) ?? null;
  return (
    <div class="card" data-testid="survey-plan">
      <h2>{t('surveyAdmin.plan')}</h2>
      <p class="small muted">{t('surveyAdmin.planNote')}</p>
      <div class="two">
        <label class="field">
          <span>{t('surveyAdmin.from')}</span>
          <input type="date" value={range.start} onInput={(e) => setRange({ ...range, start: e.currentTarget.value })} data-testid="plan-start" />
        </label>
        <label class="field">
          <span>{t('surveyAdmin.to')}</span>
          <input type="date" value={range.end} onInput={(e) => setRange({ ...range, end: e.currentTarget.value })} data-testid="plan-end" />
        </label>
      </div>
      {error && <p class="err block">{error}</p>}
      {busy && busy.length === 0 && <p class="empty">{t('surveyAdmin.planNone')}</p>}
      {busy && busy.length > 0 && (
        <div class="table-wrap">
          <table class="data">
            <thead>
              <tr>
                <th class="sticky">{t('surveyAdmin.village')}</th>
                <th>{t('surveyAdmin.surveys')}</th>
              </tr>
            </thead>
            <tbody>
              {busy.map((v) => (
                <tr data-testid="plan-row" data-code={v.village_code}>
                  <th class="sticky" scope="row">
                    {v.village_name}
                    {v.repeated && (
                      <div class="small warnc" data-testid="plan-repeated">
                        {t('surveyAdmin.repeated')}
                      </div>
                    )}
                  </th>
                  <td>
                    {v.surveys.map((s) => (
                      <div>
                        <a href={href('surveyadmin', s.survey_id)}>{s.title}</a> <span class="small muted">{period(s)}</span>
                      </div>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
