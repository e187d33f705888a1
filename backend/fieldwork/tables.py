"""What field work stores. Records a cadre makes offline carry the sync columns."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    UUID,
    BigSerial,
    Boolean,
    Date,
    DoublePrecision,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from backend.sync.tables import SyncedColumns

__all__ = [
    "DAY_STATUSES",
    "LOG_KINDS",
    "Household",
    "LeaveRequest",
    "PresenceDay",
    "PresenceSheet",
    "RollupVillage",
    "Talk",
    "TownshipMonth",
    "VillageMonthHouseholds",
    "VillageMonthLogs",
    "VillageMonthSheets",
    "WorkLog",
]

#: 走访, 会议, 项目, 培训, 值班, 调解, 其他.
LOG_KINDS = ("visit", "meeting", "project", "training", "duty", "mediation", "other")
#: In the village; on official business outside (counts as a village day); on leave; away.
DAY_STATUSES = ("in_village", "official_business", "leave", "away")


class Household(SyncedColumns, Table, tablename="fieldwork_household"):
    """农户: reference data of a village, imported by the township or county.

    ``external_id`` is the household number of the village register (户编号), unique per village.
    """

    external_id = Varchar(length=40)
    head_name = Varchar(length=50)
    members = Integer(default=1)
    group_name = Varchar(length=50, default="")
    #: e.g. ["脱贫户", "监测户"].
    tags = JSON(default=[])


class WorkLog(SyncedColumns, Table, tablename="fieldwork_work_log"):
    """工作日志 / 民情日记: a dated entry of what was done, with optional location and photos."""

    date = Date(index=True)
    kind = Varchar(length=12)
    text = Text()
    household_ids = JSON(default=[])
    loc_lat = DoublePrecision(null=True, default=None)
    loc_lon = DoublePrecision(null=True, default=None)
    loc_accuracy_m = DoublePrecision(null=True, default=None)
    loc_captured_at = Timestamptz(null=True, default=None)
    evidence = JSON(default=[])
    #: Verification flags ({code, detail, params}); inform a reviewer, never block anything.
    flags = JSON(default=[])


class PresenceDay(SyncedColumns, Table, tablename="fieldwork_presence_day"):
    """One day of a cadre as they state it (a day without a row is drafted from the logs).

    Unique on (owner_id, date).
    """

    date = Date(index=True)
    status = Varchar(length=20)
    note = Varchar(length=200, default="")


class PresenceSheet(SyncedColumns, Table, tablename="fieldwork_presence_sheet"):
    """驻村天数报告单: one cadre's month, submitted by the cadre and confirmed by the township.

    ``state``: draft → submitted → confirmed, or returned (with a reason) → submitted again.
    On confirmation the days are frozen into ``days`` and counted into ``village_days``, which
    drive the living subsidy and commendation eligibility. Unique on (owner_id, month).
    ``version`` moves with every transition, so two reviewers acting at once: one wins.
    """

    #: First day of the month.
    month = Date(index=True)
    state = Varchar(length=12, default="draft")
    days = JSON(default=[])
    village_days = Integer(default=0)
    leave_days = Integer(default=0)
    away_days = Integer(default=0)
    return_reason = Text(null=True, default=None)
    submitted_at = Timestamptz(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    decided_by = UUID(null=True, default=None)


class LeaveRequest(SyncedColumns, Table, tablename="fieldwork_leave_request"):
    """请假: requested offline by the cadre; the township decides up to its limit, the county above.

    ``state``: pending → approved | rejected; the cadre may cancel while pending.
    """

    start_date = Date()
    end_date = Date()
    days = Integer()
    reason = Text()
    state = Varchar(length=12, default="pending")
    decider_level = Varchar(length=10, default="township")
    decided_by = UUID(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    decision_note = Text(null=True, default=None)


class Talk(Table, tablename="fieldwork_talk"):
    """谈心谈话: at least one a year per cadre, recorded by the township."""

    id = UUID(primary_key=True)
    cadre_id = UUID(index=True)
    village_code = Varchar(length=12, index=True)
    county_code = Varchar(length=6, index=True)
    date = Date()
    talked_by = UUID()
    summary = Text()
    created_at = Timestamptz()


class VillageMonthLogs(Table, tablename="fieldwork_village_month_logs"):
    """Rollup for dashboards: a village's logs of one kind in one month (not deleted), and
    how many of them carry flags. Database triggers on ``fieldwork_work_log`` append +1 / -1
    rows in the writing transaction (never stale, never a lock between writers); readers add
    them up per (village_code, month, kind) and fold them from time to time."""

    #: 64-bit: every write and fold takes new ids (migration of 4 Dec 18:00).
    id = BigSerial(primary_key=True)

    village_code = Varchar(length=12)
    county_code = Varchar(length=6)
    #: First day of the month.
    month = Date()
    kind = Varchar(length=12)
    logs = Integer(default=0)
    flagged = Integer(default=0)
    #: Appended by a trigger and not yet folded into the key's one folded row.
    pending = Boolean(default=True)


class VillageMonthHouseholds(Table, tablename="fieldwork_village_month_households"):
    """Rollup: how many of a village's logs of one month name a household (a sum > 0:
    visited). Appended by triggers like ``VillageMonthLogs``, per (village_code, month,
    household_id)."""

    #: 64-bit: every write and fold takes new ids (migration of 4 Dec 18:00).
    id = BigSerial(primary_key=True)

    village_code = Varchar(length=12)
    county_code = Varchar(length=6)
    month = Date()
    household_id = Varchar(length=64)
    logs = Integer(default=0)
    #: Appended by a trigger and not yet folded into the key's one folded row.
    pending = Boolean(default=True)


class VillageMonthSheets(Table, tablename="fieldwork_village_month_sheets"):
    """Rollup: presence sheets of a village's cadres for one month by state, and the village
    days they count. Appended by triggers on ``fieldwork_presence_sheet``, per
    (village_code, month, state)."""

    #: 64-bit: every write and fold takes new ids (migration of 4 Dec 18:00).
    id = BigSerial(primary_key=True)

    village_code = Varchar(length=12)
    county_code = Varchar(length=6)
    month = Date()
    state = Varchar(length=12)
    sheets = Integer(default=0)
    village_days = Integer(default=0)
    #: Appended by a trigger and not yet folded into the key's one folded row.
    pending = Boolean(default=True)


class TownshipMonth(Table, tablename="fieldwork_township_month"):
    """Rollup for the dashboard's trend: a township's logs (not deleted), flagged logs,
    confirmed presence sheets and their village days in one month. The township is the
    village code's first nine digits (its township under the national code scheme); a read
    only needs the groups to split the villages, see ``RollupVillage``. Appended by the
    triggers of ``VillageMonthLogs`` and ``VillageMonthSheets`` in the writing transaction,
    per (county_code, month, township_code), and folded like them: a county's 12-month
    trend adds up a few hundred rows, not every village's."""

    #: 64-bit: every write and fold takes new ids (migration of 4 Dec 18:00).
    id = BigSerial(primary_key=True)

    county_code = Varchar(length=6)
    township_code = Varchar(length=9)
    #: First day of the month.
    month = Date()
    logs = Integer(default=0)
    flagged = Integer(default=0)
    #: Confirmed presence sheets, and the village days they count.
    sheets = Integer(default=0)
    village_days = Integer(default=0)
    #: Appended by a trigger and not yet folded into the key's one folded row.
    pending = Boolean(default=True)


class RollupVillage(Table, tablename="fieldwork_rollup_village"):
    """Every village that has (or had) a row in ``TownshipMonth``'s sums, with its county and
    township, listed by the same triggers (never removed). No unique key, so that a writer
    never waits for another to list the same new village (two such writers at once both list
    it). A read may take a township's rows only when every village listed under it is among
    the villages asked for; the others are added up from the per-village rollups."""

    #: 64-bit: every write and fold takes new ids (migration of 4 Dec 18:00).
    id = BigSerial(primary_key=True)

    county_code = Varchar(length=6)
    township_code = Varchar(length=9)
    village_code = Varchar(length=12)
