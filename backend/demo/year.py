"""A full previous year for the demo county, so that a quota run has seats out of the box.

The cadres of 云岭乡, 清水乡, 龙潭镇 and 岩脚乡 were posted on the first of January of the
previous year (a few on the first of July); each of their months of that year was submitted
and confirmed by the township, with a few work logs and a heart-to-heart talk. Most reach
the year's minimum; every seventh does not, and one was found absent by an inspection, so
the eligibility list shows every kind of reason. 青山镇 and 石桥镇 are left untouched (the
browser tests start from their empty months).

Rows are written in bulk (one insert per table), which keeps ``zhucun seed-demo`` fast; the
values are the ones the services would have written (frozen days, village days, reviewer and
times). They are history: they carry no change number, so sync does not send a year of every
cadre's records to each phone of the county (eligibility, dossiers and the dashboard read them
on the server).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import Any

from backend.accounts import services as accounts
from backend.claims import insurance
from backend.commendation import services as commendation
from backend.commendation.schemas import InspectionIn
from backend.core.canonical import content_hash
from backend.core.clock import local_date
from backend.core.context import RequestContext
from backend.core.db import write_transaction
from backend.fieldwork import rules
from backend.fieldwork.tables import Household, PresenceSheet, Talk, WorkLog

__all__ = ["YEAR_TOWNSHIPS", "demo_year", "posting_start", "seed_previous_year"]

#: Townships whose cadres have the previous year on record (云岭乡, 清水乡, 龙潭镇, 岩脚乡).
YEAR_TOWNSHIPS = ("003", "004", "005", "006")
_SHORT_EVERY = 7  # every seventh cadre confirmed too few days
_LATE_EVERY = 9  # every ninth cadre posted on the first of July (a prorated minimum)
_KINDS = ["visit", "visit", "meeting", "project", "training", "duty", "mediation"]
_TEXTS = {
    "visit": "入户走访，核实家庭收入和务工情况",
    "meeting": "参加村两委会议，研究集体经济项目",
    "project": "到产业基地查看项目进度",
    "training": "参加县里组织的乡村振兴培训",
    "duty": "村委会值班，接待来访群众",
    "mediation": "调解邻里纠纷，双方达成一致",
}


def demo_year() -> int:
    """The previous calendar year, from the clock (Asia/Shanghai)."""
    return local_date().year - 1


def posting_start(serial: int, township_suffix: str, default: dt.date) -> dt.date:
    """When the demo cadre with phone 139<serial> was posted."""
    if township_suffix not in YEAR_TOWNSHIPS:
        return default
    return dt.date(demo_year(), 7 if serial % _LATE_EVERY == 0 else 1, 1)


def _utc(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)


def _month_rows(rng: random.Random, cadre: dict[str, Any], month: dt.date, short: bool,
                households: list[uuid.UUID]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One confirmed sheet and its work logs, as the services would have stored them."""
    dates = rules.days_of_month(month)
    wanted = rng.randint(11, 14) if short else rng.randint(18, 23)
    village_days = set(rng.sample(dates, min(wanted, len(dates))))
    logged = set(rng.sample(sorted(village_days), min(4, len(village_days))))
    logs, days = [], []
    for day in dates:
        if day in logged:
            kind = rng.choice(_KINDS)
            met = rng.sample(households, 2) if kind == "visit" and len(households) >= 2 else []
            data = {"village_code": cadre["village_code"], "date": day.isoformat(), "kind": kind,
                    "text": _TEXTS[kind], "household_ids": [str(h) for h in met],
                    "location": None, "evidence": []}
            logs.append({"id": uuid.UUID(int=rng.getrandbits(128), version=4), "date": day,
                         "kind": kind, "text": data["text"], "household_ids": data["household_ids"],
                         "content_hash": content_hash({"kind": "work_log", "data": data})})
            days.append(rules.DayDraft(day, "in_village", "drafted", 1))
        elif day in village_days:
            status = "official_business" if rng.random() < 0.1 else "in_village"
            days.append(rules.DayDraft(day, status, "stated", 0))
        else:
            days.append(rules.DayDraft(day, None, "none", 0))
    counts = rules.count_days(days)
    sheet = {"month": month, "village_days": counts.village_days,
             "leave_days": counts.leave_days, "away_days": counts.away_days,
             "days": [{"date": d.date.isoformat(), "status": d.status, "source": d.source,
                       "logs": d.logs, "note": d.note} for d in days]}
    return sheet, logs


async def _cover_earlier_postings(ctx: RequestContext, county: str,
                                  cadres: list[dict[str, Any]]) -> None:
    """The insured cadres (all but every tenth) were covered from their posting's first day."""
    from backend.demo.activity import POLICY_START, demo_actor

    lines = ["手机号,保险公司,保单号,保险金额,起保日期,止保日期"]
    for c in cadres:
        if c["serial"] % 10 and c["start"] < POLICY_START:
            lines.append(f"139{c['serial']:08d},中国人民财产保险,PICC-{c['start'].year}-001,"
                         f"500000,{c['start']},{POLICY_START - dt.timedelta(days=1)}")
    if len(lines) > 1:
        admin = await demo_actor("13800000001")
        await insurance.import_policies(ctx, admin.scope, county, "\n".join(lines) + "\n")


async def _ids_by_phone(phones: list[str]) -> dict[str, uuid.UUID]:
    return {phone: user[0] for phone, user in (await accounts.users_by_phone(phones)).items()}


async def seed_previous_year(ctx: RequestContext, county: str,
                             cadres: list[dict[str, Any]]) -> None:
    """Confirmed months, logs and a talk for ``cadres`` ({serial, id, village_code, start}).

    One cadre of 岩脚乡 is then found absent by the county's inspection.
    """
    year = demo_year()
    rng = random.Random(2025)  # the same demo figures whatever the year
    reviewers = await _ids_by_phone([f"1380000010{i}" for i in range(1, 7)])
    households: dict[str, list[uuid.UUID]] = {}
    for r in await Household.select(Household.id, Household.village_code).where(
            Household.county_code == county):
        households.setdefault(r["village_code"], []).append(r["id"])
    sheets: list[PresenceSheet] = []
    logs: list[WorkLog] = []
    talks: list[Talk] = []
    for c in cadres:
        reviewer = reviewers[f"1380000010{int(c['village_code'][6:9])}"]
        short = c["serial"] % _SHORT_EVERY == 0
        for m in range(c["start"].month, 13):
            month = dt.date(year, m, 1)
            decided = dt.date(year + (m == 12), m % 12 + 1, 3)
            sheet, month_logs = _month_rows(rng, c, month, short,
                                            sorted(households.get(c["village_code"], [])))
            sheets.append(PresenceSheet(
                id=uuid.UUID(int=rng.getrandbits(128), version=4), owner_id=c["id"],
                village_code=c["village_code"], county_code=county, version=3,
                content_hash="", created_at=_utc(decided, 1), updated_at=_utc(decided, 2),
                state="confirmed", submitted_at=_utc(decided, 1), decided_at=_utc(decided, 2),
                decided_by=reviewer, **sheet))
            logs.extend(WorkLog(
                owner_id=c["id"], village_code=c["village_code"], county_code=county,
                version=1, created_at=_utc(x["date"], 10), updated_at=_utc(x["date"], 10),
                household_ids=x["household_ids"], evidence=[], flags=[], **{
                    k: x[k] for k in ("id", "date", "kind", "text", "content_hash")})
                for x in month_logs)
        talked = dt.date(year, rng.randint(c["start"].month, 11), rng.randint(1, 28))
        talks.append(Talk(id=uuid.UUID(int=rng.getrandbits(128), version=4), cadre_id=c["id"],
                          village_code=c["village_code"], county_code=county, date=talked,
                          talked_by=reviewer, summary="谈工作进展和生活困难，鼓励安心驻村",
                          created_at=_utc(talked, 8)))
    async with write_transaction(PresenceSheet._meta.db):
        for table, rows in ((PresenceSheet, sheets), (WorkLog, logs), (Talk, talks)):
            for start in range(0, len(rows), 500):
                await table.insert(*rows[start:start + 500])
    await _cover_earlier_postings(ctx, county, cadres)
    absent = next(c for c in cadres if c["village_code"][6:9] == "006"
                  and c["serial"] % _SHORT_EVERY and c["start"].month == 1)
    from backend.demo.activity import demo_actor

    await commendation.record_inspection(ctx, await demo_actor("13800000001"), InspectionIn(
        cadre_id=absent["id"], date=dt.date(year, 9, 17), finding="unexcused_absence",
        note="县委组织部抽查，工作日不在岗且未请假"))
