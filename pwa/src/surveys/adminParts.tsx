/** Small pieces the survey admin screens share. */
import { dayRange } from '../format';
import { t, type MessageKey } from '../i18n';

export function period(s: { period_start: string; period_end: string }): string {
  return dayRange(s.period_start, s.period_end);
}

export function StateBadge({ state }: { state: string }) {
  return (
    <span class={`status sv-${state}`} data-testid="survey-state" data-state={state}>
      {t(`surveyAdmin.state.${state}` as MessageKey)}
    </span>
  );
}
