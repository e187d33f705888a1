import { useEffect, useState } from 'preact/hooks';
import { ApiError, type FieldError } from '../../api';
import type { User } from '../../auth';
import { online } from '../../net';
import { href } from '../../router';
import { localDate } from '../../time';
import { ct } from '../i18n';
import { Err, OneTimePassword, StatusBadge, k, message, useDivisions } from './parts';
import {
  GRANT_ROLES,
  POSITIONS,
  endPosting,
  grantRole,
  listDivisions,
  readPerson,
  resetPassword,
  revokeRole,
  setActive,
  transferPosting,
  type Division,
  type GrantRole,
  type Person,
  type Position,
  type RosterPosting,
} from './roster';

type Act = (run: () => Promise<Person | void>) => Promise<boolean>;

/** One person: postings (end, transfer), account (disable, enable, reset), roles. */
export default function PersonDetail({ user, personId }: { user: User; personId: string }) {
  const [person, setPerson] = useState<Person | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [busy, setBusy] = useState(false);
  const isOnline = online.get();
  const admin = user.roles.includes('county_admin');
  const { villages } = useDivisions(user.id);

  useEffect(() => {
    if (!isOnline) return;
    let live = true;
    readPerson(user.id, personId).then(
      (p) => live && setPerson(p),
      (err) => live && setError(message(err)),
    );
    return () => {
      live = false;
    };
  }, [user.id, personId, isOnline]);

  /** Run one change; the answer is the person as they are now. */
  const act: Act = async (run) => {
    setBusy(true);
    setError(null);
    setErrors([]);
    try {
      const next = await run();
      if (next) setPerson(next);
      return true;
    } catch (err) {
      setError(message(err));
      if (err instanceof ApiError) setErrors(err.errors);
      return false;
    } finally {
      setBusy(false);
    }
  };

  return (
    <div data-testid="person-detail">
      <a href={href('console', 'people')} class="small" data-testid="people-back">
        ← {ct('console.people.back')}
      </a>
      {error && (
        <p class="err block" role="alert" data-testid="person-error">
          {error}
        </p>
      )}
      {person && (
        <>
          <div class="row wrap">
            <h1 data-testid="person-name">{person.name}</h1>
            <StatusBadge p={person} />
          </div>
          <p class="muted">
            {person.phone} · {person.roles.map((r) => k(`console.people.role.${r}`)).join('、')}
          </p>
          {admin && (
            <p>
              <a href={href('console', 'audit', 'person', person.id)} data-testid="person-audit">
                {ct('console.people.auditLink')}
              </a>
            </p>
          )}
          <div class="person-panes">
            <section class="card" data-testid="postings">
              <h2>{ct('console.people.postings')}</h2>
              {person.postings.length === 0 && <p class="muted">{ct('console.people.noPosting')}</p>}
              {person.postings.map((p) => (
                <PostingCard key={p.id} userId={user.id} p={p} admin={admin} busy={busy || !isOnline} act={act} errors={errors} villages={villages} />
              ))}
            </section>
            <div>
              {admin && (
                <AccountCard userId={user.id} person={person} self={person.id === user.id} busy={busy || !isOnline} act={act} />
              )}
              <RolesCard userId={user.id} person={person} admin={admin} busy={busy || !isOnline} act={act} errors={errors} />
            </div>
          </div>
        </>
      )}
    </div>
  );
}

function PostingCard(props: {
  userId: string;
  p: RosterPosting;
  admin: boolean;
  busy: boolean;
  act: Act;
  errors: FieldError[];
  villages: Division[];
}) {
  const { userId, p, admin, busy, act, errors, villages } = props;
  const [mode, setMode] = useState<'' | 'end' | 'transfer'>('');
  const [end, setEnd] = useState(localDate());
  const [reason, setReason] = useState('');
  const [village, setVillage] = useState('');
  const [position, setPosition] = useState<Position>(p.position);
  const open = p.end_date === null || p.end_date >= localDate();
  const submit = async (e: Event) => {
    e.preventDefault();
    const ok = await act(() =>
      mode === 'end'
        ? endPosting(userId, p.id, end, reason)
        : transferPosting(userId, p.id, { end_date: end, village_code: village, position, reason }),
    );
    if (ok) setMode('');
  };
  return (
    <div class="posting" data-testid="posting" data-id={p.id} data-current={p.current ? 'yes' : 'no'} data-village={p.village_code}>
      <div class="item-head">
        <strong>
          {p.township_name} · {p.village_name}
        </strong>
        <span class={`status ${p.current ? 'pstate-active' : 'pstate-ended'}`}>
          {p.current ? ct('console.people.current') : ct('console.people.ended')}
        </span>
      </div>
      <p class="small">
        {k(`console.people.position.${p.position}`)}
        {p.dispatching_unit && ` · ${p.dispatching_unit}`}
      </p>
      <p class="small muted" data-testid="posting-dates">
        {p.end_date ? ct('console.people.range', { start: p.start_date, end: p.end_date }) : ct('console.people.since', { start: p.start_date })}
      </p>
      {admin && open && !mode && (
        <div class="actions">
          <button class="btn small" data-testid="posting-end" disabled={busy} onClick={() => setMode('end')}>
            {ct('console.people.end')}
          </button>
          <button class="btn small" data-testid="posting-transfer" disabled={busy} onClick={() => setMode('transfer')}>
            {ct('console.people.transfer')}
          </button>
        </div>
      )}
      {mode && (
        <form class="subform" onSubmit={submit} data-testid={`posting-${mode}-form`}>
          <label class="field">
            <span>{ct('console.people.endDate')}</span>
            <input type="date" required data-testid="posting-end-date" value={end} onInput={(e) => setEnd(e.currentTarget.value)} />
            <Err errors={errors} field="end_date" />
          </label>
          {mode === 'transfer' && (
            <>
              <label class="field">
                <span>{ct('console.people.transferTo')}</span>
                <select required data-testid="transfer-village" value={village} onChange={(e) => setVillage(e.currentTarget.value)}>
                  <option value="">{ct('console.people.form.pick')}</option>
                  {villages.map((v) => (
                    <option value={v.code}>
                      {v.name} ({v.code})
                    </option>
                  ))}
                </select>
                <Err errors={errors} field="village_code" />
              </label>
              <label class="field">
                <span>{ct('console.people.form.position')}</span>
                <select data-testid="transfer-position" value={position} onChange={(e) => setPosition(e.currentTarget.value as Position)}>
                  {POSITIONS.map((x) => (
                    <option value={x}>{k(`console.people.position.${x}`)}</option>
                  ))}
                </select>
              </label>
              <p class="small muted">{ct('console.people.transferNote')}</p>
            </>
          )}
          <label class="field">
            <span>{ct('console.people.reason')}</span>
            <input maxLength={200} data-testid="posting-reason" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          </label>
          <div class="actions">
            <button class="btn primary" type="submit" disabled={busy} data-testid="posting-confirm">
              {mode === 'end' ? ct('console.people.confirmEnd') : ct('console.people.confirmTransfer')}
            </button>
            <button class="btn" type="button" onClick={() => setMode('')}>
              {ct('console.people.cancel')}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}

function AccountCard(props: { userId: string; person: Person; self: boolean; busy: boolean; act: Act }) {
  const { userId, person, self, busy, act } = props;
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState('');
  const [temp, setTemp] = useState<string | null>(null);
  return (
    <section class="card" data-testid="account">
      <h2>{ct('console.people.account')}</h2>
      {person.active ? (
        !confirming ? (
          <button class="btn danger" data-testid="disable" disabled={busy || self} onClick={() => setConfirming(true)}>
            {ct('console.people.disable')}
          </button>
        ) : (
          <div class="subform">
            <p class="small">{ct('console.people.disableNote')}</p>
            <label class="field">
              <span>{ct('console.people.reason')}</span>
              <input maxLength={200} data-testid="disable-reason" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
            </label>
            <div class="actions">
              <button
                class="btn danger"
                data-testid="disable-confirm"
                disabled={busy}
                onClick={async () => (await act(() => setActive(userId, person.id, false, reason))) && setConfirming(false)}
              >
                {ct('console.people.confirmDisable')}
              </button>
              <button class="btn" onClick={() => setConfirming(false)}>
                {ct('console.people.cancel')}
              </button>
            </div>
          </div>
        )
      ) : (
        <button class="btn primary" data-testid="enable" disabled={busy} onClick={() => act(() => setActive(userId, person.id, true, ''))}>
          {ct('console.people.enable')}
        </button>
      )}
      <p class="small muted">{ct('console.people.resetNote')}</p>
      <button
        class="btn"
        data-testid="reset-password"
        disabled={busy || !person.active}
        onClick={() =>
          act(async () => {
            setTemp((await resetPassword(userId, person.id)).temporary_password);
          })
        }
      >
        {ct('console.people.reset')}
      </button>
      {temp && <OneTimePassword value={temp} />}
    </section>
  );
}

function RolesCard(props: { userId: string; person: Person; admin: boolean; busy: boolean; act: Act; errors: FieldError[] }) {
  const { userId, person, admin, busy, act, errors } = props;
  const [role, setRole] = useState<GrantRole>('township_reviewer');
  const [division, setDivision] = useState('');
  const [townships, setTownships] = useState<Division[]>([]);
  const [counties, setCounties] = useState<Division[]>([]);
  useEffect(() => {
    if (!admin) return;
    listDivisions(userId, 'township').then(setTownships, () => undefined);
    listDivisions(userId, 'county').then(setCounties, () => undefined);
  }, [userId, admin]);
  const choices = role === 'township_reviewer' ? townships : counties;
  return (
    <section class="card" data-testid="roles">
      <h2>{ct('console.people.roles')}</h2>
      {person.grants.length === 0 && <p class="muted">{ct('console.people.noGrants')}</p>}
      <ul class="plain">
        {person.grants.map((g) => (
          <li class="grant" data-testid="grant" data-role={g.role} data-division={g.division_code}>
            <span>
              {k(`console.people.role.${g.role}`)} · {g.division_name}
            </span>
            {admin && (
              <button class="btn small danger" data-testid="revoke" disabled={busy} onClick={() => act(() => revokeRole(userId, person.id, g.id))}>
                {ct('console.people.revoke')}
              </button>
            )}
          </li>
        ))}
      </ul>
      {admin && (
        <form
          class="subform grant-form"
          data-testid="grant-form"
          onSubmit={async (e) => {
            e.preventDefault();
            if (await act(() => grantRole(userId, person.id, role, division))) setDivision('');
          }}
        >
          <h3>{ct('console.people.grant')}</h3>
          <label class="field">
            <span>{ct('console.people.grantRole')}</span>
            <select data-testid="grant-role" value={role} onChange={(e) => (setRole(e.currentTarget.value as GrantRole), setDivision(''))}>
              {GRANT_ROLES.map((r) => (
                <option value={r}>{k(`console.people.role.${r}`)}</option>
              ))}
            </select>
          </label>
          <label class="field">
            <span>{ct('console.people.grantDivision')}</span>
            <select required data-testid="grant-division" value={division} onChange={(e) => setDivision(e.currentTarget.value)}>
              <option value="">{ct('console.people.form.pick')}</option>
              {choices.map((d) => (
                <option value={d.code}>{d.name}</option>
              ))}
            </select>
            <Err errors={errors} field="division_code" />
          </label>
          <button class="btn primary" type="submit" disabled={busy || !division} data-testid="grant-submit">
            {ct('console.people.confirmGrant')}
          </button>
        </form>
      )}
    </section>
  );
}
