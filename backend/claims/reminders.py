"""Insurance expiry reminders, raised by the dispatcher (``zhucun dispatch``)."""

from __future__ import annotations

import datetime as dt

from backend.claims.tables import InsurancePolicy
from backend.notify.reminders import InsuranceExpiry, remind_insurance_expiry

__all__ = ["EXPIRY_WINDOW_DAYS", "insurance_expiry"]

#: Cadres hear about a policy lapsing within this many days (issue: "expiry within 30 days").
EXPIRY_WINDOW_DAYS = 30


async def insurance_expiry(today: dt.date) -> int:
    """Remind each cadre whose policy ends within the window and is not already renewed."""
    ending = await InsurancePolicy.select().where(
        InsurancePolicy.end_date >= today,
        InsurancePolicy.end_date <= today + dt.timedelta(days=EXPIRY_WINDOW_DAYS))
    if not ending:
        return 0
    renewals = await InsurancePolicy.select(InsurancePolicy.cadre_id,
                                            InsurancePolicy.start_date).where(
        InsurancePolicy.cadre_id.is_in(list({r["cadre_id"] for r in ending})),
        InsurancePolicy.start_date > today)
    items = [
        InsuranceExpiry(cadre_id=r["cadre_id"], policy_id=str(r["id"]),
                        expires_on=r["end_date"], village_code=r["village_code"],
                        county_code=r["county_code"], link="#/claims")
        for r in ending
        if not any(n["cadre_id"] == r["cadre_id"]
                   and n["start_date"] <= r["end_date"] + dt.timedelta(days=1)
                   for n in renewals)
    ]
    return await remind_insurance_expiry(items, today)
