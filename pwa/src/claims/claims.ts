import { ApiError, api, type Schema } from '../api';
import { getMeta, recordsOfKind, setMeta, userDb, type SyncedRecord } from '../db';
import { lang } from '../i18n';
import {
  UNSENT,
  enqueue,
  listOutbox,
  newerVersion,
  outboxChanged,
  saveEdit,
  type OutboxItem,
  type OutboxStatus,
  type Version,
} from '../outbox';
import { atLeast } from '../records';
import { createStore } from '../store';

/**
 * 补贴报销. A cadre records a round trip (`travel_claim`, pushed through the outbox, offline
 * too); every claim comes back by pull as `claim` under the same id, with the server's state,
 * amounts and flags. The living subsidy is drafted by the server when the township confirms
 * the month. Submitting and reviewing are online HTTP actions.
 */
export const TRAVEL = 'travel_claim';
export const CLAIM = 'claim';
export const INCIDENT = 'insurance_incident';
export const MAX_RECEIPTS = 12;

export type ClaimOut = Schema<'ClaimOut'>;
export type ClaimState = ClaimOut['state'];
export type ClaimType = ClaimOut['type'];
export type TravelMode = NonNullable<ClaimOut['mode']>;
export type ClaimFlag = Schema<'FlagOut'>;
export type ClaimEvent = Schema<'ClaimEventOut'>;
/** What a claim's amount is computed with (the year's policy of the county). */
export type ClaimPolicy = Pick<Schema<'PolicyOut'>, 'subsidy_daily_fen' | 'round_trips_per_month' | 'car_fen_per_km' | 'road_factor'>;

export const CLAIM_STATES: readonly ClaimState[] = [
  'draft',
  'submitted',
  'township_approved',
  'county_approved',
  'paid',
  'returned',
  'rejected',
];
/** States in which the owner may still change and (re)submit a claim. */
export const EDITABLE: readonly ClaimState[] = ['draft', 'returned'];
/** Approved claims are locked; a correction is a new claim referring to one of these. */
export const CORRECTABLE: readonly ClaimState[] = ['county_approved', 'paid'];


/** What the cadre pushes as `travel_claim`. */
export interface TravelInput {
  village_code: string;
  date: string;
  mode: TravelMode;
  fare_fen: number | null;
  road_km: number | null;
  note: string;
  evidence: string[];
  corrects_id?: string | null;
}

/** A claim as pulled (`claim`) or read over HTTP (`ClaimOut`, evidence reduced to hashes). */
export interface ClaimData {
  type: ClaimType;
  state: ClaimState;
  village_code: string;
  township_code?: string;
  county_code?: string;
  month: string;
  date: string | null;
  mode: TravelMode | null;
  fare_fen: number | null;
  road_km: number | null;
  note: string;
  evidence: string[];
  corrects_id: string | null;
  village_days: number | null;
  rate_fen: number;
  road_factor?: number | null;
  geodesic_km: number | null;
  amount_fen: number;
  payable_fen: number;
  flags: ClaimFlag[];
  reason: string | null;
  payment_reference: string | null;
  submitted_at: string | null;
  paid_at: string | null;
  cadre_id?: string;
  cadre_name?: string;
  version?: number;
}

/** `ClaimOut` of the HTTP API. */

/** A claim as this phone shows it. */
export interface ClaimView {
  id: string;
  data: ClaimData;
  /** 'applied' when the server has everything; else the state of our change in the outbox. */
  status: OutboxStatus;
  /** The newest server version known (to submit on); undefined before the first push. */
  version?: Version;
  /** Amounts and flags are the server's for the inputs shown (not waiting for a sync). */
  computed: boolean;
  item?: OutboxItem;
}

/** The data of a claim from a `ClaimOut`: evidence as hashes, the rest as pulled. */
export function fromOut(out: ClaimOut): ClaimData {
  const { evidence, id: _id, ...rest } = out;
  return { ...rest, evidence: evidence.map((e) => e.sha256) };
}

function inputsOf(d: Record<string, unknown>): Partial<ClaimData> {
  const date = String(d.date ?? '');
  return {
    type: 'travel',
    village_code: String(d.village_code ?? ''),
    date,
    month: date.slice(0, 7),
    mode: (d.mode as TravelMode) ?? 'public',
    fare_fen: (d.fare_fen as number | null) ?? null,
    road_km: (d.road_km as number | null) ?? null,
    note: String(d.note ?? ''),
    evidence: Array.isArray(d.evidence) ? d.evidence.map(String) : [],
    corrects_id: (d.corrects_id as string | null | undefined) ?? null,
  };
}

const EMPTY: Omit<ClaimData, 'village_code' | 'month' | 'date' | 'mode' | 'fare_fen' | 'road_km' | 'note' | 'evidence'> = {
  type: 'travel',
  state: 'draft',
  corrects_id: null,
  village_days: null,
  rate_fen: 0,
  geodesic_km: null,
  amount_fen: 0,
  payable_fen: 0,
  flags: [],
  reason: null,
  payment_reference: null,
  submitted_at: null,
  paid_at: null,
};

/**
 * Lay what this phone pushed (`travel_claim` records and outbox items) over the pulled claims
 * (`claim`), by id (pure, for tests). The newest version wins; amounts and flags count as the
 * server's only when nothing newer than the pulled claim is known.
 */
export function mergeClaims(claims: SyncedRecord[], travel: SyncedRecord[], items: OutboxItem[]): ClaimView[] {
  const byId = new Map<string, ClaimView>();
  for (const c of claims) {
    byId.set(c.id, { id: c.id, data: { ...EMPTY, ...(c.data as unknown as ClaimData) }, status: 'applied', version: c.version, computed: true });
  }
  for (const r of travel) {
    const known = byId.get(r.id);
    if (known && !newerVersion(r.version, known.version)) continue;
    byId.set(r.id, {
      id: r.id,
      data: { ...EMPTY, ...known?.data, ...inputsOf(r.data) } as ClaimData,
      status: 'applied',
      version: r.version,
      computed: false,
    });
  }
  for (const item of items) {
    if (item.kind !== TRAVEL) continue;
    const known = byId.get(item.id);
    if (item.status === 'applied' && known && atLeast(known.version, item.version)) continue;
    byId.set(item.id, {
      id: item.id,
      data: { ...EMPTY, ...known?.data, ...inputsOf(item.data) } as ClaimData,
      status: item.status,
      version: newerVersion(item.version, known?.version) ? item.version : known?.version,
      computed: false,
      item,
    });
  }
  return [...byId.values()];
}

/**
 * Newest month first; in a month, what waits for the cadre (not submitted, or returned) first,
 * then the subsidy, then trips by date, newest first.
 */
export function sortClaims<T extends { id: string; data: Pick<ClaimData, 'month' | 'date' | 'type' | 'state'> }>(rows: T[]): T[] {
  const key = (r: T) =>
    `${r.data.month}|${EDITABLE.includes(r.data.state) ? '1' : '0'}|${r.data.type === 'subsidy' ? '1' : '0'}|${r.data.date ?? ''}|${r.id}`;
  return [...rows].sort((a, b) => (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : 0));
}

/** The user's own claims on this phone, newest month first. */
export async function myClaims(userId: string): Promise<ClaimView[]> {
  const items = (await listOutbox(userId)).filter((i) => i.kind === TRAVEL);
  const merged = mergeClaims(await recordsOfKind(userId, CLAIM), await recordsOfKind(userId, TRAVEL), items);
  // Reviewers and finance also pull others' claims; a cadre's list is their own.
  return sortClaims(merged.filter((c) => !c.data.cadre_id || c.data.cadre_id === userId));
}

/** Group rows by month (already sorted newest first). */
export function byMonth<T extends { data: { month: string } }>(rows: T[]): [string, T[]][] {
  const out: [string, T[]][] = [];
  for (const r of rows) {
    const last = out[out.length - 1];
    if (last && last[0] === r.data.month) last[1].push(r);
    else out.push([r.data.month, [r]]);
  }
  return out;
}

export async function findClaim(userId: string, id: string): Promise<ClaimView | undefined> {
  return (await myClaims(userId)).find((c) => c.id === id);
}

/** Keep a claim the server just answered with, unless the phone already has a newer one. */
export async function storeClaim(userId: string, out: ClaimOut): Promise<void> {
  const db = await userDb(userId);
  const tx = db.transaction('records', 'readwrite');
  const before = await tx.store.get([CLAIM, out.id]);
  if (!before || !newerVersion(before.version, out.version)) {
    await tx.store.put({ kind: CLAIM, id: out.id, version: out.version, data: fromOut(out) as unknown as Record<string, unknown> });
  }
  await tx.done;
  outboxChanged.update((n) => n + 1);
}

/** The server's list of the user's claims (online), kept on the phone. */
export async function refreshMine(userId: string): Promise<void> {
  const list = await api<ClaimOut[]>('/claims/mine', { user: userId });
  const db = await userDb(userId);
  const tx = db.transaction('records', 'readwrite');
  let changed = false;
  for (const out of list) {
    const before = await tx.store.get([CLAIM, out.id]);
    // The phone's copy is newer, or the same one already read here: nothing to write.
    if (before && (newerVersion(before.version, out.version) || (before.version === out.version && before.data.cadre_name))) continue;
    await tx.store.put({ kind: CLAIM, id: out.id, version: out.version, data: fromOut(out) as unknown as Record<string, unknown> });
    changed = true;
  }
  await tx.done;
  if (changed) outboxChanged.update((n) => n + 1);
}

/** A new round trip, queued for the server. */
export function recordTrip(userId: string, input: TravelInput): Promise<OutboxItem> {
  return enqueue(userId, TRAVEL, cleanInput(input));
}

/** A changed round trip (a draft, or one returned to the cadre): the same id, on the newest version known. */
export function editTrip(userId: string, view: ClaimView, input: TravelInput): Promise<OutboxItem> {
  return saveEdit(userId, TRAVEL, view.id, cleanInput(input), view.version);
}

function cleanInput(input: TravelInput): Record<string, unknown> {
  const out: Record<string, unknown> = {
    village_code: input.village_code,
    date: input.date,
    mode: input.mode,
    fare_fen: input.mode === 'public' ? input.fare_fen : null,
    road_km: input.mode === 'car' ? input.road_km : null,
    note: input.note.trim(),
    evidence: [...new Set(input.evidence)],
  };
  if (input.corrects_id) out.corrects_id = input.corrects_id;
  return out;
}

export const isEditable = (c: ClaimView): boolean => EDITABLE.includes(c.data.state);
export const canSubmit = (c: ClaimView): boolean => isEditable(c) && c.version !== undefined;
/** The travel claims the cadre may change: a trip (or a trip's correction) still theirs. */
export const canEdit = (c: ClaimView): boolean => c.data.type === 'travel' && isEditable(c);

/** Is a change of this claim still waiting in the outbox? */
export const hasUnsent = (c: ClaimView): boolean => !!c.item && UNSENT.includes(c.item.status);

/** Submit (online): the cadre's one action; the amount is frozen for review. */
export async function submitClaim(userId: string, c: ClaimView): Promise<ClaimOut> {
  const out = await api<ClaimOut>(`/claims/${encodeURIComponent(c.id)}/submit`, {
    method: 'POST',
    json: { version: c.version },
    user: userId,
  });
  await storeClaim(userId, out);
  return out;
}

/** Start the correction of an approved claim (online): a new draft referring to it. */
export async function startCorrection(userId: string, id: string): Promise<ClaimOut> {
  const out = await api<ClaimOut>(`/claims/${encodeURIComponent(id)}/correction`, { method: 'POST', user: userId });
  await storeClaim(userId, out);
  return out;
}


/** Every transition, oldest first (online; the last answer is kept for offline reading). */
export async function claimHistory(userId: string, id: string, online: boolean): Promise<ClaimEvent[] | null> {
  const key = `claim-history:${id}`;
  if (online) {
    try {
      const events = await api<ClaimEvent[]>(`/claims/${encodeURIComponent(id)}/history`, { user: userId });
      await setMeta(userId, key, events);
      return events;
    } catch (err) {
      if (!(err instanceof ApiError) || !err.network) throw err;
    }
  }
  return (await getMeta<ClaimEvent[]>(userId, key)) ?? null;
}

// --- the county's policy for the year ---------------------------------------------------------


/** The county's settings: from the server when it can say, else the last known. */
export async function claimPolicy(userId: string, county: string, year: number, online: boolean): Promise<ClaimPolicy | null> {
  const key = `claim-policy:${county}:${year}`;
  if (online) {
    try {
      const p = await api<ClaimPolicy>(`/policy/${county}/${year}`, { user: userId });
      if (p && typeof p.car_fen_per_km === 'number') {
        const kept: ClaimPolicy = {
          subsidy_daily_fen: p.subsidy_daily_fen,
          round_trips_per_month: p.round_trips_per_month,
          car_fen_per_km: p.car_fen_per_km,
          road_factor: p.road_factor,
        };
        await setMeta(userId, key, kept);
        return kept;
      }
    } catch {
      /* the last known */
    }
  }
  return (await getMeta<ClaimPolicy>(userId, key)) ?? null;
}

/** What the server will compute for a trip (round trip = 2 × one-way km), before it has. */
export function estimateFen(mode: TravelMode | null, fare_fen: number | null, road_km: number | null, fenPerKm: number | null): number | null {
  if (mode === 'public') return fare_fen;
  if (mode === 'car' && road_km !== null && fenPerKm !== null) {
    const metres = Math.round(road_km * 10) * 100;
    return Math.floor((2 * metres * fenPerKm + 500) / 1000);
  }
  return null;
}

// --- flags --------------------------------------------------------------------------------------

/**
 * The server's detail is "中文 / English"; the side of the UI language, else the whole text.
 * Flags of known codes are worded from their params by the view.
 */
export function flagDetail(f: ClaimFlag, l = lang.get()): string {
  const parts = f.detail.split(' / ');
  if (parts.length === 2) return l === 'en' ? parts[1] : parts[0];
  return f.detail;
}

/** Set by a screen for the next one to show once (e.g. "saved" after leaving the form). */
export const flash = createStore<string | null>(null);
