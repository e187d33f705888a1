import { useEffect, useState } from 'preact/hooks';
import { lang, t } from '../i18n';
import { outboxChanged } from '../outbox';
import { loadMonth, type PresenceDay } from '../presence';
import type { ViewProps } from '../routes';
import { useStores } from '../store';
import { addMonths, formatMonth, localDate, localMonth, monthDays } from '../time';
import { kindLabel } from './common';

export default function Month({ user }: ViewProps) {
  useStores(lang, outboxChanged);
  const [ym, setYm] = useState(localMonth());
  const [days, setDays] = useState<Map<string, PresenceDay>>(new Map());
  const tick = outboxChanged.get();
  useEffect(() => {
    let live = true;
    void loadMonth(user.id, ym).then((d) => live && setDays(d));
    return () => {
      live = false;
    };
  }, [user.id, ym, tick]);

  const { days: all, firstWeekday } = monthDays(ym);
  const today = localDate();
  const weekdays = t('month.weekdays').split(',');
  const isCurrent = ym >= localMonth();

  return (
    <section>
      <h1>{t('month.title')}</h1>
      <p class="banner draft" data-testid="month-draft">
        {t('month.draft')}
      </p>
      <div class="month-head">
        <button class="btn" onClick={() => setYm(addMonths(ym, -1))} aria-label={t('month.prev')} data-testid="month-prev">
          ‹
        </button>
        <strong data-testid="month-label">{formatMonth(ym, lang.get())}</strong>
        <button
          class="btn"
          onClick={() => setYm(addMonths(ym, 1))}
          disabled={isCurrent}
          aria-label={t('month.next')}
          data-testid="month-next"
        >
          ›
        </button>
      </div>
      <div class="calendar" role="grid" data-testid="month-calendar">
        {weekdays.map((w) => (
          <div class="wd" role="columnheader">
            {w}
          </div>
        ))}
        {Array.from({ length: firstWeekday }, () => (
          <div class="day blank" />
        ))}
        {all.map((d) => {
          const info = days.get(d);
          const cls = ['day', info ? 'has' : '', d === today ? 'today' : '', d > today ? 'future' : ''].join(' ');
          return (
            <div
              class={cls}
              role="gridcell"
              data-testid="month-day"
              data-date={d}
              data-logs={info?.logs ?? 0}
              title={info ? info.kinds.map(kindLabel).join('、') : undefined}
            >
              <span class="num">{Number(d.slice(8))}</span>
              {info && <span class="dot">{info.logs}</span>}
            </div>
          );
        })}
      </div>
      <p class="muted" data-testid="month-count">
        {t('month.daysWithLogs', { n: days.size })}
      </p>
    </section>
  );
}
