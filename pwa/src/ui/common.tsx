import type { FieldError } from '../api';
import { t, type MessageKey } from '../i18n';
import type { OutboxStatus } from '../outbox';

export function StatusBadge({ status }: { status: OutboxStatus }) {
  return (
    <span class={`status s-${status}`} data-testid="status" data-status={status}>
      {t(`status.${status}` as MessageKey)}
    </span>
  );
}

/** Field errors from the server name `text` or `data.text`; match on the last part. */
export function errorFor(errors: FieldError[] | undefined, field: string): string | undefined {
  return errors?.find((e) => e.field === field || e.field.split('.').pop() === field)?.message;
}

export function FieldErr({ errors, field }: { errors?: FieldError[]; field: string }) {
  const msg = errorFor(errors, field);
  return msg ? (
    <small class="err" data-testid={`error-${field}`}>
      {msg}
    </small>
  ) : null;
}

export function kindLabel(kind: string): string {
  return t(`kind.${kind}` as MessageKey);
}
