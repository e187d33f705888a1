"""The month-end presence reminder, raised by the dispatcher (``zhucun dispatch``)."""

from __future__ import annotations

import datetime as dt

from backend.accounts import services as accounts
from backend.fieldwork.summary import submitted_owners
from backend.notify.reminders import month_end_due, remind_unsubmitted

__all__ = ["remind_unsubmitted_sheets"]


async def remind_unsubmitted_sheets(today: dt.date) -> int:
    """In the last days of a month: each cadre with an active posting and no submitted
    sheet hears it once (the latest posting names the village)."""
    month = month_end_due(today)
    if month is None:
        return 0
    done = await submitted_owners(month)
    latest = {p.cadre_id: p for p in await accounts.active_postings(today)
              if p.cadre_id not in done}
    return await remind_unsubmitted(
        [(cadre, p.village_code, p.county_code)
         for cadre, p in sorted(latest.items(), key=lambda kv: str(kv[0]))], month)
