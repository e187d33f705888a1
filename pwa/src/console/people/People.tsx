import { useEffect, useState } from 'preact/hooks';
import { ApiError, type FieldError } from '../../api';
import { lang } from '../../i18n';
import { online } from '../../net';
import { go, href } from '../../router';
import type { ViewProps } from '../../routes';
import { useStores } from '../../store';
import { localDate } from '../../time';
import { ct } from '../i18n';
import ImportCadres from './ImportCadres';
import { Err, OneTimePassword, PostingLine, StatusBadge, k, message, useDivisions } from './parts';
import PersonDetail from './PersonDetail';
import {
  POSITIONS,
  ROLES,
  createCadre,
  listPeople,
  pageCount,
  type PeoplePage,
  type PeopleQuery,
  type Person,
  type Position,
} from './roster';
import './people.css';

/** 人员与派驻: the list (#/console/people), a new cadre (…/new), an import (…/import), a person (…/<id>). */
export default function People({ user, params }: ViewProps) {
  useStores(lang, online);
  const [sub] = params;
  const admin = user.roles.includes('county_admin');
  return (
    <section class="people" data-testid="people">
      {!sub && <PeopleList userId={user.id} admin={admin} />}
      {sub === 'new' && admin && <NewCadre userId={user.id} />}
      {sub === 'import' && admin && <ImportCadres userId={user.id} />}
      {sub && sub !== 'new' && sub !== 'import' && <PersonDetail key={sub} user={user} personId={sub} />}
    </section>
  );
}

const roleNames = (p: Person) => p.roles.map((r) => k(`console.people.role.${r}`)).join('、');

function PeopleList({ userId, admin }: { userId: string; admin: boolean }) {
  const { townships, villages } = useDivisions(userId);
  const [draft, setDraft] = useState<PeopleQuery>({});
  const [query, setQuery] = useState<PeopleQuery>({ page: 1 });
  const [page, setPage] = useState<PeoplePage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const isOnline = online.get();

  useEffect(() => {
    if (!isOnline) return;
    let live = true;
    listPeople(userId, query).then(
      (p) => live && (setPage(p), setError(null)),
      (err) => live && setError(message(err)),
    );
    return () => {
      live = false;
    };
  }, [userId, query, isOnline]);

  const shownVillages = villages.filter((v) => !draft.township || v.parent_code === draft.township);
  const set = (patch: PeopleQuery) => setDraft((d) => ({ ...d, ...patch }));
  const apply = (e?: Event) => {
    e?.preventDefault();
    setQuery({ ...draft, page: 1 });
  };
  const pages = page ? pageCount(page) : 1;
  return (
    <>
      <div class="row wrap">
        <h1>{ct('console.people.title')}</h1>
        {admin && (
          <div class="actions">
            <a class="btn primary" href={href('console', 'people', 'new')} data-testid="people-new">
              {ct('console.people.new')}
            </a>
            <a class="btn" href={href('console', 'people', 'import')} data-testid="people-import">
              {ct('console.people.import')}
            </a>
          </div>
        )}
      </div>
      {!admin && <p class="muted small">{ct('console.people.readOnly')}</p>}
      <form class="card people-filters" onSubmit={apply} data-testid="people-filters">
        <label class="field">
          <span>{ct('console.people.filter.township')}</span>
          <select
            data-testid="filter-township"
            value={draft.township ?? ''}
            onChange={(e) => set({ township: e.currentTarget.value, village: '' })}
          >
            <option value="">{ct('console.people.filter.all')}</option>
            {townships.map((d) => (
              <option value={d.code}>{d.name}</option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>{ct('console.people.filter.village')}</span>
          <select data-testid="filter-village" value={draft.village ?? ''} onChange={(e) => set({ village: e.currentTarget.value })}>
            <option value="">{ct('console.people.filter.all')}</option>
            {shownVillages.map((d) => (
              <option value={d.code}>{d.name}</option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>{ct('console.people.filter.role')}</span>
          <select data-testid="filter-role" value={draft.role ?? ''} onChange={(e) => set({ role: e.currentTarget.value })}>
            <option value="">{ct('console.people.filter.all')}</option>
            {ROLES.map((r) => (
              <option value={r}>{k(`console.people.role.${r}`)}</option>
            ))}
          </select>
        </label>
        {admin && (
          <label class="field">
            <span>{ct('console.people.filter.status')}</span>
            <select data-testid="filter-status" value={draft.status ?? ''} onChange={(e) => set({ status: e.currentTarget.value })}>
              <option value="">{ct('console.people.filter.all')}</option>
              <option value="active">{ct('console.people.status.active')}</option>
              <option value="disabled">{ct('console.people.status.disabled')}</option>
            </select>
          </label>
        )}
        <label class="field grow">
          <span>{ct('console.people.filter.q')}</span>
          <input
            type="search"
            maxLength={50}
            data-testid="filter-q"
            value={draft.q ?? ''}
            onInput={(e) => set({ q: e.currentTarget.value })}
          />
        </label>
        <div class="filter-buttons">
          <button class="btn primary" type="submit" data-testid="filter-apply" disabled={!isOnline}>
            {ct('console.people.filter.search')}
          </button>
          <button
            class="btn"
            type="button"
            onClick={() => {
              setDraft({});
              setQuery({ page: 1 });
            }}
          >
            {ct('console.people.filter.clear')}
          </button>
        </div>
      </form>
      {error && (
        <p class="err block" role="alert">
          {error}
        </p>
      )}
      {page && (
        <>
          <p class="muted" data-testid="people-total" data-total={page.total}>
            {ct('console.people.total', { n: page.total })}
          </p>
          {page.items.length === 0 && <p class="empty">{ct('console.people.none')}</p>}
          <div class="table-wrap people-table">
            <table class="data">
              <thead>
                <tr>
                  <th>{ct('console.people.col.name')}</th>
                  <th>{ct('console.people.col.phone')}</th>
                  <th>{ct('console.people.col.roles')}</th>
                  <th>{ct('console.people.col.posting')}</th>
                  <th>{ct('console.people.col.status')}</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((p) => (
                  <tr data-testid="person" data-id={p.id} data-phone={p.phone} onClick={() => go('console', 'people', p.id)}>
                    <td>
                      <a href={href('console', 'people', p.id)}>{p.name}</a>
                    </td>
                    <td>{p.phone}</td>
                    <td>{roleNames(p)}</td>
                    <td>
                      <PostingLine p={p} />
                    </td>
                    <td>
                      <StatusBadge p={p} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <ul class="list people-cards">
            {page.items.map((p) => (
              <li class="item" data-testid="person" data-id={p.id} data-phone={p.phone}>
                <a class="item-button" href={href('console', 'people', p.id)}>
                  <div class="item-head">
                    <strong>{p.name}</strong>
                    <StatusBadge p={p} />
                  </div>
                  <p class="small">
                    {p.phone} · {roleNames(p)}
                  </p>
                  <p class="small muted">
                    <PostingLine p={p} />
                  </p>
                </a>
              </li>
            ))}
          </ul>
          {pages > 1 && (
            <div class="pager" data-testid="people-pager">
              <button
                class="btn small"
                data-testid="page-prev"
                disabled={page.page <= 1}
                onClick={() => setQuery((q) => ({ ...q, page: (q.page ?? 1) - 1 }))}
              >
                {ct('console.people.prev')}
              </button>
              <span data-testid="page-of">{ct('console.people.page', { page: page.page, pages })}</span>
              <button
                class="btn small"
                data-testid="page-next"
                disabled={page.page >= pages}
                onClick={() => setQuery((q) => ({ ...q, page: (q.page ?? 1) + 1 }))}
              >
                {ct('console.people.next')}
              </button>
            </div>
          )}
        </>
      )}
    </>
  );
}

function NewCadre({ userId }: { userId: string }) {
  const { townships, villages } = useDivisions(userId);
  const [township, setTownship] = useState('');
  const [form, setForm] = useState({
    name: '',
    phone: '',
    village_code: '',
    position: 'team_member' as Position,
    dispatching_unit: '',
    start_date: localDate(),
    end_date: '',
  });
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [made, setMade] = useState<{ person: Person; temporary_password: string } | null>(null);
  const isOnline = online.get();
  const set = (patch: Partial<typeof form>) => setForm((f) => ({ ...f, ...patch }));

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setErrors([]);
    setError(null);
    try {
      setMade(await createCadre(userId, { ...form, end_date: form.end_date || null }));
    } catch (err) {
      setError(message(err));
      if (err instanceof ApiError) setErrors(err.errors);
    } finally {
      setBusy(false);
    }
  };

  if (made) {
    const posting = made.person.postings[0];
    return (
      <div class="card" data-testid="cadre-created">
        <p>{ct('console.people.form.created', { name: made.person.name, village: posting?.village_name ?? '' })}</p>
        <OneTimePassword value={made.temporary_password} />
        <div class="actions">
          <a class="btn primary" href={href('console', 'people', made.person.id)} data-testid="open-created">
            {ct('console.people.form.open')}
          </a>
          <button class="btn" onClick={() => (setMade(null), set({ name: '', phone: '' }))}>
            {ct('console.people.form.another')}
          </button>
        </div>
      </div>
    );
  }
  return (
    <form class="card people-form" onSubmit={submit} data-testid="cadre-form">
      <a href={href('console', 'people')} class="small">
        ← {ct('console.people.back')}
      </a>
      <h1>{ct('console.people.form.title')}</h1>
      <div class="grid2">
        <label class="field">
          <span>{ct('console.people.form.name')}</span>
          <input required maxLength={50} data-testid="cadre-name" value={form.name} onInput={(e) => set({ name: e.currentTarget.value })} />
          <Err errors={errors} field="name" />
        </label>
        <label class="field">
          <span>{ct('console.people.form.phone')}</span>
          <input
            required
            inputMode="tel"
            pattern="1[0-9]{10}"
            maxLength={11}
            data-testid="cadre-phone"
            value={form.phone}
            onInput={(e) => set({ phone: e.currentTarget.value })}
          />
          <Err errors={errors} field="phone" />
        </label>
        <label class="field">
          <span>{ct('console.people.form.township')}</span>
          <select data-testid="cadre-township" value={township} onChange={(e) => (setTownship(e.currentTarget.value), set({ village_code: '' }))}>
            <option value="">{ct('console.people.filter.all')}</option>
            {townships.map((d) => (
              <option value={d.code}>{d.name}</option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>{ct('console.people.form.village')}</span>
          <select required data-testid="cadre-village" value={form.village_code} onChange={(e) => set({ village_code: e.currentTarget.value })}>
            <option value="">{ct('console.people.form.pick')}</option>
            {villages
              .filter((v) => !township || v.parent_code === township)
              .map((d) => (
                <option value={d.code}>
                  {d.name} ({d.code})
                </option>
              ))}
          </select>
          <Err errors={errors} field="village_code" />
        </label>
        <label class="field">
          <span>{ct('console.people.form.position')}</span>
          <select data-testid="cadre-position" value={form.position} onChange={(e) => set({ position: e.currentTarget.value as Position })}>
            {POSITIONS.map((p) => (
              <option value={p}>{k(`console.people.position.${p}`)}</option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>{ct('console.people.form.unit')}</span>
          <input maxLength={100} data-testid="cadre-unit" value={form.dispatching_unit} onInput={(e) => set({ dispatching_unit: e.currentTarget.value })} />
        </label>
        <label class="field">
          <span>{ct('console.people.form.start')}</span>
          <input type="date" required data-testid="cadre-start" value={form.start_date} onInput={(e) => set({ start_date: e.currentTarget.value })} />
          <Err errors={errors} field="start_date" />
        </label>
        <label class="field">
          <span>{ct('console.people.form.end')}</span>
          <input type="date" data-testid="cadre-end" value={form.end_date} onInput={(e) => set({ end_date: e.currentTarget.value })} />
          <Err errors={errors} field="end_date" />
        </label>
      </div>
      {error && (
        <p class="err block" role="alert" data-testid="cadre-error">
          {error}
        </p>
      )}
      {!isOnline && <p class="muted">{ct('console.people.offlineAction')}</p>}
      <button class="btn primary wide" type="submit" disabled={busy || !isOnline} data-testid="cadre-submit">
        {ct('console.people.form.submit')}
      </button>
    </form>
  );
}
