"""Push and pull: per-item results, never failing a batch for one item; pull by change sequence."""

from __future__ import annotations

import collections
import functools
import heapq
import itertools
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import msgspec
from piccolo.columns.combination import And, WhereRaw
from piccolo.querystring import QueryString

from backend.audit import services as audit
from backend.core.bounds import problems_each
from backend.core.canonical import content_hash
from backend.core.clock import utc_now
from backend.core.db import (
    fetch_values,
    insert_rows,
    insert_rows_with,
    is_postgres,
    select_in,
    write_transaction,
)
from backend.core.errors import DomainError, FieldError, ValidationFailed
from backend.core.i18n import Lang
from backend.core.metrics import count_sync_results
from backend.core.problems import localise_field_error
from backend.core.validation import parse_many
from backend.sync import statements
from backend.sync.compact import uuid_text, value
from backend.sync.cursor import (
    BOUND_SQL,
    START,
    Cursor,
    Snapshot,
    epoch,
    feed_end,
    inserts_numbered,
    parse_cursor,
    take_seqs,
)
from backend.sync.registry import Prepared, SyncKind, get_kind, kinds
from backend.sync.schemas import ItemError, PushItem, PushResult
from backend.sync.statements import AFTER_SEQ, AFTER_TXID, BOUND, UPTO

if TYPE_CHECKING:
    from collections.abc import Sequence

    from piccolo.columns.combination import Combinable
    from piccolo.engine.base import Engine

    from backend.core.context import RequestContext
    from backend.core.scope import Actor, Scope

__all__ = ["allocate_seqs", "bump_seq", "pull", "push"]


async def allocate_seqs(engine: Engine, count: int) -> list[int]:
    """Take ``count`` change numbers for rows written in the current transaction."""
    return await take_seqs(engine, count)


async def bump_seq(kind: SyncKind, ids: list[uuid.UUID], values: dict[Any, Any]) -> None:
    """Record a server-side change (flags, review state) so that pull delivers it again.

    Must run inside a write transaction. The owner's ``version`` does not move.
    """
    table = kind.table
    for record_id, seq in zip(ids, await allocate_seqs(table._meta.db, len(ids)), strict=True):
        await table.update({**values, table.seq: seq, table.updated_at: utc_now()}).where(
            table.id == record_id
        )


@dataclass
class _Item:
    index: int
    kind: SyncKind
    id: uuid.UUID
    base_version: int | None
    prepared: Prepared
    hash: str


def _rejected(raw_id: Any, errors: list[FieldError], lang: Lang) -> PushResult:
    return PushResult(
        id=str(raw_id),
        status="rejected",
        errors=[ItemError(**localise_field_error(e, lang)) for e in errors],
    )


def _refused(record_id: uuid.UUID, exc: DomainError, lang: Lang) -> PushResult:
    return _rejected(record_id, exc.errors or [FieldError("data", exc.code)], lang)


def _envelope(
    item: PushItem, seen: set[uuid.UUID], bounds: list[FieldError]
) -> tuple[SyncKind | None, uuid.UUID | None, list[FieldError]]:
    """The item's kind, id and what is wrong with its envelope; ``bounds``: its data's
    problems with the body bounds (``problems_each``)."""
    errors: list[FieldError] = []
    kind = get_kind(item.kind) if isinstance(item.kind, str) else None
    if kind is None or not kind.pushable:
        errors.append(FieldError("kind", "not_allowed"))
    record_id = None
    try:
        record_id = uuid.UUID(str(item.id))
    except ValueError:
        errors.append(FieldError("id", "not_uuid"))
    if record_id in seen:
        errors.append(FieldError("id", "duplicate"))
    bv = item.base_version
    if bv is not None and (not isinstance(bv, int) or isinstance(bv, bool) or bv < 1):
        errors.append(FieldError("base_version", "not_integer"))
    if not isinstance(item.data, dict):
        errors.append(FieldError("data", "not_object"))
    else:
        # Control characters (a NUL): this item is rejected, the others apply (core/bounds).
        errors.extend(bounds)
    return kind, record_id, errors


async def _prepare_all(
    actor: Actor, items: list[PushItem], lang: Lang, results: list[PushResult | None]
) -> list[_Item]:
    seen: set[uuid.UUID] = set()
    passed: dict[str, list[tuple[int, uuid.UUID, PushItem]]] = {}
    kinds_of: dict[str, SyncKind] = {}
    objects = [item.data for item in items if isinstance(item.data, dict)]
    bounds = iter(problems_each(objects, path="data"))
    for index, item in enumerate(items):
        kind, record_id, errors = _envelope(
            item, seen, next(bounds) if isinstance(item.data, dict) else [])
        if errors or kind is None or record_id is None:
            results[index] = _rejected(item.id, errors, lang)
            continue
        seen.add(record_id)
        passed.setdefault(kind.name, []).append((index, record_id, item))
        kinds_of[kind.name] = kind
    ready: list[_Item] = []
    for name, group in passed.items():
        kind = kinds_of[name]
        if kind.prepare is None or kind.data_model is None:
            continue  # not pushable: refused by _envelope
        # One validation of the kind's data over the batch (each item answered alone).
        parsed = parse_many(kind.data_model, [item.data for _, _, item in group])
        for (index, record_id, item), data in zip(group, parsed, strict=True):
            if isinstance(data, DomainError):
                results[index] = _refused(record_id, data, lang)
                continue
            try:
                prepared = await kind.prepare(actor, data)
            except DomainError as exc:
                results[index] = _refused(record_id, exc, lang)
                continue
            # The client's own data identifies a resend (server-made values such as a read
            # time or flags differ from one arrival to the next).
            digest = content_hash({"kind": kind.name, "data": item.data})
            ready.append(_Item(index, kind, record_id, item.base_version, prepared, digest))
    # In the order sent: the writes (and the answers of lost races) keep the batch's order.
    ready.sort(key=lambda it: it.index)
    return ready


def _server_copy(kind: SyncKind, row: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": kind.name,
        "id": str(row["id"]),
        "version": row["version"],
        "data": kind.to_wire(row),
        "deleted": row["deleted"],
    }


async def _existing(items: list[_Item]) -> dict[uuid.UUID, dict[str, Any]]:
    found: dict[uuid.UUID, dict[str, Any]] = {}
    by_kind: dict[str, list[_Item]] = {}
    for it in items:
        by_kind.setdefault(it.kind.name, []).append(it)
    for group in by_kind.values():
        for row in await select_in(group[0].kind.table, "id", [it.id for it in group]):
            found[_as_uuid(row["id"])] = row
    return found


def _presumed_new(it: _Item) -> bool:
    """Whether an item is inserted without reading the stored row first: a record made on the
    phone (no ``base_version``) of a kind a push may create. ``ON CONFLICT`` skips one whose id
    is taken (a resend, a stranger's id), and only those are read and answered (``_settle``)."""
    return it.base_version is None and it.kind.creatable and it.prepared.village_code is not None


def _classify(actor: Actor, it: _Item, row: dict[str, Any] | None, lang: Lang) -> PushResult | str:
    """What to do with one item given the stored row: a final answer, 'insert' or 'update'."""
    if row is None:
        if not it.kind.creatable or it.prepared.village_code is None:
            return _rejected(it.id, [FieldError("id", "not_found")], lang)
        return "insert"
    if row["owner_id"] != actor.user_id:
        return _rejected(it.id, [FieldError("id", "out_of_scope")], lang)
    if row["content_hash"] == it.hash and not row["deleted"]:
        return PushResult(id=str(it.id), status="duplicate", version=row["version"])
    if it.base_version != row["version"]:
        return PushResult(
            id=str(it.id),
            status="conflict",
            version=row["version"],
            server=_server_copy(it.kind, row),
        )
    locked = it.kind.locked(row)
    if locked:
        return _rejected(it.id, [FieldError("data", locked)], lang)
    return "update"


def _row_values(actor: Actor, it: _Item, seq: int | None, version: int) -> dict[str, Any]:
    """A new row's values; without ``seq`` when the column's default numbers it."""
    now = utc_now()
    row = {
        **it.prepared.values,
        "id": it.id,
        "owner_id": actor.user_id,
        "village_code": it.prepared.village_code,
        "county_code": it.prepared.county_code,
        "version": version,
        "seq": seq,
        "content_hash": it.hash,
        "deleted": False,
        "created_at": now,
        "updated_at": now,
    }
    if seq is None:
        del row["seq"]
    return row


class _Refused(Exception):
    """PostgreSQL refused a statement of the batch outside a savepoint, which ended the
    transaction: the batch is done again with each insert in its own savepoint."""


async def _insert(
    actor: Actor, inserts: list[_Item], seqs: list[int | None], tx: Any, *, careful: bool
) -> set[uuid.UUID]:
    """Insert new rows in one statement; on a database error, row by row."""
    if not inserts:
        return set()
    table = inserts[0].kind.table
    rows = [_row_values(actor, it, seq, 1) for it, seq in zip(inserts, seqs, strict=True)]
    done = await _try_insert(table, rows, tx, careful=careful)
    if done is not None:
        return done
    inserted: set[uuid.UUID] = set()
    for row in rows:
        inserted |= await _try_insert(table, [row], tx, careful=careful) or set()
    return inserted


async def _try_insert(
    table: Any, rows: list[dict[str, Any]], tx: Any, *, careful: bool
) -> set[uuid.UUID] | None:
    """The ids inserted (``ON CONFLICT`` skips those taken, also when another push inserted
    them meanwhile: the database waits for it to end), or None when the database refused the
    statement (another unique rule, a constraint), which is then undone alone.

    SQLite undoes a refused statement alone. On PostgreSQL an error ends the transaction: a
    ``careful`` insert runs in a savepoint; otherwise (the first try of every batch, two
    round trips fewer) a refusal raises ``_Refused`` and the batch is done again, carefully.
    """
    postgres = is_postgres(table._meta.db)
    savepoint = await tx.savepoint() if postgres and careful else None
    try:
        done = await insert_rows(table, rows, conflict_target="id", returning="id")
    except Exception as exc:
        if savepoint is not None:
            await savepoint.rollback_to()
        elif postgres:
            raise _Refused from exc
        elif not tx.connection.in_transaction:
            raise  # SQLite gave up the whole transaction (disk full, I/O): nothing to go on with
        return None
    if savepoint is not None:
        await savepoint.release()
    return {_as_uuid(r["id"]) for r in done}


def _as_uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


async def _update(actor: Actor, it: _Item, seq: int) -> int | None:
    """Apply an edit if the stored version is still the one the client edited."""
    table = it.kind.table
    values = {getattr(table, k): v for k, v in it.prepared.values.items()}
    if it.prepared.village_code is not None:
        values[table.village_code] = it.prepared.village_code
        values[table.county_code] = it.prepared.county_code
    done = (
        await table.update(
            {
                **values,
                table.content_hash: it.hash,
                table.version: table.version + 1,
                table.seq: seq,
                table.updated_at: utc_now(),
                table.deleted: False,
            }
        )
        .where(table.id == it.id, table.version == it.base_version, table.owner_id == actor.user_id)
        .returning(table.version)
    )
    return done[0]["version"] if done else None


def _settle(actor: Actor, it: _Item, row: dict[str, Any] | None, lang: Lang) -> PushResult:
    """The answer for an item the database skipped: ``ON CONFLICT`` found its id taken, or an
    edit found its version moved. The stored row, read after, says what happened: the same
    content is a ``duplicate``, other content a ``conflict``, another owner's id is out of
    scope (a resend, or one racing its original on another worker, a phone's stale edit). No
    row with this id means the database refused it for another uniqueness rule (one presence
    day per date…).
    """
    if row is None:
        return _rejected(it.id, [FieldError("data", "duplicate")], lang)
    verdict = _classify(actor, it, row, lang)
    if isinstance(verdict, PushResult):
        return verdict
    return PushResult(
        id=str(it.id), status="conflict", version=row["version"], server=_server_copy(it.kind, row)
    )


async def push(
    ctx: RequestContext, actor: Actor, items: list[PushItem], lang: Lang
) -> list[PushResult]:
    """Apply a batch; answer each item in the order sent."""
    results: list[PushResult | None] = [None] * len(items)
    ready = await _prepare_all(actor, items, lang, results)
    if ready:
        await _apply(ctx, actor, ready, results, lang)
    out = [r for r in results if r is not None]
    # Only registered kinds become labels: a client's made-up kind must not grow the series.
    count_sync_results(
        [i.kind if isinstance(i.kind, str) and get_kind(i.kind) else "unknown" for i in items],
        [r.status for r in out],
    )
    return out


async def _apply(
    ctx: RequestContext,
    actor: Actor,
    ready: list[_Item],
    results: list[PushResult | None],
    lang: Lang,
) -> None:
    if await _apply_new_at_once(ctx, actor, ready, results):
        return
    try:
        await _apply_once(ctx, actor, ready, results, lang, careful=False)
    except _Refused:
        for it in ready:
            results[it.index] = None
        await _apply_once(ctx, actor, ready, results, lang, careful=True)


async def _apply_new_at_once(
    ctx: RequestContext, actor: Actor, ready: list[_Item], results: list[PushResult | None]
) -> bool:
    """The common push on PostgreSQL, new records of one kind that need nothing after their
    write (no photos to link), in one statement without ``BEGIN`` and ``COMMIT``: the insert
    and its audit event together (``audit.appended_with``), after the flags' reads. False,
    with nothing written, when the push is another shape or the database refuses the
    statement (an id already taken, another unique rule): ``_apply_once`` then does it in a
    transaction, answering each item as it does for any push."""
    kind = ready[0].kind
    if not is_postgres(kind.table._meta.db) or not all(
        _presumed_new(it) and it.kind is kind for it in ready
    ):
        return False
    needed = kind.after_write_needed
    if kind.after_write is not None and (
        needed is None or any(needed(it.prepared.values, 1) for it in ready)
    ):
        return False
    await _enrich(actor, [(it, "insert") for it in ready])
    rows = [_row_values(actor, it, None, 1) for it in ready]
    parts, args = audit.appended_with(
        ctx, "sync.push", "sync_batch", ctx.request_id or "-", after={kind.name: len(ready)},
        changed="ins", expected=len(ready),
    )
    try:
        done = await insert_rows_with(kind.table, rows, parts, args, conflict_target="id",
                                      returning="id")
    except Exception:  # refused as a whole: the transaction's way answers it
        return False
    if done is None:
        return False
    for it in ready:
        results[it.index] = PushResult(id=str(it.id), status="applied", version=1)
    return True


async def _apply_once(
    ctx: RequestContext,
    actor: Actor,
    ready: list[_Item],
    results: list[PushResult | None],
    lang: Lang,
    *,
    careful: bool,
) -> None:
    """Write a batch in one transaction: new records inserted at once, the rest checked
    against their stored rows first."""
    engine = ready[0].kind.table._meta.db
    async with write_transaction(engine) as tx:
        todo: list[tuple[_Item, str]] = [(it, "insert") for it in ready if _presumed_new(it)]
        checked = [it for it in ready if not _presumed_new(it)]
        stored = await _existing(checked)
        for it in checked:
            verdict = _classify(actor, it, stored.get(it.id), lang)
            if isinstance(verdict, PushResult):
                results[it.index] = verdict
            else:
                todo.append((it, verdict))
        await _enrich(actor, todo)
        numbered = inserts_numbered(engine)
        count = sum(1 for _, verdict in todo if numbered or verdict == "update")
        seqs = iter(await allocate_seqs(engine, count)) if count else iter(())
        written: dict[str, list[uuid.UUID]] = {}
        versions: dict[uuid.UUID, int] = {}
        by_kind: dict[str, list[_Item]] = {}
        skipped: list[_Item] = []
        for it, verdict in todo:
            if verdict == "insert":
                by_kind.setdefault(it.kind.name, []).append(it)
                continue
            version = await _update(actor, it, next(seqs))
            if version is None:  # written meanwhile by a concurrent push of the same owner
                skipped.append(it)
                continue
            results[it.index] = PushResult(id=str(it.id), status="applied", version=version)
            versions[it.id] = version
            written.setdefault(it.kind.name, []).append(it.id)
        for group in by_kind.values():
            numbers = [next(seqs) if numbered else None for _ in group]
            inserted = await _insert(actor, group, numbers, tx, careful=careful)
            for it in group:
                if it.id not in inserted:
                    skipped.append(it)
                    continue
                results[it.index] = PushResult(id=str(it.id), status="applied", version=1)
                written.setdefault(it.kind.name, []).append(it.id)
        if skipped:
            found = await _existing(skipped)
            for it in skipped:
                results[it.index] = _settle(actor, it, found.get(it.id), lang)
        await _after_write(actor, ready, written, versions)
        applied = sum(len(v) for v in written.values())
        if applied:
            await audit.record(
                ctx,
                "sync.push",
                "sync_batch",
                ctx.request_id or "-",
                after={k: len(v) for k, v in written.items()},
            )


async def _enrich(actor: Actor, todo: list[tuple[_Item, str]]) -> None:
    by_kind: dict[str, list[_Item]] = {}
    for it, _verdict in todo:
        by_kind.setdefault(it.kind.name, []).append(it)
    for group in by_kind.values():
        if group[0].kind.enrich is not None:
            await group[0].kind.enrich([(it.id, actor.user_id, it.prepared) for it in group])


async def _after_write(
    actor: Actor, ready: list[_Item], written: dict[str, list[uuid.UUID]],
    versions: dict[uuid.UUID, int],
) -> None:
    """Run each kind's ``after_write`` on the rows that need it, read back once."""
    by_id = {it.id: it for it in ready}
    for name, ids in written.items():
        kind = get_kind(name)
        if kind is None or kind.after_write is None:
            continue
        needed = kind.after_write_needed
        if needed is not None:
            ids = [i for i in ids if needed(by_id[i].prepared.values, versions.get(i, 1))]
        if ids:
            rows = await kind.table.select().where(kind.table.id.is_in(ids))
            await kind.after_write(actor, rows)


#: Rows in one page of a snapshot (a page of the feed holds at most ``limit`` changes).
SNAPSHOT_PAGE = 5_000


async def pull(
    actor: Actor, since_text: str | None, limit: int, *, snapshot: bool = False
) -> bytes:
    """Everything that changed for this user after ``since``, oldest first, and a new cursor:
    the JSON of a ``PullOut``, encoded here, ready to send.

    On PostgreSQL only changes of transactions that have ended below the bound are delivered
    (see ``backend/sync/cursor.py``), in ``(txid, seq)`` order; on SQLite, by ``seq``.

    With ``snapshot``, a feed that starts from nothing (no cursor, or one of another epoch)
    starts with a snapshot instead: the live rows the user may see, in the compact form, then
    the feed from where the snapshot ends. A snapshot cursor continues the snapshot.
    """
    engine = kinds()[0].table._meta.db
    current = await epoch(engine)
    since = parse_cursor(since_text, engine, current)
    if since is None:
        raise ValidationFailed(errors=[FieldError("since", "invalid")])
    if isinstance(since, Snapshot):
        return await _snapshot_page(actor, since, engine, current, reset=False)
    if snapshot and since == START:
        began = Snapshot(await feed_end(engine), START)
        return await _snapshot_page(actor, began, engine, current, reset=True)
    return await _feed_page(actor, since, limit, engine, current)


#: A change as it goes on the wire, with its feed position and its kind.
_Found = tuple[tuple[int, int], SyncKind, dict[str, Any]]


def _after_where(
    kind: SyncKind, scope: Scope, *, postgres: bool, live: bool, bound: Any = BOUND
) -> Combinable:
    """The rows of ``kind`` the user may see after the cursor: the one ``WHERE`` of every pull
    read, scope cut by the kind's ``pull_where``, on the kind's own table, with the cursor and
    the feed's end left as slots (bound by ``statements.Statement.bind``).

    PostgreSQL: rows of transactions below the bound (``bound``: the slot, or the statement's
    own ``_BOUND_READ``), after ``(txid, seq)``. SQLite: rows numbered after the cursor's
    ``seq`` up to the feed's end. ``live``: deleted rows left out (a snapshot).
    """
    clauses: list[Combinable]
    if postgres:
        clauses = [WhereRaw("(txid, seq) > ({}, {}) AND txid < {}", AFTER_TXID, AFTER_SEQ,
                            bound)]
    else:
        clauses = [WhereRaw("seq > {} AND seq <= {}", AFTER_SEQ, UPTO)]
    clauses.append(kind.pull_where(scope))
    if live:
        clauses.append(kind.table.deleted.eq(False))
    return functools.reduce(And, clauses)


def _order(engine: Engine) -> str:
    """The feed's order: ``(txid, seq)`` on PostgreSQL, ``seq`` on SQLite."""
    return "txid, seq" if is_postgres(engine) else "seq"


def _query(
    kind: SyncKind, scope: Scope, limit: int, columns: Sequence[QueryString], *, live: bool,
    bound: Any = BOUND,
) -> QueryString:
    """``columns`` of the first ``limit + 1`` rows of ``_after_where``, in feed order.

    Written, not a Piccolo select: building one cost more CPU than a small page's read."""
    engine = kind.table._meta.db
    return QueryString(
        f'SELECT {", ".join("{}" for _ in columns)} FROM "{kind.table._meta.tablename}" '
        f"WHERE {{}} ORDER BY {_order(engine)} LIMIT {int(limit) + 1}",
        *columns,
        _after_where(kind, scope, postgres=is_postgres(engine), live=live,
                     bound=bound).querystring,
    )


async def _kinds_after(
    actor: Actor, after: Cursor, engine: Engine, *, bound: int, upto: int | None, live: bool
) -> list[SyncKind]:
    """The kinds that have rows in ``_after``, found in one statement: a pull with nothing new
    costs one statement, not one a kind, and a pull reads only the kinds it will deliver.

    ``SELECT <i> FROM (<kind i's first row>) UNION ALL …``, each with the kind's own
    ``WHERE`` (``_after_where``), so the same rows are cut by the same scope as the reads.

    Each kind's part asks for its first row in feed order (``ORDER BY … LIMIT 1``), not
    ``EXISTS``: PostgreSQL drops the order of an ``EXISTS`` and, expecting a match at once,
    scanned the table from its start past every row already delivered (76 ms for a snapshot's
    last page of 52,000 logs). In feed order the probe is a seek in the index the page reads
    use (``(owner_id, txid, seq)`` for a cadre's own rows).
    """
    every = kinds()
    statement = statements.statement(actor.scope, engine, ("kinds", live),
                                     functools.partial(_kinds_query, live=live))
    found = await fetch_values(engine, statement.bind(after, bound=bound, upto=upto))
    return [every[i] for i in sorted(int(row[0]) for row in found)]


def _kinds_query(scope: Scope, *, live: bool) -> QueryString:
    """``_kinds_after``'s statement."""
    every = kinds()
    return QueryString(_firsts(every), *_first_rows(every, scope, live, BOUND))


def _firsts(every: Sequence[SyncKind]) -> str:
    """``SELECT <i> AS i FROM (<kind i's first row>) UNION ALL …``, the parts left as ``{}``.
    Only our own indices go into the text; every value the kinds' clauses hold is a
    parameter."""
    return " UNION ALL ".join(f"SELECT {i} AS i FROM ({{}}) AS k{i}" for i in range(len(every)))


def _first_rows(
    every: Sequence[SyncKind], scope: Scope, live: bool, bound: Any
) -> list[QueryString]:
    """Each kind's part of ``_firsts``: ``_query`` with ``1`` for its columns and one row."""
    return [_query(kind, scope, 0, [_ONE], live=live, bound=bound) for kind in every]


#: The bound read by the statement itself (``_bound_and_kinds``).
_BOUND_READ = QueryString("(SELECT bound FROM b)")


async def _bound_and_kinds(
    actor: Actor, after: Cursor, engine: Engine
) -> tuple[int, list[SyncKind]]:
    """PostgreSQL, a feed page: the bound (``BOUND_SQL``) and the kinds with rows below it,
    in one statement (``_kinds_after``'s, each kind cut at the bound the statement reads).
    The bound is that of the statement's own snapshot, so the kinds it finds are those of
    every transaction below it; a later read sees them too."""
    every = kinds()
    statement = statements.statement(actor.scope, engine, ("bound and kinds",),
                                     _bound_and_kinds_query)
    found = await fetch_values(engine, statement.bind(after, bound=0, upto=None))
    return int(found[0][0]), [every[i] for i in sorted(int(row[1]) for row in found
                                                       if row[1] is not None)]


def _bound_and_kinds_query(scope: Scope) -> QueryString:
    """``_bound_and_kinds``'s statement."""
    every = kinds()
    return QueryString(
        f"WITH b AS MATERIALIZED ({BOUND_SQL}) SELECT b.bound, k.i FROM b LEFT JOIN ("
        + _firsts(every) + ") AS k ON true",
        *_first_rows(every, scope, False, _BOUND_READ))


_ONE = QueryString("1")


def _wire_start(postgres: bool, *, deleted: bool) -> int:
    """Where a row of ``_wire_columns`` has its wire values (the ``id``)."""
    return (2 if postgres else 1) + deleted


def _feed_position(row: Sequence[Any], postgres: bool) -> tuple[int, int]:
    """The feed position of a row of ``_wire_columns``: ``(txid, seq)``, or ``(0, seq)`` on
    SQLite."""
    return (int(row[0]), int(row[1])) if postgres else (0, int(row[0]))


def _wire_columns(kind: SyncKind, postgres: bool, *, deleted: bool) -> list[QueryString]:
    """The select list of a kind's rows on the wire: the row's feed position (``txid`` on
    PostgreSQL, then ``seq``), ``deleted`` when asked, then from ``_wire_start`` the compact
    form (``id`` as text, ``version``, the kind's fields)."""
    table = kind.table
    seq = QueryString(value(table.seq).sql(postgres))
    return [
        *((QueryString('"txid"'), seq) if postgres else (seq,)),
        *((QueryString(value(table.deleted).sql(postgres)),) if deleted else ()),
        QueryString(uuid_text(table.id).sql(postgres)),
        QueryString(value(table.version).sql(postgres)),
        *kind.compact.columns(postgres),
    ]


def _feed_query(scope: Scope, *, kind: SyncKind, limit: int, live: bool) -> QueryString:
    """``_read_rows``' statement: a feed page's rows of ``kind``, ``deleted`` among them."""
    postgres = is_postgres(kind.table._meta.db)
    return _query(kind, scope, limit, _wire_columns(kind, postgres, deleted=True), live=live)


def _snapshot_query(scope: Scope, *, kind: SyncKind, limit: int) -> QueryString:
    """``_snapshot_rows``' statement: a snapshot page's live rows of ``kind``."""
    postgres = is_postgres(kind.table._meta.db)
    return _query(kind, scope, limit, _wire_columns(kind, postgres, deleted=False), live=True)


async def _read_rows(
    kind: SyncKind, actor: Actor, after: Cursor, limit: int, *,
    bound: int, upto: int | None, live: bool,
) -> list[_Found]:
    """The rows of ``_query`` as changes on the wire, with their feed positions.

    Selected in the wire's compact form, as a snapshot's rows are (``backend/sync/compact.py``:
    the same values as the kind's ``to_wire``, made by one compiled function a kind), rather
    than every column turned into a row dict and each field converted one by one."""
    engine = kind.table._meta.db
    postgres = is_postgres(engine)
    statement = statements.statement(
        actor.scope, engine, ("feed", kind.name, limit, live),
        functools.partial(_feed_query, kind=kind, limit=limit, live=live))
    rows = await fetch_values(engine, statement.bind(after, bound=bound, upto=upto))
    at = _wire_start(postgres, deleted=True)
    names = kind.compact.names
    return [
        (
            _feed_position(row, postgres),
            kind,
            {"kind": kind.name, "id": wired[0], "version": wired[1],
             "data": dict(zip(names, wired[2:], strict=True)), "deleted": bool(row[at - 1])},
        )
        for row, wired in zip(rows, kind.compact.rows(rows, at, postgres), strict=True)
    ]


async def _read(
    actor: Actor, found: list[SyncKind], after: Cursor, limit: int, *, bound: int,
    upto: int | None, live: bool,
) -> tuple[list[_Found], bool]:
    """The first ``limit`` rows of the kinds ``found`` to have rows the user may see, after
    ``after`` in feed order."""
    rows: list[_Found] = []
    for kind in found:
        rows += await _read_rows(kind, actor, after, limit, bound=bound, upto=upto, live=live)
    rows.sort(key=lambda f: f[0])
    return rows[:limit], len(rows) > limit


async def _feed_page(
    actor: Actor, since: Cursor, limit: int, engine: Engine, current: int
) -> bytes:
    """One page of the feed after ``since``, every kind read up to the feed's end as it stood
    before the first read, as the JSON of a ``PullOut``.

    Read and encoded as a snapshot page is (``_read_rows``): a ``Change`` model made for each
    row and dumped again by the framework cost about 6 µs a change (60 µs for a pull of ten,
    3 ms for a page of 500), more than reading it.

    Kinds are read one statement after another; a push that commits between two of them, with
    a row of a kind already read and one of a kind read later, must not be half seen (the
    later kind's higher number would carry the cursor past the other row). Rows beyond the end
    read first are left to the next pull. On SQLite the end is the counter's value (writers
    commit in the order of their numbers), read first; on PostgreSQL the bound (a transaction
    below it has ended before the reads begin, one at or above it is not read), read by the
    statement that finds the kinds with rows.
    """
    postgres = is_postgres(engine)
    if postgres:
        bound, found = await _bound_and_kinds(actor, since, engine)
        end = Cursor(bound, -1)
    else:
        end = await feed_end(engine)
        found = await _kinds_after(actor, since, engine, bound=end.txid, upto=end.seq,
                                   live=False)
    page, more = await _read(actor, found, since, limit, bound=end.txid,
                             upto=None if postgres else end.seq, live=False)
    changes = [change for _, _, change in page]
    # A full page stops inside the feed; otherwise everything up to the end has been read.
    cursor = Cursor(*page[-1][0]) if more else max(end, since)
    return msgspec.json.encode({
        "changes": changes, "cursor": cursor.text(engine, current), "more": more,
        "snapshot": None,
    })


@dataclass
class _Part:
    """One kind's share of a snapshot page: its rows' feed positions, and the selected rows."""

    kind: SyncKind
    keys: list[tuple[int, int]]
    rows: list[Sequence[Any]]


async def _snapshot_rows(
    kind: SyncKind, actor: Actor, snap: Snapshot, limit: int, engine: Engine
) -> _Part:
    """Up to ``limit + 1`` live rows of ``kind`` in the snapshot after ``snap.after``, selected
    in the wire's compact form."""
    postgres = is_postgres(engine)
    bound, upto = snap.upto.txid, None if postgres else snap.upto.seq
    statement = statements.statement(
        actor.scope, engine, ("snapshot", kind.name, limit),
        functools.partial(_snapshot_query, kind=kind, limit=limit))
    rows = await fetch_values(engine, statement.bind(snap.after, bound=bound, upto=upto))
    return _Part(kind, [_feed_position(r, postgres) for r in rows], rows)


def _block(part: _Part, count: int, postgres: bool) -> dict[str, Any]:
    """The first ``count`` rows of ``part`` as a compact block."""
    kind = part.kind
    rows = kind.compact.rows(part.rows[:count], _wire_start(postgres, deleted=False), postgres)
    return {"kind": kind.name, "fields": ["id", "version", *kind.compact.names], "rows": rows}


async def _snapshot_page(
    actor: Actor, snap: Snapshot, engine: Engine, current: int, *, reset: bool
) -> bytes:
    """One page of a snapshot, as the JSON of a ``PullOut``; the last page hands over to the
    feed at ``snap.upto``.

    Every kind is read as the wire values it sends (``backend/sync/compact.py``) and the page
    is encoded once, stored JSON passed through as it is.
    """
    limit = SNAPSHOT_PAGE
    upto = None if is_postgres(engine) else snap.upto.seq
    found = await _kinds_after(actor, snap.after, engine, bound=snap.upto.txid, upto=upto,
                               live=True)
    parts = [await _snapshot_rows(kind, actor, snap, limit, engine) for kind in found]
    # The page: the first ``limit`` rows of all kinds in feed order. Each kind's rows come in
    # that order, so the page holds a leading run of each; blocks in order of first row.
    merged = heapq.merge(*([(key, i) for key in part.keys] for i, part in enumerate(parts)))
    page = list(itertools.islice(merged, limit + 1))
    more = len(page) > limit
    page = page[:limit]
    counts = collections.Counter(i for _, i in page)
    order = dict.fromkeys(i for _, i in page)
    postgres = is_postgres(engine)
    cursor = (
        Snapshot(snap.upto, Cursor(*page[-1][0])).text(engine, current)
        if more
        else snap.upto.text(engine, current)
    )
    blocks = [_block(parts[i], counts[i], postgres) for i in order]
    # After the last page the feed follows from the snapshot's end: ask again at once.
    return msgspec.json.encode({
        "changes": [], "cursor": cursor, "more": True,
        "snapshot": {"reset": reset, "complete": not more, "blocks": blocks},
    })
