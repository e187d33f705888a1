"""The change cursor: which changes a pull may deliver without ever passing a late commit.

*SQLite.* Writers queue at ``BEGIN IMMEDIATE``, so they commit one at a time in the order they
took their change numbers (the ``sync_change_counter`` row). The cursor is the last number
delivered, as plain digits.

*PostgreSQL.* Change numbers come from the sequence ``sync_change_seq``: no row lock, so
writers run side by side and may commit in any order. Every synced row also carries ``txid``,
the 64-bit id of the transaction that last wrote it (a column default on insert, a trigger on
update). A pull delivers only rows written by transactions older than every transaction still
in progress in this database (the *bound*), in ``(txid, seq)`` order. A transaction still
writing has a txid at or above the bound, so its rows wait until it ends, whatever their
numbers; a transaction that ended below the bound is visible to the pull's reads. The cursor is
``x<T>`` (everything written by transactions below ``T`` delivered) or ``x<T>.<S>`` (a page
ended inside transaction ``T`` at change ``S``). A plain-digits cursor from before this scheme
is read as "rows stamped 0 (written before it) after change S".

*Snapshot.* A phone that has nothing yet (or whose feed starts over) may take a snapshot
instead of replaying every change: the live rows it may see, at positions up to where the
snapshot ends (``upto``, the feed cursor read when it began: on SQLite the counter's value,
on PostgreSQL the bound), page by page. While pages are delivered the cursor is
``s<upto>.<after>`` (SQLite: ``s<V>.<S>``; PostgreSQL: ``s<T>.<txid>.<seq>``). A row written
after ``upto`` lies above it, so it is left to the feed, which continues from ``upto``; a row
rewritten between two pages moves above ``upto`` and is delivered by the feed, never twice in
the same version and never missed.

*Both.* A cursor starts with the database's epoch (``<E>:``); a restore from backup gives the
database a new one, and a cursor of another epoch starts the feed over (the restored database
may hand out numbers the phone has already passed).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from piccolo.querystring import QueryString

from backend.core.db import fetch, is_postgres

if TYPE_CHECKING:
    from piccolo.engine.base import Engine

__all__ = [
    "BOUND_SQL", "START", "Cursor", "Snapshot", "ensure_stamps", "epoch", "feed_end",
    "inserts_numbered", "new_epoch", "parse_cursor", "pull_bound", "reset_stamps", "take_seqs",
    "txid_after",
]

_SEQUENCE = "sync_change_seq"
_CURSOR = re.compile(r"^(?:(\d{1,10}):)?(?:(\d{1,19})|x(\d{1,19})(?:\.(\d{1,19}))?)$")
_SNAPSHOT = re.compile(r"^(\d{1,10}):s(\d{1,19})\.(\d{1,19})(?:\.(\d{1,19}))?$")


@dataclass(frozen=True, order=True)
class Cursor:
    """A position in the change feed: ``(txid, seq)`` on PostgreSQL, ``seq`` on SQLite; later
    positions compare greater."""

    txid: int
    seq: int

    def text(self, engine: Engine, epoch: int) -> str:
        if not is_postgres(engine):
            body = str(self.seq)
        else:
            body = f"x{self.txid}" if self.seq < 0 else f"x{self.txid}.{self.seq}"
        return f"{epoch}:{body}"


#: The beginning of the feed: no cursor, or one the feed starts over from.
START = Cursor(0, 0)


@dataclass(frozen=True)
class Snapshot:
    """A snapshot being delivered: the live rows at positions after ``after`` and up to
    ``upto`` (the feed cursor the snapshot ends at)."""

    upto: Cursor
    after: Cursor

    def text(self, engine: Engine, epoch: int) -> str:
        if not is_postgres(engine):
            return f"{epoch}:s{self.upto.seq}.{self.after.seq}"
        return f"{epoch}:s{self.upto.txid}.{self.after.txid}.{self.after.seq}"


def _parse_snapshot(m: re.Match[str], engine: Engine, epoch: int) -> Cursor | Snapshot | None:
    their_epoch, upto, first, second = m.groups()
    if int(their_epoch) != epoch:
        return START
    if is_postgres(engine) != (second is not None):
        return None
    if second is None:
        return Snapshot(Cursor(0, int(upto)), Cursor(0, int(first)))
    return Snapshot(Cursor(int(upto), -1), Cursor(int(first), int(second)))


def parse_cursor(text: str | None, engine: Engine, epoch: int) -> Cursor | Snapshot | None:
    """The cursor a client sent (None when it is not one this server writes).

    A cursor of another epoch (written before a restore from backup) starts the feed over:
    the restored database may have handed out its numbers again.
    """
    if not text:
        return START
    snap = _SNAPSHOT.match(text)
    if snap is not None:
        return _parse_snapshot(snap, engine, epoch)
    m = _CURSOR.match(text)
    if m is None:
        return None
    their_epoch, legacy, txid, seq = m.groups()
    if their_epoch is not None and int(their_epoch) != epoch:
        return START
    if legacy is not None:
        return Cursor(0, int(legacy))
    if not is_postgres(engine):
        return None
    return Cursor(int(txid), int(seq) if seq is not None else -1)


_EPOCH_ROW = 2
_epochs: dict[int, int] = {}


async def epoch(engine: Engine) -> int:
    """This database's epoch (a random number kept in the counter table, row 2), made on first
    use and replaced by ``zhucun restore``. Cached per process: restore with the API stopped."""
    key = id(engine)
    if key not in _epochs:
        await fetch(engine, "INSERT INTO sync_change_counter (id, value) VALUES ({}, {}) "
                    "ON CONFLICT (id) DO NOTHING", _EPOCH_ROW, secrets.randbelow(10**9) + 1)
        rows = await fetch(engine, "SELECT value FROM sync_change_counter WHERE id = {}",
                           _EPOCH_ROW)
        _epochs[key] = int(rows[0]["value"])
    return _epochs[key]


async def new_epoch(engine: Engine) -> int:
    """Give the database a new epoch: every cursor handed out before starts over."""
    value = secrets.randbelow(10**9) + 1
    await fetch(engine, "INSERT INTO sync_change_counter (id, value) VALUES ({}, {}) "
                "ON CONFLICT (id) DO UPDATE SET value = excluded.value", _EPOCH_ROW, value)
    _epochs[id(engine)] = value
    return value


async def take_seqs(engine: Engine, count: int) -> list[int]:
    """``count`` change numbers, increasing.

    SQLite: from the counter row (writers are serialised anyway). PostgreSQL: from a sequence,
    so a writer holds no lock that another writer waits for.
    """
    if is_postgres(engine):
        rows = await fetch(
            engine, f"SELECT nextval('{_SEQUENCE}') AS n FROM generate_series(1, {{}})", count
        )
        return sorted(int(r["n"]) for r in rows)
    rows = await fetch(
        engine,
        "INSERT INTO sync_change_counter (id, value) VALUES (1, {}) "
        "ON CONFLICT (id) DO UPDATE SET value = sync_change_counter.value + excluded.value "
        "RETURNING value",
        count,
    )
    last = int(rows[0]["value"])
    return list(range(last - count + 1, last + 1))


def inserts_numbered(engine: Engine) -> bool:
    """Whether a new synced row needs its change number from ``take_seqs``: on PostgreSQL the
    ``seq`` column takes it from the sequence by default (``ensure_stamps``), in the insert
    itself; on SQLite the counter row is bumped first."""
    return not is_postgres(engine)


async def pull_bound(engine: Engine) -> int:
    """The oldest transaction id still running in this database, or the next one to be given
    (``BOUND_SQL``, one statement)."""
    [row] = await fetch(engine, BOUND_SQL)
    return int(row["bound"])


#: The bound as of the statement's own snapshot (one row, one column ``bound``): the lowest id
#: among the transactions the snapshot sees running (``pg_snapshot_xip``), leaving out those
#: ``pg_stat_activity`` shows running in another database, or else the snapshot's next id
#: (``xmax``). Every transaction of this database below it had ended when the snapshot was
#: taken, so the same statement's reads, and every later one, see all it wrote: a pull can
#: read the bound and the rows below it in one statement. A transaction of another database
#: never holds the feed back while it runs; one that has ended by the time ``pg_stat_activity``
#: is read, or whose backend is hidden from this role, counts as this database's, which only
#: holds the feed back until the next pull. (A backend's ``backend_xid`` is 32 bits: it is
#: compared with the low 32 bits of the 64-bit ids, which cannot meet another running
#: transaction's, as running transactions lie within 2**31 of each other.)
BOUND_SQL = (
    "SELECT LEAST(q.hi, COALESCE((SELECT min(r::text::bigint) FROM pg_snapshot_xip(q.snap) r"
    " WHERE r::text::bigint % 4294967296 NOT IN (SELECT a.backend_xid::text::bigint"
    " FROM pg_stat_activity a WHERE a.datname <> current_database()"
    " AND a.backend_xid IS NOT NULL)), q.hi)) AS bound"
    " FROM (SELECT s.snap, pg_snapshot_xmax(s.snap)::text::bigint AS hi"
    " FROM (SELECT pg_current_snapshot() AS snap OFFSET 0) AS s) AS q"
)


async def feed_end(engine: Engine) -> Cursor:
    """Where the feed stands now: every change below it has been committed and is visible.

    SQLite: the counter's value (writers commit in the order of their numbers). PostgreSQL:
    the bound, as a cursor past every transaction below it.
    """
    if is_postgres(engine):
        return Cursor(await pull_bound(engine), -1)
    rows = await fetch(engine, "SELECT value FROM sync_change_counter WHERE id = 1")
    return Cursor(0, int(rows[0]["value"]) if rows else 0)


def txid_after(cursor: Cursor, bound: int) -> QueryString:
    """The ``WHERE`` part of a PostgreSQL pull: after the cursor, below the bound."""
    return QueryString(
        "((txid, seq) > ({}, {}) AND txid < {})", cursor.txid, cursor.seq, bound
    )


async def ensure_stamps(engine: Engine) -> None:
    """On PostgreSQL, give every synced table (a ``seq`` column) its ``txid`` stamp, the
    change sequence, and the sequence as the default of ``seq`` (an insert that leaves it out
    is numbered by the statement itself). Idempotent: runs after every ``zhucun migrate``, so
    tables added later get it too. Rows written before get 0 (delivered first, by their change
    number)."""
    if not is_postgres(engine):
        return
    exists = await fetch(engine, f"SELECT to_regclass('{_SEQUENCE}') IS NOT NULL AS ok")
    if not exists[0]["ok"]:
        counter = await fetch(
            engine, "SELECT coalesce(max(value), 0) AS v FROM sync_change_counter"
        )
        start = int(counter[0]["v"]) + 1
        await engine.run_ddl(f"CREATE SEQUENCE IF NOT EXISTS {_SEQUENCE} START WITH {start}")
    await engine.run_ddl(
        "CREATE OR REPLACE FUNCTION sync_stamp_txid() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN NEW.txid := pg_current_xact_id()::text::bigint; RETURN NEW; END $$"
    )
    tables = await _synced_tables(
        engine,
        "NOT EXISTS (SELECT 1 FROM information_schema.columns d WHERE "
        "d.table_schema = c.table_schema AND d.table_name = c.table_name "
        "AND d.column_name = 'txid')",
    )
    for name in tables:
        await engine.run_ddl(f'ALTER TABLE "{name}" ADD COLUMN txid BIGINT NOT NULL DEFAULT 0')
        await engine.run_ddl(
            f'ALTER TABLE "{name}" ALTER COLUMN txid '
            "SET DEFAULT pg_current_xact_id()::text::bigint"
        )
        await engine.run_ddl(
            f'CREATE TRIGGER "{name}_txid" BEFORE UPDATE ON "{name}" '
            "FOR EACH ROW EXECUTE FUNCTION sync_stamp_txid()"
        )
        await engine.run_ddl(f'CREATE INDEX "{name}_txid_seq" ON "{name}" (txid, seq)')
    await _ensure_owner_feed(engine)
    unnumbered = await _synced_tables(
        engine, f"coalesce(c.column_default, '') NOT LIKE 'nextval(''{_SEQUENCE}''%'"
    )
    for name in unnumbered:
        await engine.run_ddl(
            f'ALTER TABLE "{name}" ALTER COLUMN seq SET DEFAULT nextval(\'{_SEQUENCE}\')'
        )


async def _ensure_owner_feed(engine: Engine) -> None:
    """Every synced table indexed by ``(owner_id, txid, seq)``: one owner's rows in feed order.

    A cadre pulls their own rows (``owner_id = ?``) after a cursor, in ``(txid, seq)`` order: in
    this index each page of the pull, and the probe of whether a kind has rows at all, is one
    range scan. With ``(txid, seq)`` alone PostgreSQL walked every owner's changes after the
    cursor (a province's, for a phone's first pull), and with ``(owner_id, seq)`` it read and
    sorted all the owner's rows for every page. It replaces the table's ``(owner_id)`` and
    ``(owner_id, seq)`` indexes, which it covers (on PostgreSQL the feed is not in ``seq``
    order), so a push maintains no more indexes than before.
    """
    present = {
        row["name"]
        for row in await fetch(
            engine,
            "SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema()",
        )
    }
    owned = (
        "EXISTS (SELECT 1 FROM information_schema.columns o WHERE o.table_schema = "
        "c.table_schema AND o.table_name = c.table_name AND o.column_name = 'owner_id')"
    )
    for name in await _synced_tables(engine, owned):
        if f"{name}_owner_feed" not in present:
            await engine.run_ddl(
                f'CREATE INDEX "{name}_owner_feed" ON "{name}" (owner_id, txid, seq)'
            )
        for covered in (f"{name}_owner_id", f"{name}_owner_seq"):
            if covered in present:
                await engine.run_ddl(f'DROP INDEX "{covered}"')


async def _synced_tables(engine: Engine, condition: str) -> list[str]:
    """The synced tables (those with a ``seq`` column, the counter aside) whose ``seq`` column
    ``c`` meets ``condition`` (SQL of this module's own, no outside value)."""
    rows = await fetch(
        engine,
        "SELECT c.table_name AS name FROM information_schema.columns c "
        "JOIN information_schema.tables t ON t.table_name = c.table_name "
        "AND t.table_schema = c.table_schema AND t.table_type = 'BASE TABLE' "
        "WHERE c.table_schema = current_schema() AND c.column_name = 'seq' "
        f"AND c.table_name <> 'sync_change_counter' AND {condition}",
    )
    return [row["name"] for row in rows]


async def reset_stamps(engine: Engine) -> None:
    """After a restore on PostgreSQL: every row's stamp back to 0 (written before), since the
    new cluster's transaction ids need not follow the old one's. Rows are then delivered by
    their change numbers, ahead of anything written after the restore."""
    if not is_postgres(engine):
        return
    tables = await fetch(
        engine,
        "SELECT table_name AS name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND column_name = 'txid'",
    )
    for row in tables:
        name = row["name"]
        await engine.run_ddl(f'ALTER TABLE "{name}" DISABLE TRIGGER "{name}_txid"')
        await engine.run_ddl(f'UPDATE "{name}" SET txid = 0')
        await engine.run_ddl(f'ALTER TABLE "{name}" ENABLE TRIGGER "{name}_txid"')
