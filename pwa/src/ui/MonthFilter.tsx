import * as fmt from '../format';
import { t } from '../i18n';

/** A queue's month filter (all months, or one); shown only when the queue spans several. */
export function MonthFilter({ months, value, onChange, testid }: { months: string[]; value: string; onChange: (month: string) => void; testid: string }) {
  if (months.length <= 1) return null;
  return (
    <select class="inline" value={value} onChange={(e) => onChange(e.currentTarget.value)} aria-label={t('dash.month')} data-testid={testid}>
      <option value="">{t('review.allMonths')}</option>
      {months.map((m) => (
        <option value={m}>{fmt.month(m)}</option>
      ))}
    </select>
  );
}
