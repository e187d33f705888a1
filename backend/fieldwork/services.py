"""Field-work rules: households of a village, and work logs with their verification flags.

Presence is in ``fieldwork/presence.py``, leave in ``leave.py``, talks in ``talks.py``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
import uuid
from typing import TYPE_CHECKING, Any, TypedDict

from piccolo.engine.sqlite import convert_datetime_in

from backend.accounts import posted
from backend.audit import services as audit
from backend.core.cache import ProcessCache, Slot
from backend.core.canonical import content_hash, dumps, loads
from backend.core.clock import beyond_tomorrow, utc_now
from backend.core.csvrows import Table, read_table
from backend.core.db import is_postgres, run_raw
from backend.core.errors import FieldError, Forbidden, NotFound, ValidationFailed
from backend.core.ids import is_sha256, new_id
from backend.core.imports import commit_or_preview, refuse
from backend.core.rows import Json, rows_as
from backend.evidence import near
from backend.evidence import services as evidence
from backend.evidence.flags import Fence, Fix, FlagSettings, PhotoFacts, verify_record
from backend.fieldwork.schemas import HouseholdImportReport, HouseholdOut, WorkLogData
from backend.fieldwork.tables import Household, WorkLog
from backend.geo import services as geo
from backend.sync.registry import Prepared, SyncedRow, registered_kind
from backend.sync.services import allocate_seqs, bump_seq

if TYPE_CHECKING:
    from backend.core.context import RequestContext
    from backend.core.scope import Actor, Scope

__all__ = [
    "HouseholdListing",
    "HouseholdRow",
    "WorkLogRow",
    "flag_logs",
    "household_rows",
    "import_households",
    "list_households",
    "loads",
    "location_wire",
    "log_needs_links",
    "prepare_work_log",
    "reverify_logs",
    "write_log_links",
]

class HouseholdRow(SyncedRow):
    """A ``Household`` as ``Household.select()`` returns it."""

    external_id: str
    head_name: str
    members: int
    group_name: str
    tags: Json


class HouseholdListing(TypedDict):
    """A household as ``household_rows`` lists it (for surveys: targets and exports)."""

    id: uuid.UUID
    village_code: str
    county_code: str
    external_id: str
    head_name: str
    group_name: str


class WorkLogRow(SyncedRow):
    """A ``WorkLog`` as ``WorkLog.select()`` returns it."""

    date: dt.date
    kind: str
    text: str
    household_ids: Json
    loc_lat: float | None
    loc_lon: float | None
    loc_accuracy_m: float | None
    loc_captured_at: dt.datetime | None
    evidence: Json
    flags: Json


_HOUSEHOLD_IDS: Slot[str, frozenset[str]] = Slot("households")
_KEPT_HOUSEHOLD_IDS: ProcessCache[str, frozenset[str]] = ProcessCache("household ids")


# --- households ------------------------------------------------------------------------------




async def household_rows(village_codes: set[str] | None = None,
                         ids: set[uuid.UUID] | None = None) -> list[HouseholdListing]:
    """Current households of some villages, or by id (for surveys: targets and exports),
    by village, group and household number. The caller has checked the scope."""
    query = Household.select(
        Household.id, Household.village_code, Household.county_code, Household.external_id,
        Household.head_name, Household.group_name,
    ).where(Household.deleted.eq(False))
    if village_codes is not None:
        query = query.where(Household.village_code.is_in(sorted(village_codes) or [""]))
    if ids is not None:
        query = query.where(Household.id.is_in(list(ids) or [uuid.UUID(int=0)]))
    rows = rows_as(HouseholdListing, await query)
    return sorted(rows, key=lambda r: (r["village_code"], r["group_name"], r["external_id"]))


async def _visible_village(scope: Scope, village_code: str) -> geo.VillageInfo:
    """A village the caller sees. One out of scope answers as any object out of scope does
    (``not_found``), the same whether or not the code exists elsewhere."""
    try:
        village = await geo.village(village_code)
    except NotFound:
        raise NotFound() from None
    if not scope.sees_village(village.code, village.county_code):
        raise NotFound()
    return village


async def list_households(scope: Scope, village_code: str) -> list[HouseholdOut]:
    """The village's households. A village out of scope answers as any object out of scope
    does (``not_found``), the same whether or not the code exists elsewhere."""
    await _visible_village(scope, village_code)
    rows = rows_as(HouseholdRow, (
        await Household.select()
        .where(Household.village_code == village_code, Household.deleted.eq(False))
        .order_by(Household.group_name)
        .order_by(Household.head_name)
    ))
    household = registered_kind("household")
    return [HouseholdOut(id=r["id"], **household.to_wire(r)) for r in rows]


HOUSEHOLD_HEADERS = {
    "external_id": "external_id",
    "户编号": "external_id",
    "head_name": "head_name",
    "户主": "head_name",
    "户主姓名": "head_name",
    "members": "members",
    "人口": "members",
    "家庭人口": "members",
    "group_name": "group_name",
    "村民组": "group_name",
    "组": "group_name",
    "tags": "tags",
    "标签": "tags",
    "户类型": "tags",
}


def parse_households_csv(
    data: bytes | str,
) -> tuple[list[dict[str, Any]], list[FieldError], Table]:
    """Rows of (external_id, head_name, members, group_name, tags) of a CSV or XLSX, the
    errors of every bad row, and the table read (its columns name the errors)."""
    table = read_table(data, HOUSEHOLD_HEADERS, ("external_id", "head_name"))
    if table.errors:
        return [], table.errors, table
    rows, seen, errors = [], set(), []
    for number, raw in table.rows:
        row_errors = []
        if not raw.get("external_id"):
            row_errors.append(FieldError("external_id", "required", row=number))
        elif len(raw["external_id"]) > 40:
            row_errors.append(FieldError("external_id", "too_long", row=number))
        elif raw["external_id"] in seen:
            row_errors.append(FieldError("external_id", "duplicate", row=number))
        if not raw.get("head_name") or len(raw["head_name"]) > 50:
            row_errors.append(
                FieldError(
                    "head_name", "required" if not raw.get("head_name") else "too_long", row=number
                )
            )
        members = raw.get("members") or "1"
        if not members.isdigit() or not 1 <= int(members) <= 50:
            row_errors.append(FieldError("members", "not_integer", row=number))
        if row_errors:
            errors += row_errors
            continue
        seen.add(raw["external_id"])
        tags = [t for t in re.split(r"[;；、,，|]", raw.get("tags", "")) if t.strip()]
        rows.append(
            {
                "external_id": raw["external_id"],
                "head_name": raw["head_name"],
                "members": int(members),
                "group_name": raw.get("group_name", "")[:50],
                "tags": [t.strip()[:20] for t in tags][:20],
            }
        )
    return rows, errors, table


async def import_households(
    ctx: RequestContext,
    actor: Actor,
    village_code: str,
    data: bytes | str,
    *,
    dry_run: bool = False,
) -> HouseholdImportReport:
    """Import a village's household register (CSV or XLSX), all rows or none (township or
    county); ``dry_run`` previews the same counts and writes nothing."""
    village = await _visible_village(actor.scope, village_code)
    if not actor.scope.reviews_village(village.code, village.county_code):
        raise Forbidden()
    rows, errors, table = parse_households_csv(data)
    refuse(table.named(errors))
    engine = Household._meta.db

    async def apply() -> HouseholdImportReport:
        created = updated = 0
        existing = {
            r["external_id"]: r
            for r in await Household.select().where(Household.village_code == village_code)
        }
        seqs = iter(await allocate_seqs(engine, len(rows))) if rows else iter(())
        now = utc_now()
        for row in rows:
            digest = content_hash(row)
            old = existing.get(row["external_id"])
            if old is None:
                created += 1
                await Household.insert(
                    Household(
                        id=new_id(),
                        owner_id=actor.user_id,
                        village_code=village_code,
                        county_code=village.county_code,
                        version=1,
                        seq=next(seqs),
                        content_hash=digest,
                        created_at=now,
                        updated_at=now,
                        **row,
                    )
                )
            elif old["content_hash"] != digest or old["deleted"]:
                updated += 1
                await Household.update(
                    {
                        **{getattr(Household, k): v for k, v in row.items()},
                        Household.content_hash: digest,
                        Household.version: Household.version + 1,
                        Household.seq: next(seqs),
                        Household.updated_at: now,
                        Household.deleted: False,
                    }
                ).where(Household.id == old["id"])
        report = HouseholdImportReport(
            created=created, updated=updated, unchanged=len(rows) - created - updated,
            rows=len(rows), dry_run=dry_run,
        )
        await audit.record(
            ctx,
            "fieldwork.households_imported",
            "village",
            village_code,
            county_code=village.county_code,
            after=report.model_dump(),
        )
        return report

    return await commit_or_preview(engine, dry_run, apply)


# --- work logs -------------------------------------------------------------------------------


def location_wire(
    lat: float | None, lon: float | None, accuracy_m: float | None, captured_at: str | None
) -> dict[str, Any] | None:
    """A log's location on the wire (``captured_at`` as ISO text), or None without a fix."""
    if lat is None:
        return None
    return {"lat": lat, "lon": lon, "accuracy_m": accuracy_m, "captured_at": captured_at}




async def _village_households(actor: Actor, village_code: str) -> frozenset[str]:
    """The household ids of a village, kept per process while the households do not change
    (triggers on the household table bump the reference-data version)."""

    async def load() -> frozenset[str]:
        rows = await Household.select(Household.id).where(Household.village_code == village_code)
        return frozenset(str(r["id"]) for r in rows)

    return await actor.cache.get(
        _HOUSEHOLD_IDS, village_code, lambda: _KEPT_HOUSEHOLD_IDS.get(village_code, load)
    )


async def prepare_work_log(actor: Actor, log: WorkLogData) -> Prepared:
    """Validate a pushed ``work_log``. Location and photos are optional, always."""
    village = await posted.own_village(actor, log.village_code)
    errors = []
    if beyond_tomorrow(log.date):
        errors.append(FieldError("date", "too_large"))
    else:
        errors += await posted.outside_posting(actor, village.code, {"date": log.date})
    known = await _village_households(actor, log.village_code)
    if any(str(h) not in known for h in log.household_ids):
        errors.append(FieldError("household_ids", "not_found"))
    if not all(map(is_sha256, log.evidence)):
        errors.append(FieldError("evidence", "invalid"))
    if errors:
        raise ValidationFailed(errors=errors)
    loc = log.location
    return Prepared(
        values={
            "date": log.date,
            "kind": log.kind,
            "text": log.text,
            "household_ids": [str(h) for h in log.household_ids],
            "loc_lat": loc.lat if loc else None,
            "loc_lon": loc.lon if loc else None,
            "loc_accuracy_m": loc.accuracy_m if loc else None,
            "loc_captured_at": loc.captured_at if loc else None,
            "evidence": list(dict.fromkeys(log.evidence)),
        },
        village_code=village.code,
        county_code=village.county_code,
    )


def _fix(values: dict[str, Any]) -> Fix | None:
    if values["loc_lat"] is None:
        return None
    return Fix(
        values["loc_lat"], values["loc_lon"], values["loc_accuracy_m"], values["loc_captured_at"]
    )


#: How far before a push's first fix the speed flag looks for the cadre's stored fix before it.
_EARLIER_WINDOW = dt.timedelta(days=1)

#: The cadre's stored fixes a push's fixes may be compared with: from a day before its first
#: fix up to its last (a range of the index ``fieldwork_work_log_owner_fix``), none of the
#: push's own records (an edit counts with its new fix only). Of these only the latest before
#: each pushed fix can be one's previous, and the statements below read no others, so a push
#: reads about as many rows as it has fixes however many the cadre stored meanwhile (all of
#: the window's came back to Python before: a push of logs months apart read every one).
_WINDOW_SQL = (
    "FROM fieldwork_work_log w WHERE w.owner_id = {} AND w.loc_captured_at IS NOT NULL"
    " AND w.loc_captured_at >= {} AND w.loc_captured_at < {}"
)
_FIX_COLUMNS = "id, loc_lat, loc_lon, loc_accuracy_m, loc_captured_at"

#: PostgreSQL, one statement: the latest of each gap between the push's times (a fix's gap:
#: how many of those times are at or before it; ties by the greater id, as the caller sorts).
_LATEST_A_GAP_PG = (
    f"SELECT DISTINCT ON (gap) {_FIX_COLUMNS} FROM (SELECT {_FIX_COLUMNS},"
    " width_bucket(loc_captured_at, {}::timestamptz[]) AS gap " + _WINDOW_SQL
    + " AND id <> ALL({}::uuid[])) f ORDER BY gap, loc_captured_at DESC, id DESC"
)

#: SQLite (its statements are calls in this process, not round trips): for each of the push's
#: times an index probe for the time of the stored fix before it, and the fixes at those times
#: (ties included); a push of more than ``_PROBES_AT_MOST`` times first counts the window's
#: fixes and reads them all when they are no more than its times (a batch of consecutive logs:
#: a few rows, where 500 probes cost more). Times are UTC text of one format (Piccolo's
#: adapter), which sorts as time.
_PROBES_AT_MOST = 32
_COUNT_SQLITE = "SELECT count(*) AS n " + _WINDOW_SQL
_ALL_SQLITE = (
    f"SELECT {_FIX_COLUMNS} " + _WINDOW_SQL + " AND id NOT IN (SELECT value FROM json_each({}))"
)
_PROBES_SQLITE = (
    f"SELECT {_FIX_COLUMNS} FROM fieldwork_work_log"
    " WHERE owner_id = {} AND id NOT IN (SELECT value FROM json_each({}))"
    " AND loc_captured_at IN (SELECT (SELECT w.loc_captured_at " + _WINDOW_SQL.replace(
        "w.loc_captured_at < {}", "w.loc_captured_at < t.value")
    + " AND w.id NOT IN (SELECT value FROM json_each({}))"
    " ORDER BY w.loc_captured_at DESC LIMIT 1) FROM json_each({}) t)"
)


async def _earlier_fixes(
    owner: uuid.UUID,
    batch: list[tuple[uuid.UUID, str, Fix]],
) -> list[tuple[dt.datetime, str, Fix | None]]:
    """What the batch's fixes are compared with, by time: the owner's stored fixes that can be
    one's previous (above) and the batch's own; each with its record's id as text (the batch's
    ids turned into text once, by the caller)."""
    times = sorted({f.captured_at for _, _, f in batch if f.captured_at})
    if not times:
        return []
    engine, window = WorkLog._meta.db, [owner, times[0] - _EARLIER_WINDOW, times[-1]]
    if is_postgres(engine):
        rows = await run_raw(engine, _LATEST_A_GAP_PG, [
            times, *window, [record_id for record_id, _, _ in batch]])
    else:
        ids = dumps([text for _, text, _ in batch])
        if len(times) > _PROBES_AT_MOST and (
                await run_raw(engine, _COUNT_SQLITE, window))[0]["n"] <= len(times):
            rows = await run_raw(engine, _ALL_SQLITE, [*window, ids])
        else:
            rows = await run_raw(engine, _PROBES_SQLITE, [
                owner, ids, *window[:2], ids, dumps([convert_datetime_in(t) for t in times])])
    fixes = [(r["loc_captured_at"], str(r["id"]), _fix(r)) for r in rows]
    fixes += [(f.captured_at, text, f) for _, text, f in batch if f.captured_at]
    return sorted(fixes, key=lambda f: (f[0], f[1]))


def _previous(
    fixes: list[tuple[dt.datetime, str, Fix | None]], times: list[dt.datetime],
    own: str, fix: Fix | None,
) -> Fix | None:
    """The latest fix strictly before ``fix`` that is not this record's own (``own``, its id
    as text; fixes sorted; ``times`` their times, searched without a key function called at
    every step)."""
    if fix is None or fix.captured_at is None:
        return None
    index = bisect.bisect_left(times, fix.captured_at)
    before = fixes[max(0, index - 2) : index]
    if not before:
        return None
    for _t, other, earlier in reversed(before):
        if other != own:
            return earlier
    return None


async def _reuse_candidates(
    items: list[tuple[uuid.UUID, uuid.UUID, Prepared]], facts: dict[str, PhotoFacts]
) -> dict[uuid.UUID, list[tuple[str, str]]]:
    """Per record, ``(other record, phash)`` of the photos near its own: those stored for other
    records of the county (from the near-duplicate index) and those of the batch itself.

    The batch's records are left out of what is stored (their links are about to be replaced),
    so a photo reused within one push counts exactly as one reused across two.
    """
    batch_ids = {record_id for record_id, _, _ in items}
    by_county: dict[str, list[tuple[uuid.UUID, str]]] = {}
    for record_id, _, prepared in items:
        for h in prepared.values["evidence"]:
            if h in facts and (phash := facts[h].phash):
                by_county.setdefault(prepared.place()[1], []).append((record_id, phash))
    out: dict[uuid.UUID, list[tuple[str, str]]] = {i: [] for i in batch_ids}
    for county, photos in by_county.items():
        stored = await evidence.near_links(county, sorted({p for _, p in photos}))
        for record_id, phash in photos:
            out[record_id] += [
                (str(n.record_id), n.phash) for n in stored.get(phash, [])
                if n.record_id not in batch_ids
            ]
        for (a, pa), (b, pb) in near.close_pairs(photos, FlagSettings().phash_near):
            if a != b:
                out[a].append((str(b), pb))
                out[b].append((str(a), pa))
    return out


async def flag_logs(items: list[tuple[uuid.UUID, uuid.UUID, Prepared]]) -> None:
    """Verification flags for logs about to be written, a batch at a time.

    Flags inform a reviewer; they never block a record or a payment. What every record of the
    batch shares (the villages' fences, the thresholds, the owners' fixes) is read once.
    """
    villages = await geo.villages({p.place()[0] for _, _, p in items})
    fences = {
        code: Fence(village.center, village.radius_m, village.polygon)
        for code, village in villages.items()
        if village.center and village.radius_m
    }
    hashes = sorted({h for _, _, p in items for h in p.values["evidence"]})
    facts = {f.sha256: f for f in await evidence.photo_facts(hashes)}
    reuse = await _reuse_candidates(items, facts)
    # Each record's id as text once: the fixes name their records so.
    located = [(record_id, str(record_id), owner, p, _fix(p.values))
               for record_id, owner, p in items]
    fixes: dict[uuid.UUID, list[tuple[dt.datetime, str, Fix | None]]] = {}
    for owner in {o for _, o, _ in items}:
        batch = [(i, text, f) for i, text, o, _, f in located if o == owner and f]
        fixes[owner] = await _earlier_fixes(owner, batch)
    times = {owner: [f[0] for f in owned] for owner, owned in fixes.items()}
    now, settings = utc_now(), FlagSettings()
    for record_id, text_id, owner, prepared, fix in located:
        v = prepared.values
        flags = verify_record(
            record_date=v["date"],
            location=fix,
            photos=[facts[h] for h in v["evidence"] if h in facts],
            fence=fences.get(prepared.place()[0]),
            previous_fix=_previous(fixes[owner], times[owner], text_id, fix),
            reuse_candidates=reuse[record_id],
            now=now,
            settings=settings,
        )
        v["flags"] = [f.as_dict() for f in flags]


def log_needs_links(values: dict[str, Any], version: int) -> bool:
    """A new record without photos has nothing to link or unlink; an edit may unlink."""
    return bool(loads(values["evidence"])) or version > 1


async def write_log_links(actor: Actor, rows: list[WorkLogRow]) -> None:
    """After a push: the records' photo links become exactly what they name."""
    await evidence.link_records("work_log", rows)


def _stored_as_prepared(row: WorkLogRow) -> Prepared:
    values: dict[str, Any] = {
        "date": row["date"],
        "kind": row["kind"],
        "text": row["text"],
        "loc_lat": row["loc_lat"],
        "loc_lon": row["loc_lon"],
        "loc_accuracy_m": row["loc_accuracy_m"],
        "loc_captured_at": row["loc_captured_at"],
        "evidence": loads(row["evidence"]) or [],
    }
    return Prepared(values=values, village_code=row["village_code"], county_code=row["county_code"])


async def reverify_logs(ids: list[uuid.UUID]) -> None:
    """Recompute the flags of stored logs (a photo arrived, or one near theirs was linked or
    unlinked); a log whose flags changed is delivered again on pull."""
    rows = rows_as(WorkLogRow, await WorkLog.select().where(WorkLog.id.is_in(ids or [None])))
    if not rows:
        return
    items = [(row["id"], row["owner_id"], _stored_as_prepared(row)) for row in rows]
    await flag_logs(items)
    for row, (_, _, prepared) in zip(rows, items, strict=True):
        if prepared.values["flags"] != (loads(row["flags"]) or []):
            await bump_seq(
                registered_kind("work_log"), [row["id"]], {WorkLog.flags: prepared.values["flags"]}
            )
