"""What other capabilities read of field work: confirmed days and a cadre's year, as values.

Commendation (eligibility, dossiers) and dashboards read field work only through here.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from backend.core.canonical import dumps, loads
from backend.core.db import fetch, fetch_planned, is_postgres, write_transaction
from backend.fieldwork.tables import Household, LeaveRequest, PresenceSheet, Talk, WorkLog

if TYPE_CHECKING:
    from collections.abc import Collection

    from backend.core.scope import Scope

__all__ = [
    "CadreYear",
    "VillageFigures",
    "VillageStats",
    "cadre_year",
    "confirmed_days",
    "fold_rollups",
    "monthly_trend_naive",
    "submitted_owners",
    "village_figures",
    "village_stats_naive",
]


async def confirmed_days(cadre_ids: list[uuid.UUID], year: int) -> dict[uuid.UUID, int]:
    """Village days of each cadre's months confirmed by the township in ``year``."""
    if not cadre_ids:
        return {}
    rows = await PresenceSheet.select(PresenceSheet.owner_id, PresenceSheet.village_days).where(
        PresenceSheet.owner_id.is_in(cadre_ids), PresenceSheet.state == "confirmed",
        PresenceSheet.month >= dt.date(year, 1, 1), PresenceSheet.month <= dt.date(year, 12, 1))
    totals: dict[uuid.UUID, int] = dict.fromkeys(cadre_ids, 0)
    for r in rows:
        totals[r["owner_id"]] += r["village_days"]
    return totals


@dataclass
class CadreYear:
    """A cadre's recorded year, assembled from what was already entered (never typed again)."""

    confirmed_by_month: dict[str, int] = field(default_factory=dict)
    logs_by_kind: dict[str, int] = field(default_factory=dict)
    households_visited: int = 0
    households_in_village: int = 0
    photos: int = 0
    flagged_logs: int = 0
    flags_by_code: dict[str, int] = field(default_factory=dict)
    talks: list[tuple[dt.date, str]] = field(default_factory=list)
    approved_leave: list[tuple[dt.date, dt.date, int]] = field(default_factory=list)

    @property
    def confirmed_days(self) -> int:
        return sum(self.confirmed_by_month.values())

    @property
    def coverage(self) -> float:
        """Share of the village's households visited at least once."""
        if not self.households_in_village:
            return 0.0
        return self.households_visited / self.households_in_village


async def cadre_year(
    cadre_id: uuid.UUID, village_code: str, year: int, *, scope: Scope | None = None
) -> CadreYear:
    """One cadre's year; with ``scope``, talk summaries recorded outside it stay out."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    out = CadreYear()
    for r in await PresenceSheet.select(PresenceSheet.month, PresenceSheet.village_days).where(
        PresenceSheet.owner_id == cadre_id, PresenceSheet.state == "confirmed",
        PresenceSheet.month >= start, PresenceSheet.month <= end,
    ).order_by(PresenceSheet.month):
        out.confirmed_by_month[r["month"].strftime("%Y-%m")] = r["village_days"]
    logs = await WorkLog.select(WorkLog.kind, WorkLog.household_ids, WorkLog.evidence,
                                WorkLog.flags).where(
        WorkLog.owner_id == cadre_id, WorkLog.date >= start, WorkLog.date <= end,
        WorkLog.deleted.eq(False))
    kinds: Counter[str] = Counter()
    codes: Counter[str] = Counter()
    visited: set[str] = set()
    for log in logs:
        kinds[log["kind"]] += 1
        visited.update(loads(log["household_ids"]) or [])
        out.photos += len(loads(log["evidence"]) or [])
        flags = loads(log["flags"]) or []
        out.flagged_logs += bool(flags)
        codes.update(f["code"] for f in flags)
    out.logs_by_kind = dict(sorted(kinds.items()))
    out.flags_by_code = dict(sorted(codes.items()))
    village_households = {str(r["id"]) for r in await Household.select(Household.id).where(
        Household.village_code == village_code, Household.deleted.eq(False))}
    out.households_in_village = len(village_households)
    out.households_visited = len(visited & village_households)
    talks = Talk.select(Talk.date, Talk.summary).where(
        Talk.cadre_id == cadre_id, Talk.date >= start, Talk.date <= end)
    if scope is not None:
        talks = talks.where(scope.where(village=Talk.village_code, county=Talk.county_code,
                                        owner=Talk.cadre_id))
    out.talks = [(r["date"], r["summary"]) for r in await talks.order_by(Talk.date)]
    out.approved_leave = [(r["start_date"], r["end_date"], r["days"]) for r in
                          await LeaveRequest.select(LeaveRequest.start_date,
                                                    LeaveRequest.end_date, LeaveRequest.days)
                          .where(LeaveRequest.owner_id == cadre_id,
                                 LeaveRequest.state == "approved",
                                 LeaveRequest.start_date <= end, LeaveRequest.end_date >= start)
                          .order_by(LeaveRequest.start_date)]
    return out


@dataclass
class VillageStats:
    """One village's recorded work over a period (for dashboards)."""

    logs_by_kind: dict[str, int] = field(default_factory=dict)
    households_visited: int = 0
    flagged_logs: int = 0
    confirmed_days: int = 0
    sheets_confirmed: int = 0
    sheets_submitted: int = 0

    @property
    def logs(self) -> int:
        return sum(self.logs_by_kind.values())


def _counties(villages: list[str]) -> list[str]:
    """The counties of these villages (a village's code begins with its county's)."""
    return sorted({v[:6] for v in villages})


def _in_counties(villages: list[str]) -> tuple[str, list[Any]]:
    """Filter by the villages' counties: the (county_code, date) index serves a county-month
    in one range scan; rows of other villages are dropped after grouping (few rows)."""
    counties = _counties(villages)
    return f"county_code IN ({', '.join('{}' for _ in counties)})", counties


def _in_villages(engine: Any, column: str, villages: list[str]) -> tuple[str, Any]:
    """``column`` among ``villages`` (codes: digits, no comma), passed as one text value
    whatever their number. On PostgreSQL a text array (``= ANY``: a hashed filter on the
    index scan, in index order, or one index seek a code; a JSON list there was a hash
    semi-join and a sort, 3x slower for a county's 1,000 villages), made by
    ``string_to_array`` from the codes joined by commas: immutable, so a statement planned
    for its values (``fetch_planned``) gets a constant array as before, while asyncpg
    encodes one string instead of checking each of 1,000 codes against Python's abstract
    collection types, for each of the statement's five lists. On SQLite a JSON array."""
    from piccolo.engine.sqlite import SQLiteEngine

    if isinstance(engine, SQLiteEngine):
        return f"{column} IN (SELECT value FROM json_each({{}}))", dumps(villages)
    return f"{column} = ANY(string_to_array({{}}, ','))", ",".join(villages)


def _whole_months(start: dt.date, end: dt.date) -> bool:
    return start.day == 1 and (end + dt.timedelta(days=1)).day == 1


async def fold_rollups(villages: list[str]) -> None:
    """Fold the rollups of these villages' counties (see ``_fold``) when something is
    pending. ``village_figures`` does it after its read; this is for a county's first
    fold (all its rows appended by a load) and for tests."""
    marks = [(table, county) for table, _, _ in _ROLLUPS for county in _counties(villages)]
    if marks and (due := await _pending(WorkLog._meta.db, marks)):
        await _fold(sorted(due))


@dataclass
class VillageFigures:
    """What a dashboard shows of some villages: each one's period, and a trend per month."""

    villages: dict[str, VillageStats]
    #: Per month (YYYY-MM): logs, flagged logs and confirmed village days.
    trend: dict[str, dict[str, int]]


async def village_figures(villages: list[str], start: dt.date, end: dt.date,
                          trend_start: dt.date, *, whole_counties: Collection[str] = (),
                          ) -> VillageFigures:
    """Per village from ``start`` to ``end``: logs by kind, distinct households visited,
    flagged logs and confirmed days; per month from ``trend_start`` to ``end``, summed over
    the villages: logs, flagged logs and confirmed village days.

    ``whole_counties``: counties whose every village the caller may read and asks for (a
    county admin's own, no tier chosen). When the villages' counties are all among them, the
    period is read by county and month alone, without the list of villages (on PostgreSQL
    its estimate for each of the three parts cost more than the reading: about a third of
    the statement's CPU for a county's 1,000 villages), and the rows of a village not asked
    for (one off the map) are dropped here. The figures do not depend on it.

    Whole months are read from the rollups (kept by triggers in the writing transaction) in
    one statement, which also counts the counties' pending rows: the sums include them, so
    the figures are right before any fold, and the rollups are folded after the read only
    when something is pending (a read after no writes opens no write transaction). The
    period is read per village and month; the trend per township and month for each township
    whose listed villages are all asked for (a county's, a reviewer's townships), and per
    village for the villages asked for in any other township, by a second statement only
    when there are such villages. Any other period is counted from the logs.
    """
    if not (_whole_months(start, end) and _whole_months(trend_start, end)):
        return VillageFigures(await village_stats_naive(villages, start, end),
                              await monthly_trend_naive(villages, trend_start, end))
    out = {v: VillageStats() for v in villages}
    trend: dict[str, dict[str, int]] = {}
    if not villages:
        return VillageFigures(out, trend)
    engine = WorkLog._meta.db
    whole = set(_counties(villages)) <= set(whole_counties)
    sql, args = _figures_sql(engine, villages, start, end, trend_start, whole=whole)
    pending: list[tuple[str, str]] = []
    partial: list[str] = []
    # Planned for its values each time: PostgreSQL's generic plan cannot hash the villages'
    # array (unknown when planned) and compared each trend row with all 1,000 villages of a
    # county, 270–450 ms where the values' own plan took 20–30 (1,000,000 logs).
    for r in await fetch_planned(engine, sql, *args):
        part, code, key, a, b = (r["part"], r["code"], r["key"], int(r["a"] or 0),
                                 int(r["b"] or 0))
        if part == "pending":
            if a:
                pending.append((key, code))
        elif part == "partial":
            partial.append(key + code)
        elif part.startswith("trend_"):
            _add_trend(trend, part, key, a, b)
        elif code in out:
            _add_village(out[code], part, key, a, b)
    if partial:
        sql, args = _village_trend_sql(engine, villages, partial, trend_start, end)
        for r in await fetch_planned(engine, sql, *args):
            _add_trend(trend, r["part"], r["key"], int(r["a"] or 0), int(r["b"] or 0))
    if pending:
        await _fold(pending)
    return VillageFigures(out, dict(sorted(trend.items())))


def _add_trend(trend: dict[str, dict[str, int]], part: str, key: str, a: int, b: int) -> None:
    """One row of the trend (``trend_logs``: logs, flagged; ``trend_days``: village days)."""
    point = trend.setdefault(key[:7], {"logs": 0, "flagged_logs": 0, "confirmed_days": 0})
    if part == "trend_logs":
        point["logs"] += a
        point["flagged_logs"] += b
    else:
        point["confirmed_days"] += a


def _add_village(stats: VillageStats, part: str, key: str, a: int, b: int) -> None:
    """One row of ``_figures_sql`` about a village."""
    if part == "kind" and a > 0:
        stats.logs_by_kind[key] = stats.logs_by_kind.get(key, 0) + a
        stats.flagged_logs += b
    elif part == "visited":
        stats.households_visited = a
    elif part == "sheets" and key == "confirmed":
        stats.confirmed_days += b
        stats.sheets_confirmed += a
    elif part == "sheets" and key == "submitted":
        stats.sheets_submitted += a


def _months_in(start: dt.date, end: dt.date) -> tuple[str, list[dt.date]]:
    """The rollups' months from ``start`` to ``end`` (whole months): one month as an
    equality, so that an index of (county, month, village, …) can seek each village asked
    for (a township reviewer's few reads only theirs), more as a range."""
    if (start.year, start.month) == (end.year, end.month):
        return "month = {}", [start]
    return "month >= {} AND month <= {}", [start, end]


def _figures_sql(engine: Any, villages: list[str], start: dt.date, end: dt.date,
                 trend_start: dt.date, *, whole: bool = False) -> tuple[str, list[Any]]:
    """One statement of rows ``(part, code, key, a, b)``: the period per village and kind
    (logs, flagged), per village (households visited) and per village and state (sheets,
    village days); the trend per month (logs, flagged; village days, sheets) of the townships
    whose listed villages are all asked for (``covered``); the villages asked for in the
    other townships (``partial``: their trend is read per village, ``_village_trend_sql``);
    and each (rollup, county) pair's pending rows (``key`` the rollup, ``code`` the county).
    A ``partial`` row's ``code`` is the village, its ``key`` the county it is listed under.

    The period's parts read only the villages asked for (the scope cut in the statement,
    not after): for one month the ``…_read`` index seeks each of a township reviewer's
    villages; with ``whole`` (the villages' counties are the caller's whole, see
    ``village_figures``) they read the counties' month without the list. Logs and sheets are
    grouped per month too, in the index's order (no sort; the months are added up here);
    households cannot be (distinct across the months). A township's rows count every village
    listed under it (``RollupVillage``: whatever the triggers ever counted), so they are
    taken only when all of those are asked for; a village the list lacks has no rows. The
    list is read once (``listed``), each village marked asked for or not in its select list:
    PostgreSQL estimates a list in a ``WHERE`` code by code, when it plans."""
    where, counties = _in_counties(villages)
    among, wanted = _in_villages(engine, "village_code", villages)
    months_in, span = _months_in(start, end)
    cut, period = ("", [*counties, *span]) if whole else (f" AND {among}",
                                                          [*counties, *span, wanted])
    months = [*counties, trend_start, end]
    covered = ("(county_code, township_code) IN "
               "(SELECT county_code, township_code FROM covered)")
    parts = [
        (f"SELECT 'kind' AS part, village_code AS code, kind AS key, SUM(logs) AS a, "
         f"SUM(flagged) AS b FROM fieldwork_village_month_logs WHERE {where} "
         f"AND {months_in}{cut} GROUP BY month, village_code, kind",
         period),
        (f"SELECT 'visited', village_code, NULL, COUNT(*), 0 FROM ("
         f"SELECT village_code, household_id FROM fieldwork_village_month_households "
         f"WHERE {where} AND {months_in}{cut} "
         f"GROUP BY village_code, household_id HAVING SUM(logs) > 0) v "
         f"GROUP BY village_code", period),
        (f"SELECT 'sheets', village_code, state, SUM(sheets), SUM(village_days) "
         f"FROM fieldwork_village_month_sheets WHERE {where} "
         f"AND {months_in}{cut} GROUP BY month, village_code, state",
         period),
        (f"SELECT 'trend_logs', NULL, CAST(month AS TEXT), SUM(logs), SUM(flagged) "
         f"FROM fieldwork_township_month WHERE {where} AND month >= {{}} AND month <= {{}} "
         f"AND {covered} GROUP BY month HAVING SUM(logs) > 0", months),
        (f"SELECT 'trend_days', NULL, CAST(month AS TEXT), SUM(village_days), SUM(sheets) "
         f"FROM fieldwork_township_month WHERE {where} AND month >= {{}} AND month <= {{}} "
         f"AND {covered} GROUP BY month HAVING SUM(sheets) > 0", months),
        (f"SELECT 'partial', village_code, county_code, 0, 0 FROM listed "
         f"WHERE asked = 1 AND NOT ({covered})", []),
    ]
    for table, _, _ in _ROLLUPS:
        for county in counties:
            parts.append((f"SELECT 'pending', CAST({{}} AS VARCHAR(6)), "
                          f"CAST({{}} AS VARCHAR(40)), COUNT(*), 0 FROM {table} "
                          f"WHERE county_code = {{}} AND pending", [county, table, county]))
    # The villages listed under the townships of the villages asked for (a township's code
    # begins each of its villages' codes; whole counties: all their townships), and the
    # townships with none of them left out.
    listed, listed_args = where, [*counties]
    if not whole:
        townships, codes = _in_villages(engine, "township_code",
                                        sorted({v[:9] for v in villages}))
        listed, listed_args = f"{where} AND {townships}", [*counties, codes]
    head = (f"WITH listed AS (SELECT county_code, township_code, village_code, "
            f"CASE WHEN {among} THEN 1 ELSE 0 END AS asked FROM fieldwork_rollup_village "
            f"WHERE {listed}), covered AS (SELECT county_code, township_code FROM listed "
            f"GROUP BY county_code, township_code HAVING MIN(asked) = 1) ")
    return (head + " UNION ALL ".join(sql for sql, _ in parts),
            [wanted, *listed_args, *[a for _, a in parts for a in a]])


def _village_trend_sql(engine: Any, villages: list[str], partial: list[str], start: dt.date,
                       end: dt.date) -> tuple[str, list[Any]]:
    """The trend from the per-village rollups of the ``partial`` (county code + village
    code) pairs of ``villages``' counties, rows as ``_figures_sql``'s: the villages asked for
    under a township whose rows count villages not asked for. By pair: a village whose rows
    also sit under another county's township (a county code that is not its prefix) is read
    here only for the township not taken whole."""
    where, counties = _in_counties(villages)
    among, wanted = _in_villages(engine, "county_code || village_code", partial)
    trend = [*counties, start, end, wanted]
    parts = [
        (f"SELECT 'trend_logs' AS part, CAST(month AS TEXT) AS key, SUM(logs) AS a, "
         f"SUM(flagged) AS b FROM fieldwork_village_month_logs WHERE {where} "
         f"AND month >= {{}} AND month <= {{}} AND {among} GROUP BY month "
         f"HAVING SUM(logs) > 0", trend),
        (f"SELECT 'trend_days', CAST(month AS TEXT), SUM(village_days), SUM(sheets) "
         f"FROM fieldwork_village_month_sheets WHERE {where} AND month >= {{}} "
         f"AND month <= {{}} AND {among} AND state = {{}} GROUP BY month "
         f"HAVING SUM(sheets) > 0", [*trend, "confirmed"]),
    ]
    return " UNION ALL ".join(sql for sql, _ in parts), [a for _, a in parts for a in a]


#: The rollup tables, their key (in the order of their ``…_read`` index) and their counts.
_ROLLUPS = (
    ("fieldwork_village_month_logs", ("county_code", "month", "village_code", "kind"),
     ("logs", "flagged")),
    ("fieldwork_village_month_households",
     ("county_code", "month", "village_code", "household_id"), ("logs",)),
    ("fieldwork_village_month_sheets", ("county_code", "month", "village_code", "state"),
     ("sheets", "village_days")),
    ("fieldwork_township_month", ("county_code", "month", "township_code"),
     ("logs", "flagged", "sheets", "village_days")),
)


async def _pending(engine: Any, due: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (rollup table, county) pairs with pending rows, in one statement of one range each
    of the ``…_pending`` index (``(county_code) WHERE pending``: only those rows). Counted, not
    ``EXISTS``: PostgreSQL plans an ``EXISTS`` as a table scan that expects to stop early
    when its statistics are from a time when most rows were pending."""
    columns = ", ".join(
        f"(SELECT COUNT(*) FROM {table} WHERE county_code = {{}} AND pending) AS p{i}"
        for i, (table, _) in enumerate(due))
    [row] = await fetch(engine, f"SELECT {columns}", *[county for _, county in due])
    return {mark for i, mark in enumerate(due) if int(row[f"p{i}"] or 0)}


#: Up to this many pending keys a fold names them in its ``DELETE`` (one index range each);
#: more (a county's first fold) and it lets the database join them with the county's rows.
_KEYS_NAMED = 2000


def _pending_rows(engine: Any, table: str) -> str:
    """``table`` read through its ``…_pending`` index. SQLite is told to: its statistics
    (``ANALYZE``, run rarely) keep the share of pending rows of the time they were taken, and
    after a load, when nearly all rows were pending, it scanned the county's rows in the
    covering ``…_read`` index instead (30–50 ms a fold at 1,000,000 logs, not 1 ms)."""
    if is_postgres(engine):
        return table
    return f"{table} INDEXED BY {table}_pending"


async def _pending_keys(engine: Any, due: list[tuple[str, str]],
                        ) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """The keys with pending rows of each (rollup table, county) pair, in one statement of one
    range each of the ``…_pending`` indexes; pairs with none are left out. The keys are read
    first and then named: PostgreSQL plans a ``(keys) IN (SELECT … pending)`` as a hash join
    over all the county's rows whenever its statistics overrate the pending rows, which made
    a fold cost the size of the county."""
    rollups = {table: key for table, key, _ in _ROLLUPS}
    width = max(len(key) for key in rollups.values()) - 1  # the key after the county
    parts, args = [], []
    for i, (table, county) in enumerate(due):
        rest = [*rollups[table][1:], *["CAST(NULL AS VARCHAR(64))"] * width][:width]
        columns = ", ".join(f"{c} AS k{j}" for j, c in enumerate(rest))
        parts.append(f"SELECT DISTINCT {i} AS pair, {columns} FROM "
                     f"{_pending_rows(engine, table)} WHERE county_code = {{}} AND pending")
        args.append(county)
    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in await fetch(engine, " UNION ALL ".join(parts), *args):
        table, county = due[int(r["pair"])]
        key = rollups[table]
        out.setdefault((table, county), []).append(
            {"county_code": county, **{k: r[f"k{j}"] for j, k in enumerate(key[1:])}})
    return out


def _named(key: tuple[str, ...], pending: list[dict[str, Any]]) -> list[tuple[str, list[Any]]]:
    """``pending``'s keys (a county's) as conditions of up to 100 keys each, with their
    values: one index range a key."""
    rest = [k for k in key if k != "county_code"]
    one = "(" + " AND ".join(f"{k} = {{}}" for k in rest) + ")"
    return [(" OR ".join(one for _ in chunk), [r[k] for r in chunk for k in rest])
            for chunk in (pending[i:i + 100] for i in range(0, len(pending), 100))]


def _taken(engine: Any, table: str, key: tuple[str, ...], county: str,
           pending: list[dict[str, Any]]) -> list[tuple[str, list[Any]]]:
    """``DELETE`` statements (without their ``RETURNING``) that take every row, pending or
    folded, of the keys with pending rows: named up to ``_KEYS_NAMED`` keys; more (a
    county's first fold) and the database joins them with the county's rows."""
    if len(pending) > _KEYS_NAMED:
        keys = ", ".join(key)
        return [(f"DELETE FROM {table} WHERE county_code = {{}} AND ({keys}) IN ("
                 f"SELECT {keys} FROM {_pending_rows(engine, table)} "
                 f"WHERE county_code = {{}} AND pending)", [county, county])]
    return [(f"DELETE FROM {table} WHERE county_code = {{}} AND ({condition})",
             [county, *values]) for condition, values in _named(key, pending)]


async def _fold_in_one(engine: Any, due: dict[tuple[str, str], list[dict[str, Any]]]) -> None:
    """PostgreSQL: fold these pairs' keys in one statement. Each pair's ``DELETE … RETURNING``
    feeds an ``INSERT`` of one row per key with the sums (keys whose counts add up to
    nothing get none), as data-modifying ``WITH`` parts (each runs once, to the end, whether
    read or not): one round trip where taking the rows and writing their sums took two
    statements a rollup."""
    rollups = {table: (key, counts) for table, key, counts in _ROLLUPS}
    parts: list[str] = []
    args: list[Any] = []
    for (table, county), pending in sorted(due.items()):
        key, counts = rollups[table]
        keys = ", ".join(key)
        taken = []
        for sql, values in _taken(engine, table, key, county, pending):
            taken.append(f"t{len(parts)}")
            parts.append(f"t{len(parts)} AS ({sql} RETURNING {keys}, {', '.join(counts)})")
            args += values
        sums = ", ".join(f"COALESCE(SUM({c}), 0)" for c in counts)
        rows = " UNION ALL ".join(f"SELECT * FROM {t}" for t in taken)
        parts.append(f"t{len(parts)} AS (INSERT INTO {table} ({keys}, {', '.join(counts)}, "
                     f"pending) SELECT {keys}, {sums}, FALSE FROM ({rows}) r GROUP BY {keys} "
                     f"HAVING " + " OR ".join(f"SUM({c}) <> 0" for c in counts) + ")")
    await fetch(engine, f"WITH {', '.join(parts)} SELECT 1 AS done", *args)


async def _fold(due: list[tuple[str, str]]) -> None:
    """Fold the rows the triggers appended (``pending``) to these (rollup, county) pairs,
    seen by the caller to have some, into one folded row per key (keys whose counts add up
    to nothing go). The totals do not change; reads get
    shorter. Only keys with pending rows are touched, so the work follows what was written
    since the last fold, by whichever process, never the size of the county; a read after no
    writes in its counties costs one statement of index seeks. Rows are taken with
    ``DELETE … RETURNING``: a row appended meanwhile stays pending for the next fold, and two
    folds of a county queue (an advisory lock on PostgreSQL, one writer on SQLite), so no row
    is counted twice. Reads add up every row of a key, pending or not: the sums are right
    whether or not a fold ran. On PostgreSQL a fold is three statements whatever it folds
    (the lock, the keys, the fold: ``_fold_in_one``); on SQLite, whose statements are calls
    in the process, the rows taken are summed here."""
    engine = WorkLog._meta.db
    rollups = {table: (key, counts) for table, key, counts in _ROLLUPS}
    async with write_transaction(engine):
        if is_postgres(engine):
            # A fold changes no total: lost in a crash, the rows it took are still there,
            # pending. So its commit need not wait for the WAL's flush (most of its time on
            # PostgreSQL with 20 new rows; SQLite's commits do not wait already, see db.py).
            # No parallel workers: a fold reads few keys, but statistics taken while a
            # county's rows were mostly pending (before its first fold) promise thousands,
            # and starting the workers took 15 ms of a 20-log fold (1,000,000 logs).
            # Folds of one county queue (SQLite: one writer at a time), locked in order.
            counties = sorted({county for _, county in due})
            await fetch(engine, "SELECT set_config('synchronous_commit', 'off', TRUE), "
                        "set_config('max_parallel_workers_per_gather', '0', TRUE)" + "".join(
                            ", pg_advisory_xact_lock(hashtext({}))" for _ in counties),
                        *[f"fieldwork rollups {county}" for county in counties])
        # Again inside: another process may have folded them since the caller looked.
        keys = await _pending_keys(engine, sorted(due))
        if is_postgres(engine):
            if keys:
                await _fold_in_one(engine, keys)
            return
        for (table, county), pending in sorted(keys.items()):
            key, counts = rollups[table]
            returning = f" RETURNING {', '.join(key)}, {', '.join(counts)}"
            sums: dict[tuple[Any, ...], list[int]] = {}
            for sql, named in _taken(engine, table, key, county, pending):
                for r in await fetch(engine, sql + returning, *named):
                    total = sums.setdefault(tuple(r[k] for k in key), [0] * len(counts))
                    for i, c in enumerate(counts):
                        total[i] += int(r[c] or 0)
            columns = (*key, *counts, "pending")
            folded = [(*k, *v, False) for k, v in sums.items() if any(v)]
            for start in range(0, len(folded), 500):
                chunk = folded[start:start + 500]
                values = ", ".join(
                    "(" + ", ".join("{}" for _ in columns) + ")" for _ in chunk)
                await fetch(engine, f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values}",
                            *[value for row in chunk for value in row])


def _add_sheets(out: dict[str, VillageStats], sheets: list[dict[str, Any]]) -> None:
    for r in sheets:
        if r["village_code"] not in out:
            continue
        stats = out[r["village_code"]]
        if r["state"] == "confirmed":
            stats.confirmed_days += int(r["days"] or 0)
            stats.sheets_confirmed += int(r["n"])
        elif r["state"] == "submitted":
            stats.sheets_submitted += int(r["n"])


async def village_stats_naive(villages: list[str], start: dt.date, end: dt.date,
                              ) -> dict[str, VillageStats]:
    """``village_figures``' villages counted from the logs and sheets themselves (any period).

    Aggregated in the database; the distinct households come from the JSON lists through
    each engine's own JSON table function.
    """
    out = {v: VillageStats() for v in villages}
    if not villages:
        return out
    engine = WorkLog._meta.db
    where, args = _in_counties(villages)
    period = [*args, start, end, False]
    rows = await fetch(engine, f"SELECT village_code, kind, COUNT(*) AS n, "
                       f"SUM(CASE WHEN {_json_len('flags')} > 0 THEN 1 ELSE 0 END) AS flagged "
                       f"FROM fieldwork_work_log "
                       f"WHERE {where} AND date >= {{}} AND date <= {{}} AND deleted = {{}} "
                       f"GROUP BY village_code, kind", *period)
    for r in rows:
        if r["village_code"] in out:
            stats = out[r["village_code"]]
            stats.logs_by_kind[r["kind"]] = int(r["n"])
            stats.flagged_logs += int(r["flagged"] or 0)
    for r in await fetch(engine, _visited_sql(engine, where), *period):
        if r["village_code"] in out:
            out[r["village_code"]].households_visited = int(r["n"])
    sheets = await fetch(engine, f"SELECT village_code, state, COUNT(*) AS n, "
                         f"SUM(village_days) AS days FROM fieldwork_presence_sheet "
                         f"WHERE {where} AND month >= {{}} AND month <= {{}} "
                         f"GROUP BY village_code, state", *args, start.replace(day=1), end)
    _add_sheets(out, sheets)
    return out


def _json_len(column: str) -> str:
    from piccolo.engine.sqlite import SQLiteEngine

    if isinstance(WorkLog._meta.db, SQLiteEngine):
        return f"json_array_length({column})"
    return f"json_array_length({column}::json)"


def _visited_sql(engine: Any, where: str) -> str:
    from piccolo.engine.sqlite import SQLiteEngine

    source = ("fieldwork_work_log w, json_each(w.household_ids) h"
              if isinstance(engine, SQLiteEngine) else
              "fieldwork_work_log w CROSS JOIN LATERAL "
              "json_array_elements_text(w.household_ids::json) AS h(value)")
    return (f"SELECT w.village_code AS village_code, COUNT(DISTINCT h.value) AS n "
            f"FROM {source} WHERE w.{where} AND w.date >= {{}} AND w.date <= {{}} "
            f"AND w.deleted = {{}} GROUP BY w.village_code")


async def monthly_trend_naive(villages: list[str], start: dt.date, end: dt.date,
                              ) -> dict[str, dict[str, int]]:
    """``village_figures``' trend counted from the logs and sheets themselves (any period)."""
    from piccolo.engine.sqlite import SQLiteEngine

    engine = WorkLog._meta.db
    out: dict[str, dict[str, int]] = {}
    if not villages:
        return out
    wanted = set(villages)
    where, args = _in_counties(villages)
    month = ("substr(date, 1, 7)" if isinstance(engine, SQLiteEngine)
             else "to_char(date, 'YYYY-MM')")
    rows = await fetch(engine, f"SELECT village_code, {month} AS m, COUNT(*) AS n, "
                       f"SUM(CASE WHEN {_json_len('flags')} > 0 THEN 1 ELSE 0 END) AS flagged "
                       f"FROM fieldwork_work_log WHERE {where} AND date >= {{}} "
                       f"AND date <= {{}} AND deleted = {{}} GROUP BY village_code, {month}",
                       *args, start, end, False)
    blank = {"logs": 0, "flagged_logs": 0, "confirmed_days": 0}
    for r in rows:
        if r["village_code"] in wanted:
            point = out.setdefault(r["m"], dict(blank))
            point["logs"] += int(r["n"])
            point["flagged_logs"] += int(r["flagged"] or 0)
    sheet_month = ("substr(month, 1, 7)" if isinstance(engine, SQLiteEngine)
                   else "to_char(month, 'YYYY-MM')")
    sheets = await fetch(engine, f"SELECT village_code, {sheet_month} AS m, "
                         f"SUM(village_days) AS days FROM fieldwork_presence_sheet "
                         f"WHERE {where} AND state = {{}} AND month >= {{}} AND month <= {{}} "
                         f"GROUP BY village_code, {sheet_month}",
                         *args, "confirmed", start.replace(day=1), end)
    for r in sheets:
        if r["village_code"] in wanted:
            out.setdefault(r["m"], dict(blank))["confirmed_days"] += int(r["days"] or 0)
    return dict(sorted(out.items()))


async def submitted_owners(month: dt.date) -> set[uuid.UUID]:
    """Cadres whose sheet for ``month`` is submitted or confirmed."""
    rows = await PresenceSheet.select(PresenceSheet.owner_id).where(
        PresenceSheet.month == month, PresenceSheet.state.is_in(["submitted", "confirmed"]))
    return {r["owner_id"] for r in rows}
