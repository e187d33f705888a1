import { useEffect, useState } from 'preact/hooks';
import { type FieldError, errorText } from '../../api';
import { online } from '../../net';
import { ct, type ConsoleKey } from '../i18n';
import { listDivisions, mainPosting, type Division, type Person } from './roster';

export const message = errorText;
export const k = (key: string) => ct(key as ConsoleKey);

/** Townships and villages of the caller's scope, for the filters and forms. */
export function useDivisions(userId: string): { townships: Division[]; villages: Division[] } {
  const [d, setD] = useState<{ townships: Division[]; villages: Division[] }>({ townships: [], villages: [] });
  const isOnline = online.get();
  useEffect(() => {
    if (!isOnline) return;
    let live = true;
    Promise.all([listDivisions(userId, 'township'), listDivisions(userId, 'village')]).then(
      ([townships, villages]) => live && setD({ townships, villages }),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [userId, isOnline]);
  return d;
}

export function StatusBadge({ p }: { p: Pick<Person, 'active' | 'locked'> }) {
  const state = !p.active ? 'disabled' : p.locked ? 'locked' : 'active';
  return (
    <span class={`status pstate-${state}`} data-testid="person-status" data-state={state}>
      {k(`console.people.status.${state}`)}
    </span>
  );
}

export function PostingLine({ p }: { p: Person }) {
  const posting = mainPosting(p);
  if (!posting) return <span class="muted">{ct('console.people.noPosting')}</span>;
  return (
    <span>
      {posting.township_name} · {posting.village_name} · {k(`console.people.position.${posting.position}`)}
      {!posting.current && <span class="muted"> ({ct('console.people.ended')})</span>}
    </span>
  );
}

/** A field error under an input, from the server's problem details. */
export function Err({ errors, field }: { errors: FieldError[]; field: string }) {
  const e = errors.find((x) => x.field === field || x.field.split('.').pop() === field);
  return e ? (
    <small class="err" data-testid={`error-${field}`}>
      {e.message}
    </small>
  ) : null;
}

/** A temporary password, shown once, with a copy button. */
export function OneTimePassword({ value }: { value: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div class="banner otp" role="status">
      <span>
        {ct('console.people.tempPassword')} <code data-testid="temp-password">{value}</code>
      </span>
      <button
        type="button"
        class="btn small"
        data-testid="copy-password"
        onClick={() => navigator.clipboard?.writeText(value).then(() => setCopied(true), () => undefined)}
      >
        {copied ? ct('console.people.copied') : ct('console.people.copy')}
      </button>
    </div>
  );
}

