"""PostgreSQL connections go back to the pool without asyncpg's reset query
(``core/db._keep_session``): that is only right while no code leaves session state behind on
a connection. These checks read every SQL the backend sends and fail on the first that
would."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

BACKEND = Path(__file__).resolve().parents[3] / "backend"

#: Session state that ``pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`` would undo.
SESSION_STATE = {
    "a session advisory lock (use pg_advisory_xact_lock)": re.compile(
        r"pg_(try_)?advisory_lock(_shared)?\s*\(", re.I),
    "LISTEN": re.compile(r"""["'(]\s*LISTEN\s""", re.I),
    "a cursor declared WITH HOLD": re.compile(r"\bWITH\s+HOLD\b", re.I),
    "a session SET (use SET LOCAL or set_config(..., true))": re.compile(
        r"""(^|[(=,\s])[fr]?["']\s*SET\s+(SESSION\s+)?(?!LOCAL\b)[a-z_.]+\s*(=|TO\b)""", re.I),
    "set_config(..., false)": re.compile(r"set_config\s*\([^)]*,\s*false\s*\)", re.I),
}


def _sources() -> list[Path]:
    return sorted(p for p in BACKEND.rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("what", sorted(SESSION_STATE))
def test_no_code_leaves_session_state_on_a_pooled_connection(what: str) -> None:
    pattern = SESSION_STATE[what]
    found = [f"{p.relative_to(BACKEND)}:{n}" for p in _sources()
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if pattern.search(line)]
    assert not found, f"{what} in {found}: the pool's reset would no longer undo it"


@pytest.mark.parametrize("line", [
    'await fetch(engine, "SELECT pg_advisory_lock({})", key)',
    "await connection.execute('LISTEN outbox')",
    '"SET statement_timeout = 0"',
    "\"SELECT set_config('app.user', 'x', false)\"",
])
def test_the_checks_see_session_state(line: str) -> None:
    assert any(p.search(line) for p in SESSION_STATE.values())


@pytest.mark.parametrize("line", [
    'await fetch(engine, "SELECT pg_advisory_xact_lock({})", key)',
    '"SET LOCAL statement_timeout = 0"',
    'table.update({table.seq: seq}).where(table.id == record_id)',
    '"UPDATE t SET value = value + 1"',
    'f\'UPDATE "{name}" SET txid = 0\'',
])
def test_the_checks_pass_transaction_state(line: str) -> None:
    assert not any(p.search(line) for p in SESSION_STATE.values())
