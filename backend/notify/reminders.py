"""Scheduled reminders: inbox notices raised by the dispatcher loop, each at most once.

A reminder is an ordinary notice (inbox row plus pushes) whose ``dedupe_key`` makes raising it
again a no-op, so the loop may run as often as it likes and several dispatchers may run at once.

Sources are registered by name (``register_reminder_source``) where the app is wired
(``reminders`` in each capability's manifest, ``capability.py``), so that notify imports no
other capability's code:

- ``presence_month_end`` (here): on the last 3 days of a month, each cadre with an active
  posting whose month sheet is not submitted hears about it once.
- ``insurance_expiry``: the claims capability finds the policies about to lapse and hands them
  to ``remind_insurance_expiry``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass

from backend.core.clock import local_date
from backend.core.db import write_transaction
from backend.notify.messages import Reminders
from backend.notify.services import Notice, write_notices
from backend.notify.tables import InboxItem

__all__ = [
    "MONTH_END_DAYS",
    "InsuranceExpiry",
    "ReminderSource",
    "insurance_expiry_notice",
    "month_end_due",
    "presence_reminder_notice",
    "raise_reminders",
    "register_reminder_source",
    "remind_insurance_expiry",
    "remind_unsubmitted",
]

log = logging.getLogger("zhucun.reminders")

#: The reminder comes on the last this-many days of the month.
MONTH_END_DAYS = 3
#: Notices written per transaction (a province has tens of thousands of cadres).
_CHUNK = 500

#: ``source(today)`` raises its reminders for the Shanghai date ``today``; answers how many
#: notices were new.
ReminderSource = Callable[[dt.date], Awaitable[int]]

_sources: dict[str, ReminderSource] = {}


def register_reminder_source(name: str, source: ReminderSource) -> None:
    """Have the dispatcher raise ``source``'s reminders (again registering a name replaces)."""
    _sources[name] = source


async def raise_reminders(today: dt.date | None = None) -> dict[str, int]:
    """Run every registered source; one that fails is logged and the others still run."""
    today = today or local_date()
    raised: dict[str, int] = {}
    for name, source in list(_sources.items()):
        try:
            raised[name] = await source(today)
        except Exception:
            log.exception("reminder source %s failed", name)
    return raised


async def _write_once(notices: Sequence[Notice]) -> int:
    """Write the notices whose dedupe key is new, in chunks; the unique key is the guarantee,
    the pre-check only spares the work of rewriting what a previous run wrote."""
    keys = [n.dedupe_key for n in notices if n.dedupe_key]
    seen: set[str] = set()
    for start in range(0, len(keys), _CHUNK):
        rows = await InboxItem.select(InboxItem.dedupe_key).where(
            InboxItem.dedupe_key.is_in(keys[start : start + _CHUNK]))
        seen.update(r["dedupe_key"] for r in rows)
    todo = [n for n in notices if n.dedupe_key not in seen]
    written = 0
    for start in range(0, len(todo), _CHUNK):
        async with write_transaction(InboxItem._meta.db):
            written += await write_notices(todo[start : start + _CHUNK])
    return written


# --- 驻村天数报告单: the month-end reminder ---------------------------------------------------


def month_end_due(today: dt.date) -> dt.date | None:
    """The month (its first day) to remind about, when ``today`` is in its last 3 days."""
    last = calendar.monthrange(today.year, today.month)[1]
    return today.replace(day=1) if last - today.day < MONTH_END_DAYS else None


def presence_reminder_notice(cadre_id: uuid.UUID, month: dt.date, village_code: str,
                             county_code: str) -> Notice:
    label = f"{month:%Y-%m}"
    return Notice(
        recipient_id=cadre_id, event="presence.reminder",
        title=Reminders.presence_title.fill(month=label), body=Reminders.presence_body,
        link=f"#/month/{label}", object_kind="presence_sheet", village_code=village_code,
        county_code=county_code, dedupe_key=f"presence.month_end:{label}:{cadre_id}",
    )


async def remind_unsubmitted(cadres: Iterable[tuple[uuid.UUID, str, str]],
                             month: dt.date) -> int:
    """The plug for field work: one month-end reminder per (cadre, village, county), once."""
    return await _write_once([presence_reminder_notice(c, month, v, k) for c, v, k in cadres])


# --- 意外伤害保险: insurance expiry, found by the claims capability -----------------------------


@dataclass(frozen=True)
class InsuranceExpiry:
    """A cadre's accident insurance that lapses soon (a gap in cover must not go unnoticed)."""

    cadre_id: uuid.UUID
    #: The policy (or claims record) id; one reminder per policy and expiry date.
    policy_id: str
    expires_on: dt.date
    village_code: str = ""
    county_code: str = ""
    #: The PWA route that shows the policy.
    link: str = "#/claims"


def insurance_expiry_notice(item: InsuranceExpiry, today: dt.date) -> Notice:
    days = (item.expires_on - today).days
    body = Reminders.insurance_body_in_days if days > 0 else Reminders.insurance_body
    return Notice(
        recipient_id=item.cadre_id, event="insurance.expiring",
        title=Reminders.insurance_title,
        body=body.fill(expires_on=f"{item.expires_on:%Y-%m-%d}", days=days),
        link=item.link, object_kind="insurance", object_id=item.policy_id[:64],
        village_code=item.village_code, county_code=item.county_code,
        dedupe_key=f"insurance.expiry:{item.expires_on:%Y-%m-%d}:{item.policy_id}"[:120],
    )


async def remind_insurance_expiry(items: Iterable[InsuranceExpiry],
                                  today: dt.date | None = None) -> int:
    """The plug for claims: write one reminder per policy and expiry date (again: no-op).

    Claims decides which policies are due (for example lapsing within 30 days) and registers
    a source that calls this, in its manifest (``backend/claims/capability.py``)::

        async def insurance_reminders(today):
            return await remind_insurance_expiry(await policies_lapsing(today), today)

        reminders={"insurance_expiry": insurance_reminders}
    """
    today = today or local_date()
    return await _write_once([insurance_expiry_notice(i, today) for i in items])
