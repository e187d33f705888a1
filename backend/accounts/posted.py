"""任职期: whether a dated record falls inside the cadre's posting to its village.

A record dated outside every posting of its author to the village (a presence day, a log, a
leave, a trip) would be stored where no month view shows it; it is refused instead, with a
reason that names the posting's dates so that the cadre can correct the date.

Example:
    >>> periods = [(dt.date(2025, 1, 1), dt.date(2025, 6, 30)), (dt.date(2026, 1, 1), None)]
    >>> covered(periods, dt.date(2025, 9, 1)), covered(periods, dt.date(2026, 3, 1))
    (False, True)
    >>> periods_text(periods)
    ('2025-01-01 至 2025-06-30；2026-01-01 至今', '2025-01-01 to 2025-06-30; 2026-01-01 onwards')
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from backend.accounts.tables import Posting
from backend.core.cache import ProcessCache, RequestCache, Slot
from backend.core.errors import FieldError, ValidationFailed
from backend.geo import services as geo

if TYPE_CHECKING:
    import uuid

    from backend.core.scope import Actor

__all__ = [
    "Period",
    "covered",
    "outside_posting",
    "own_village",
    "periods_text",
    "posting_periods",
]

#: A posting's first and last day (None: still posted).
Period = tuple[dt.date, dt.date | None]

_PERIODS: Slot[tuple[uuid.UUID, str], list[Period]] = Slot("posting_periods")
#: The same kept per process while postings do not change (triggers bump the version).
_KEPT_PERIODS: ProcessCache[tuple[uuid.UUID, str], list[Period]] = ProcessCache("posting periods")


def covered(periods: list[Period], day: dt.date) -> bool:
    """Whether some posting covers the day."""
    return any(start <= day and (end is None or day <= end) for start, end in periods)


def periods_text(periods: list[Period]) -> tuple[str, str]:
    """The postings' dates in Chinese and English, oldest first."""
    zh = "；".join(f"{s.isoformat()} 至{' ' + e.isoformat() if e else '今'}" for s, e in periods)
    en = "; ".join(f"{s.isoformat()} {'to ' + e.isoformat() if e else 'onwards'}"
                   for s, e in periods)
    return zh or "无", en or "none"


async def posting_periods(
    cadre_id: uuid.UUID, village_code: str, cache: RequestCache | None = None
) -> list[Period]:
    """The cadre's postings to the village, oldest first (with a request's cache: kept per
    request and per process)."""

    async def load() -> list[Period]:
        rows = await Posting.select(Posting.start_date, Posting.end_date).where(
            Posting.cadre == cadre_id, Posting.village_code == village_code
        ).order_by(Posting.start_date)
        return [(r["start_date"], r["end_date"]) for r in rows]

    if cache is None:
        return await load()
    key = (cadre_id, village_code)
    return await cache.get(_PERIODS, key, lambda: _KEPT_PERIODS.get(key, load))


async def outside_posting(
    actor: Actor, village_code: str, days: dict[str, dt.date]
) -> list[FieldError]:
    """A field error, naming the postings' dates, for each day outside every posting."""
    periods = await posting_periods(actor.user_id, village_code, actor.cache)
    outside = [name for name, day in days.items() if not covered(periods, day)]
    if not outside:
        return []
    zh, en = periods_text(periods)
    return [
        FieldError(name, "outside_posting", {"postings_zh": zh, "postings_en": en})
        for name in outside
    ]


async def own_village(actor: Actor, code: str) -> geo.VillageInfo:
    """A village the caller is posted to, for a record they make there (cached per request).

    Refused, on the field ``village_code``, when the caller is not posted there
    (``out_of_scope``) and when no current village has that code (``unknown_division``)."""
    if code not in actor.scope.own_villages:
        raise ValidationFailed(errors=[FieldError("village_code", "out_of_scope")])
    village = await geo.cached_village(actor.cache, code)
    if village is None:
        raise ValidationFailed(errors=[FieldError("village_code", "unknown_division")])
    return village
