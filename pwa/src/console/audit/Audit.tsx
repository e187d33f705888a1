import { useEffect, useState } from 'preact/hooks';
import { errorText } from '../../api';
import { lang } from '../../i18n';
import { online } from '../../net';
import { go } from '../../router';
import type { ViewProps } from '../../routes';
import { useStores } from '../../store';
import { formatDateTime } from '../../time';
import { ct, type ConsoleKey } from '../i18n';
import { listPeople, readPerson, type Person } from '../people/roster';
import {
  ACTION_GROUPS,
  AUDIT_PAGE,
  detailLines,
  listEvents,
  verifyChain,
  type AuditEvent,
  type AuditFilter,
  type Verify,
} from './auditLog';
import './audit.css';

/** 审计日志 (#/console/audit, or …/audit/person/<id> for one person's events). */
export default function Audit({ user, params }: ViewProps) {
  useStores(lang, online);
  const personId = params[0] === 'person' ? params[1] : undefined;
  const [filter, setFilter] = useState<AuditFilter>({ person_id: personId });
  const [draft, setDraft] = useState<AuditFilter>({ person_id: personId });
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const isOnline = online.get();

  useEffect(() => {
    if (!isOnline) return;
    let live = true;
    listEvents(user.id, filter).then(
      (rows) => live && (setEvents(rows), setMore(rows.length === AUDIT_PAGE), setError(null)),
      (err) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [user.id, filter, isOnline]);

  const loadMore = async () => {
    if (!events?.length) return;
    try {
      const rows = await listEvents(user.id, filter, events[events.length - 1].id);
      setEvents([...events, ...rows]);
      setMore(rows.length === AUDIT_PAGE);
    } catch (err) {
      setError(errorText(err));
    }
  };
  const set = (patch: AuditFilter) => setDraft((d) => ({ ...d, ...patch }));

  return (
    <section class="audit" data-testid="audit">
      <h1>{ct('console.audit.title')}</h1>
      <ChainState userId={user.id} />
      <form
        class="card audit-filters"
        data-testid="audit-filters"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter({ ...draft });
        }}
      >
        <PersonPicker userId={user.id} value={draft.person_id} onChange={(id) => set({ person_id: id })} />
        <label class="field">
          <span>{ct('console.audit.filter.action')}</span>
          <select data-testid="audit-action" value={draft.action ?? ''} onChange={(e) => set({ action: e.currentTarget.value })}>
            <option value="">{ct('console.audit.filter.all')}</option>
            {ACTION_GROUPS.map((g) => (
              <option value={g}>{ct(`console.audit.group.${g}` as ConsoleKey)}</option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>{ct('console.audit.filter.object')}</span>
          <input maxLength={64} data-testid="audit-object" value={draft.object_id ?? ''} onInput={(e) => set({ object_id: e.currentTarget.value })} />
        </label>
        <label class="field">
          <span>{ct('console.audit.filter.since')}</span>
          <input type="date" data-testid="audit-since" value={draft.since ?? ''} onInput={(e) => set({ since: e.currentTarget.value })} />
        </label>
        <label class="field">
          <span>{ct('console.audit.filter.until')}</span>
          <input type="date" data-testid="audit-until" value={draft.until ?? ''} onInput={(e) => set({ until: e.currentTarget.value })} />
        </label>
        <div class="filter-buttons">
          <button class="btn primary" type="submit" data-testid="audit-apply" disabled={!isOnline}>
            {ct('console.audit.filter.apply')}
          </button>
          <button
            class="btn"
            type="button"
            onClick={() => {
              setDraft({});
              setFilter({});
              if (personId) go('console', 'audit');
            }}
          >
            {ct('console.audit.filter.clear')}
          </button>
        </div>
      </form>
      {error && (
        <p class="err block" role="alert">
          {error}
        </p>
      )}
      {events && events.length === 0 && <p class="empty">{ct('console.audit.none')}</p>}
      {events && events.length > 0 && (
        <>
          <p class="muted small" data-testid="audit-count" data-count={events.length}>
            {ct('console.audit.shown', { n: events.length })}
          </p>
          <ol class="audit-list" data-testid="audit-events">
            {events.map((e) => (
              <EventRow e={e} />
            ))}
          </ol>
          {more && (
            <button class="btn wide" data-testid="audit-more" onClick={loadMore} disabled={!isOnline}>
              {ct('console.audit.more')}
            </button>
          )}
        </>
      )}
    </section>
  );
}

function groupLabel(action: string): string {
  const key = `console.audit.group.${action.split('.')[0]}` as ConsoleKey;
  const label = ct(key);
  return label === key ? '' : label;
}

function EventRow({ e }: { e: AuditEvent }) {
  const before = detailLines(e.before);
  const after = detailLines(e.after);
  return (
    <li class="audit-event" data-testid="audit-event" data-action={e.action} data-object={e.object_id}>
      <span class="a-at">{formatDateTime(e.at, lang.get())}</span>
      <span class="a-actor">{e.actor_name ?? ct('console.audit.system')}</span>
      <span class="a-action">
        {groupLabel(e.action)} <code>{e.action}</code>
      </span>
      <span class="a-object small muted">
        {e.object_kind} {e.object_id}
      </span>
      <div class="a-more">
        {e.reason && <p class="a-reason">{e.reason}</p>}
        {(before.length > 0 || after.length > 0) && (
          <details class="a-detail">
            <summary>{ct('console.audit.col.detail')}</summary>
            {before.length > 0 && (
              <p class="small">
                <strong>{ct('console.audit.before')}</strong> {before.join('；')}
              </p>
            )}
            {after.length > 0 && (
              <p class="small">
                <strong>{ct('console.audit.after')}</strong> {after.join('；')}
              </p>
            )}
          </details>
        )}
      </div>
    </li>
  );
}

function ChainState({ userId }: { userId: string }) {
  const [v, setV] = useState<Verify | null>(null);
  const [error, setError] = useState<string | null>(null);
  const isOnline = online.get();
  useEffect(() => {
    if (!isOnline) return;
    let live = true;
    verifyChain(userId).then(
      (r) => live && setV(r),
      (err) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [userId, isOnline]);
  if (error) return <p class="err block">{error}</p>;
  if (!v) return <p class="muted">{ct('console.audit.verifying')}</p>;
  const text = v.ok
    ? ct('console.audit.verifyOk', { n: v.checked })
    : v.broken_row
      ? ct('console.audit.verifyBroken', { row: v.broken_row, reason: v.reason ?? '' })
      : ct('console.audit.verifyElsewhere');
  return (
    <p class={`banner ${v.ok ? 'chain-ok' : 'warn'}`} role="status" data-testid="audit-chain" data-ok={v.ok ? 'yes' : 'no'}>
      {text}
    </p>
  );
}

/** Pick a person of the county by name or phone (the roster's search). */
function PersonPicker({ userId, value, onChange }: { userId: string; value?: string; onChange: (id?: string) => void }) {
  const [q, setQ] = useState('');
  const [found, setFound] = useState<Person[]>([]);
  const [picked, setPicked] = useState<Person | null>(null);
  useEffect(() => {
    if (!value) return setPicked(null);
    if (picked?.id === value) return;
    readPerson(userId, value).then(setPicked, () => setPicked(null));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [userId, value]);
  useEffect(() => {
    const term = q.trim();
    if (term.length < 1) return setFound([]);
    let live = true;
    const timer = setTimeout(() => {
      listPeople(userId, { q: term }).then((p) => live && setFound(p.items.slice(0, 8)), () => undefined);
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [userId, q]);
  return (
    <div class="field person-picker">
      <span>{ct('console.audit.filter.person')}</span>
      {value && picked ? (
        <span class="chip" data-testid="audit-person">
          {picked.name} ({picked.phone})
          <button type="button" class="link" aria-label="×" onClick={() => onChange(undefined)}>
            ×
          </button>
        </span>
      ) : (
        <>
          <input
            type="search"
            maxLength={50}
            placeholder={ct('console.audit.filter.personFind')}
            data-testid="audit-person-find"
            value={q}
            onInput={(e) => setQ(e.currentTarget.value)}
          />
          {found.length > 0 && (
            <ul class="picker-list">
              {found.map((p) => (
                <li>
                  <button
                    type="button"
                    class="link"
                    data-testid="audit-person-option"
                    onClick={() => {
                      setPicked(p);
                      setQ('');
                      setFound([]);
                      onChange(p.id);
                    }}
                  >
                    {p.name} · {p.phone}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </div>
  );
}
