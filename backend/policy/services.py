"""Policy settings over the database: the values in force, their versions, editing them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from backend.accounts import services as accounts
from backend.audit import services as audit
from backend.core.cache import Slot
from backend.core.clock import utc_now
from backend.core.db import write_transaction
from backend.core.errors import Conflict, Forbidden, NotFound
from backend.core.ids import new_id
from backend.core.money import fen_to_yuan
from backend.policy.schemas import PolicyIn, PolicyOut
from backend.policy.tables import PolicySetting

if TYPE_CHECKING:
    from backend.core.cache import RequestCache
    from backend.core.context import RequestContext
    from backend.core.scope import Scope

__all__ = [
    "DEFAULTS",
    "Policy",
    "cached_policy",
    "policy_for",
    "policy_history",
    "read_policy",
    "set_policy",
]


@dataclass(frozen=True)
class Policy:
    """The settings of a county for a year; version 0 is the defaults (domain.md,
    "Default settings"): 60.00 yuan a day, 4 round trips a month, 1.80 yuan/km, K = 2.5,
    township leave limit 3 days, 20 village days a month and 200 a year; surveys warned when
    they ask the same households again within 30 days."""

    county_code: str = ""
    year: int = 0
    version: int = 0
    subsidy_daily_fen: int = 6000
    round_trips_per_month: int = 4
    car_fen_per_km: int = 180
    road_factor_x100: int = 250
    leave_limit_days: int = 3
    min_days_month: int = 20
    min_days_year: int = 200
    survey_repeat_days: int = 30
    note: str = ""
    changed_by: Any = None
    changed_at: dt.datetime | None = None

    @property
    def road_factor(self) -> Decimal:
        return Decimal(self.road_factor_x100) / 100


DEFAULTS = Policy()
_COLUMNS = [f.name for f in fields(Policy)]
#: The settings in force by (county, year), read once per request.
_IN_FORCE: Slot[tuple[str, int], Policy] = Slot("policies")


def _from_row(row: dict[str, Any]) -> Policy:
    return Policy(**{name: row[name] for name in _COLUMNS})


async def policy_for(county_code: str, year: int) -> Policy:
    """The settings in force for a county and year: its latest version, else the defaults."""
    row = (
        await PolicySetting.select()
        .where(PolicySetting.county_code == county_code, PolicySetting.year == year)
        .order_by(PolicySetting.version, ascending=False)
        .first()
    )
    return _from_row(row) if row else replace(DEFAULTS, county_code=county_code, year=year)


async def cached_policy(cache: RequestCache, county_code: str, year: int) -> Policy:
    """``policy_for``, read once per request (a push batch, a list of sheets)."""
    return await cache.get(_IN_FORCE, (county_code, year), lambda: policy_for(county_code, year))


def _out(p: Policy, names: dict[Any, str] | None = None) -> PolicyOut:
    return PolicyOut(
        county_code=p.county_code,
        year=p.year,
        version=p.version,
        subsidy_daily_fen=p.subsidy_daily_fen,
        subsidy_daily_yuan=fen_to_yuan(p.subsidy_daily_fen),
        round_trips_per_month=p.round_trips_per_month,
        car_fen_per_km=p.car_fen_per_km,
        car_yuan_per_km=fen_to_yuan(p.car_fen_per_km),
        road_factor=float(p.road_factor),
        leave_limit_days=p.leave_limit_days,
        min_days_month=p.min_days_month,
        min_days_year=p.min_days_year,
        survey_repeat_days=p.survey_repeat_days,
        note=p.note,
        changed_by=p.changed_by,
        changed_by_name=(names or {}).get(p.changed_by, ""),
        changed_at=p.changed_at,
    )


def _sees_county(scope: Scope, county_code: str) -> bool:
    """Everyone who works in the county reads its settings: they decide their own money."""
    return county_code in scope.counties or any(
        v.startswith(county_code) for v in scope.own_villages | scope.review_villages
    )


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise NotFound()


async def read_policy(scope: Scope, county_code: str, year: int) -> PolicyOut:
    _check_year(year)
    if not _sees_county(scope, county_code):
        raise NotFound("unknown_division", code=county_code)
    return _out(await policy_for(county_code, year))


async def policy_history(scope: Scope, county_code: str, year: int) -> list[PolicyOut]:
    """Every version of the year's settings, newest first (the defaults are version 0)."""
    _check_year(year)
    if not _sees_county(scope, county_code):
        raise NotFound("unknown_division", code=county_code)
    rows = (
        await PolicySetting.select()
        .where(PolicySetting.county_code == county_code, PolicySetting.year == year)
        .order_by(PolicySetting.version, ascending=False)
    )
    names = await accounts.user_names({r["changed_by"] for r in rows if r["changed_by"]})
    return [_out(_from_row(r), names) for r in rows]


async def set_policy(
    ctx: RequestContext, scope: Scope, county_code: str, year: int, data: PolicyIn
) -> PolicyOut:
    """Save a new version (county admin). Claims keep the values they were computed with."""
    _check_year(year)
    if not _sees_county(scope, county_code):
        raise NotFound("unknown_division", code=county_code)
    if county_code not in scope.admin_counties:
        raise Forbidden()
    values: dict[str, Any] = {
        "subsidy_daily_fen": data.subsidy_daily_fen,
        "round_trips_per_month": data.round_trips_per_month,
        "car_fen_per_km": data.car_fen_per_km,
        "road_factor_x100": int(data.road_factor * 100),
        "leave_limit_days": data.leave_limit_days,
        "min_days_month": data.min_days_month,
        "min_days_year": data.min_days_year,
        "survey_repeat_days": data.survey_repeat_days,
        "note": data.note,
    }
    async with write_transaction(PolicySetting._meta.db):
        before = await policy_for(county_code, year)
        if before.version != data.version:
            raise Conflict()
        # The unique (county, year, version) index makes a concurrent save of the same
        # version insert nothing: exactly one admin wins.
        done = (
            await PolicySetting.insert(
                PolicySetting(
                    id=new_id(),
                    county_code=county_code,
                    year=year,
                    version=data.version + 1,
                    changed_by=scope.user_id,
                    changed_at=utc_now(),
                    **values,
                )
            )
            .on_conflict(action="DO NOTHING")
            .returning(PolicySetting.id)
        )
        if not done:
            raise Conflict()
        await audit.record(
            ctx,
            "policy.changed",
            "policy",
            f"{county_code}/{year}",
            county_code=county_code,
            before={k: getattr(before, k) for k in values} | {"version": before.version},
            after=values | {"version": data.version + 1},
            reason=data.note or None,
        )
    return _out(await policy_for(county_code, year))
