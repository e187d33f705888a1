import { lang, t, type MessageKey } from '../i18n';
import { DAY_STATUSES, type MonthDay } from '../presence';
import { formatDate, monthDays } from '../time';

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
        const label = `${formatDate(d.date, lang.get(), true)} ${d.status ? dayLabel(d.status) : ''}${d.note ? ` · ${d.note}` : ''}`;
        const inner = (
          <>
            <span class="num">{Number(d.date.slice(8))}</span>
            {d.status && <span class="st">{shortLabel(d.status)}</span>}
            {d.logs > 0 && <span class="dot">{d.logs}</span>}
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
          'aria-label': label,
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
