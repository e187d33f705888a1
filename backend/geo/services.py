"""Geo rules over the database: looking up divisions, scoped listing, fences, CSV import."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from backend.audit import services as audit
from backend.core.cache import ProcessCache, Slot
from backend.core.db import write_transaction
from backend.core.errors import FieldError, Forbidden, NotFound
from backend.core.imports import commit_or_preview, refuse
from backend.core.rows import Json, row_as, rows_as
from backend.geo.coords import convert
from backend.geo.importer import DivisionRow as CsvDivision
from backend.geo.importer import read_divisions
from backend.geo.schemas import DivisionOut, FenceIn, FenceOut, ImportReport, TierLabelsIn
from backend.geo.tables import LEVELS, Division

if TYPE_CHECKING:
    from piccolo.columns import Column

    from backend.core.cache import RequestCache
    from backend.core.context import RequestContext
    from backend.core.scope import Scope

__all__ = [
    "DEFAULT_TIER_LABELS",
    "DivisionRow",
    "VillageInfo",
    "cached_village",
    "current",
    "division_out",
    "import_divisions",
    "list_divisions",
    "read_division",
    "set_fence",
    "set_tier",
    "set_tier_labels",
    "village",
    "villages",
    "villages_of_townships",
]

DEFAULT_TIER_LABELS = {"deep": "深度贫困地区", "key": "重点帮扶", "ordinary": "一般"}
_CURRENT = Division.valid_to.is_null()


@dataclass(frozen=True)
class VillageInfo:
    """What other capabilities need of a village."""

    code: str
    name: str
    township_code: str
    county_code: str
    tier: str
    center: tuple[float, float] | None
    radius_m: int | None
    polygon: dict[str, Any] | None


#: Current villages by code (None: no such village), read once per request.
_VILLAGES: Slot[str, VillageInfo | None] = Slot("villages")
#: The same, kept per process at a version of the reference data.
_KEPT: ProcessCache[str, VillageInfo | None] = ProcessCache("villages")


class DivisionRow(TypedDict):
    """A ``Division`` as ``Division.select()`` returns it."""

    id: uuid.UUID
    code: str
    name: str
    level: str
    parent_code: str | None
    county_code: str | None
    tier: str
    valid_from: dt.date
    valid_to: dt.date | None
    center_lat: float | None
    center_lon: float | None
    radius_m: int | None
    polygon: Json
    tier_labels: Json
    is_demo: bool


async def current(code: str) -> DivisionRow | None:
    """The current row of a division code, or None."""
    row = await Division.select().where(Division.code == code, _CURRENT).first()
    return row_as(DivisionRow, row)


def _village_info(row: DivisionRow) -> VillageInfo:
    lat, lon = row["center_lat"], row["center_lon"]  # a fence sets both or neither
    center = (lat, lon) if lat is not None and lon is not None else None
    return VillageInfo(
        code=row["code"],
        name=row["name"],
        township_code=row["parent_code"] or row["code"][:9],
        county_code=row["county_code"] or row["code"][:6],  # a village always has its county
        tier=row["tier"],
        center=center,
        radius_m=row["radius_m"],
        polygon=row["polygon"] if isinstance(row["polygon"], dict) else _load_json(row["polygon"]),
    )


def _load_json(value: Any) -> Any:
    import json

    return json.loads(value) if isinstance(value, str) and value else None


async def village(code: str) -> VillageInfo:
    """A current village by code; ``unknown_division`` when there is none."""
    found = (await villages({code})).get(code)
    if found is None:
        raise NotFound("unknown_division", code=code)
    return found


async def villages(codes: set[str] | frozenset[str]) -> dict[str, VillageInfo]:
    """The current villages among ``codes``, with their fences: kept per process while the
    divisions do not change (``core/cache.ProcessCache``; triggers on the division table bump
    the reference-data version)."""
    if not codes:
        return {}
    found = await _KEPT.get_many(sorted(codes), _read_villages, None)
    return {code: info for code, info in found.items() if info is not None}


async def _read_villages(codes: list[str]) -> dict[str, VillageInfo | None]:
    rows = rows_as(DivisionRow, await Division.select().where(
        Division.code.is_in(codes), Division.level == "village", _CURRENT
    ))
    return {r["code"]: _village_info(r) for r in rows}


async def cached_village(cache: RequestCache, code: str) -> VillageInfo | None:
    """A current village by code, read once per request; None when there is none."""
    return await cache.get(_VILLAGES, code, lambda: _current_village(code))


async def _current_village(code: str) -> VillageInfo | None:
    return (await villages({code})).get(code)


async def villages_of_townships(township_codes: set[str]) -> set[str]:
    """Every village code, of any validity period, under the given townships."""
    if not township_codes:
        return set()
    rows = await Division.select(Division.code).where(
        Division.parent_code.is_in(sorted(township_codes)), Division.level == "village"
    )
    return {r["code"] for r in rows}


async def _tier_labels(county_codes: set[str]) -> dict[str, dict[str, str]]:
    if not county_codes:
        return {}
    rows = await Division.select(Division.code, Division.tier_labels).where(
        Division.code.is_in(sorted(county_codes)), Division.level == "county", _CURRENT
    )
    return {r["code"]: _load_json(r["tier_labels"]) or {} for r in rows if r["tier_labels"]}


def division_out(row: DivisionRow, labels: dict[str, dict[str, str]]) -> DivisionOut:
    county_labels = labels.get(row["county_code"] or "", {})
    fence = None
    if row["center_lat"] is not None and row["radius_m"]:
        polygon = row["polygon"] if isinstance(row["polygon"], dict) else _load_json(row["polygon"])
        fence = FenceOut(
            center_lat=row["center_lat"],
            center_lon=row["center_lon"],
            radius_m=row["radius_m"],
            polygon=polygon,
        )
    return DivisionOut(
        code=row["code"],
        name=row["name"],
        level=row["level"],
        parent_code=row["parent_code"],
        county_code=row["county_code"],
        tier=row["tier"],
        tier_label=county_labels.get(row["tier"], DEFAULT_TIER_LABELS[row["tier"]]),
        valid_from=row["valid_from"],
        valid_to=row["valid_to"],
        fence=fence,
        is_demo=row["is_demo"],
        tier_labels={**DEFAULT_TIER_LABELS, **county_labels} if row["level"] == "county" else None,
    )


def _visible(scope: Scope, row: DivisionRow) -> bool:
    if row["level"] == "village":
        return scope.sees_village(row["code"], row["county_code"])
    if row["level"] == "township":
        return (
            row["code"] in scope.review_townships
            or row["county_code"] in scope.counties
            or any(v.startswith(row["code"]) for v in scope.own_villages)
        )
    if row["level"] == "county":
        return row["code"] in scope.counties or any(
            v.startswith(row["code"]) for v in scope.own_villages | scope.review_villages
        )
    return False


async def list_divisions(
    scope: Scope, parent_code: str | None, level: str | None
) -> list[DivisionOut]:
    """Current divisions the caller may see, by code (never by any activity measure)."""
    query = Division.select().where(_CURRENT).order_by(Division.code)
    counties = scope.counties | {v[:6] for v in scope.own_villages | scope.review_villages}
    query = query.where(Division.county_code.is_in(sorted(counties) or [""]))
    if parent_code:
        query = query.where(Division.parent_code == parent_code)
    if level:
        query = query.where(Division.level == level)
    rows = [r for r in rows_as(DivisionRow, await query) if _visible(scope, r)]
    labels = await _tier_labels({r["county_code"] for r in rows if r["county_code"]})
    return [division_out(r, labels) for r in rows]


async def read_division(scope: Scope, code: str) -> DivisionOut:
    row = await current(code)
    if row is None or not _visible(scope, row):
        raise NotFound("unknown_division", code=code)
    labels = await _tier_labels({row["county_code"]} if row["county_code"] else set())
    return division_out(row, labels)


async def _admin_row(scope: Scope, code: str, level: str | None = None) -> DivisionRow:
    row = await current(code)
    if row is None or not _visible(scope, row) or (level and row["level"] != level):
        raise NotFound("unknown_division", code=code)
    if row["county_code"] not in scope.admin_counties:
        raise Forbidden()
    return row


async def set_fence(ctx: RequestContext, scope: Scope, code: str, fence: FenceIn) -> DivisionOut:
    """Set a village's geofence; the centre is stored in WGS-84 whatever map it came from."""
    lat, lon = convert((fence.center_lat, fence.center_lon), fence.crs, "wgs84")
    async with write_transaction(Division._meta.db):
        row = await _admin_row(scope, code, "village")
        before = {
            "center_lat": row["center_lat"],
            "center_lon": row["center_lon"],
            "radius_m": row["radius_m"],
        }
        after = {
            "center_lat": round(lat, 7),
            "center_lon": round(lon, 7),
            "radius_m": fence.radius_m,
        }
        await Division.update(
            {
                Division.center_lat: after["center_lat"],
                Division.center_lon: after["center_lon"],
                Division.radius_m: fence.radius_m,
                Division.polygon: fence.polygon,
            }
        ).where(Division.id == row["id"])
        await audit.record(
            ctx,
            "geo.fence_set",
            "division",
            code,
            county_code=row["county_code"],
            before=before,
            after=after,
        )
    return await read_division(scope, code)


async def set_tier(ctx: RequestContext, scope: Scope, code: str, tier: str) -> DivisionOut:
    async with write_transaction(Division._meta.db):
        row = await _admin_row(scope, code)
        await Division.update({Division.tier: tier}).where(Division.id == row["id"])
        await audit.record(
            ctx,
            "geo.tier_set",
            "division",
            code,
            county_code=row["county_code"],
            before={"tier": row["tier"]},
            after={"tier": tier},
        )
    return await read_division(scope, code)


async def set_tier_labels(
    ctx: RequestContext, scope: Scope, county_code: str, labels: TierLabelsIn
) -> DivisionOut:
    """Set the words the county uses for its tiers (county admin); shown on every division."""
    async with write_transaction(Division._meta.db):
        row = await _admin_row(scope, county_code, "county")
        before = _load_json(row["tier_labels"]) if isinstance(row["tier_labels"], str) else (
            row["tier_labels"]
        )
        after = labels.model_dump()
        await Division.update({Division.tier_labels: after}).where(Division.id == row["id"])
        await audit.record(
            ctx,
            "geo.tier_labels_set",
            "division",
            county_code,
            county_code=county_code,
            before={"tier_labels": before},
            after={"tier_labels": after},
        )
    return await read_division(scope, county_code)


async def _check_tree(
    rows: list[CsvDivision], scope: Scope | None, in_file: set[str]
) -> list[FieldError]:
    """Parents must exist (in the file, even on a bad row, or in the database); a county
    admin imports only their own county's divisions."""
    parents = {r.parent_code for r in rows if r.parent_code} - in_file
    known = {
        r["code"]
        for r in await Division.select(Division.code).where(
            Division.code.is_in(sorted(parents) or [""])
        )
    }
    errors = []
    for r in rows:
        if r.parent_code and r.parent_code not in in_file and r.parent_code not in known:
            errors.append(
                FieldError("parent_code", "unknown_division", {"code": r.parent_code}, row=r.row)
            )
        if scope is not None and (
            r.county_code is None or r.county_code not in scope.admin_counties
        ):
            errors.append(FieldError("code", "out_of_scope", row=r.row))
    return errors


_LEVEL_ORDER = {level: i for i, level in enumerate(LEVELS)}


async def import_divisions(
    ctx: RequestContext,
    scope: Scope | None,
    data: bytes | str,
    *,
    demo: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Import divisions (CSV or XLSX) all or nothing, every bad row named in one pass.

    ``scope`` None is the command line (no limit); ``dry_run`` previews: the same checks
    and counts, nothing written.
    """
    rows, errors, table = read_divisions(data)
    in_file = {raw.get("code", "") for _, raw in table.rows}
    errors += await _check_tree(rows, scope, in_file)
    refuse(table.named(errors))

    async def apply() -> ImportReport:
        created = updated = closed = 0
        for r in sorted(rows, key=lambda r: (_LEVEL_ORDER[r.level], r.code, r.valid_from)):
            outcome = await _upsert(r, demo)
            created += outcome == "created"
            updated += outcome == "updated"
            closed += outcome == "closed"
        report = ImportReport(
            created=created + closed, updated=updated, closed=closed, rows=len(rows),
            dry_run=dry_run,
        )
        await audit.record(
            ctx,
            "geo.divisions_imported",
            "division_import",
            ctx.request_id or "-",
            county_code=next((r.county_code for r in rows if r.county_code), None),
            after=report.model_dump(),
        )
        return report

    return await commit_or_preview(Division._meta.db, dry_run, apply)


async def _upsert(r: CsvDivision, demo: bool) -> str:
    values: dict[Column, Any] = {
        Division.name: r.name,
        Division.level: r.level,
        Division.parent_code: r.parent_code,
        Division.county_code: r.county_code,
        Division.tier: r.tier,
        Division.valid_to: r.valid_to,
        Division.center_lat: r.center_lat,
        Division.center_lon: r.center_lon,
        Division.radius_m: r.radius_m,
        Division.polygon: r.polygon,
    }
    same = (
        await Division.select(Division.id)
        .where(Division.code == r.code, Division.valid_from == r.valid_from)
        .first()
    )
    if same:
        # Piccolo types update()'s mapping as an invariant dict[Column | str, Any].
        await Division.update(values).where(  # type: ignore[arg-type]
            Division.id == same["id"]
        )
        return "updated"
    # A newer version of the code ends the validity of the one before it.
    older = (
        await Division.update({Division.valid_to: r.valid_from - dt.timedelta(days=1)})
        .where(Division.code == r.code, _CURRENT, Division.valid_from < r.valid_from)
        .returning(Division.id)
    )
    from backend.core.ids import new_id

    await Division.insert(
        Division(
            id=new_id(),
            code=r.code,
            valid_from=r.valid_from,
            is_demo=demo,
            **{c._meta.name: v for c, v in values.items()},
        )
    )
    return "closed" if older else "created"
