import { t, type MessageKey } from '../i18n';
import { DAY_STATUSES, type MonthDay } from './presence';
import { monthDays } from '../time';
import * as fmt from '../format';

export const dayLabel = (status: string) => t(`day.${status}` as MessageKey);
const shortLabel = (status: string) => t(`day.short.${status}` as MessageKey);

/** A month as a grid of days, each coloured by its status; tappable when `onPick` is given. */
export function Calendar(props: {
  ym: string;
  days: MonthDay[];
  today: string;
  onPick?: (day: MonthDay) => void;
  selected?: string;
  testid?: string;
}) {
  const { ym, days, today, onPick, selected } = props;
  const { firstWeekday } = monthDays(ym);
  const weekdays = t('month.weekdays').split(',');
  return (
    <div class="calendar" data-testid={props.testid ?? 'month-calendar'}>
      {weekdays.map((w) => (
        <div class="wd" aria-hidden="true">
          {w}
        </div>
      ))}
      {Array.from({ length: firstWeekday }, () => (
        <div class="day blank" />
      ))}
      {days.map((d) => {
        const future = d.date > today;
        const cls = [
          'day',
          d.status ? `st-${d.status}` : '',
          d.source === 'drafted' ? 'drafted' : '',
          d.date === today ? 'today' : '',
          future ? 'future' : '',
          d.date === selected ? 'selected' : '',
        ].join(' ');
        const label = `${fmt.day(d.date, true)} ${d.status ? dayLabel(d.status) : ''}${d.logs > 0 ? ` · ${t('month.dayLogs', { n: d.logs })}` : ''}${d.note ? ` · ${d.note}` : ''}`;
        // Read out as one phrase (date, status, logs); the short marks are for the eye.
        const inner = (
          <>
            <span class="sr-only">{label}</span>
            <span class="num" aria-hidden="true">{Number(d.date.slice(8))}</span>
            {d.status && <span class="st" aria-hidden="true">{shortLabel(d.status)}</span>}
            {d.logs > 0 && <span class="dot" aria-hidden="true">{d.logs}</span>}
            {d.local && <span class="local" aria-hidden="true" />}
          </>
        );
        const attrs = {
          class: cls,
          'data-testid': 'month-day',
          'data-date': d.date,
          'data-status': d.status ?? '',
          'data-source': d.source,
          'data-logs': d.logs,
          'data-local': d.local ?? '',
          title: d.note || undefined,
        };
        return onPick && !future ? (
          <button type="button" {...attrs} onClick={() => onPick(d)}>
            {inner}
          </button>
        ) : (
          <div {...attrs}>{inner}</div>
        );
      })}
    </div>
  );
}

export function Legend() {
  return (
    <ul class="legend small" data-testid="month-legend">
      {DAY_STATUSES.map((s) => (
        <li>
          <span class={`swatch st-${s}`} />
          {dayLabel(s)}
        </li>
      ))}
      <li>
        <span class="swatch drafted st-in_village" />
        {t('month.legendDrafted')}
      </li>
    </ul>
  );
}
