"""Sessions kept by an API process between requests, on PostgreSQL (``accounts/kept_sessions``).

Each change is made here as another API process (or an operator at ``psql``) would make it: by
SQL on a connection of its own, which this process knows nothing of but the database's notice.
The change must be refused (or seen) at the first request after its notice arrives, which must
take well under a second; while this process does not listen, at once, by reading the session.
"""

from __future__ import annotations

import base64
import json
import time
import uuid

import asyncpg
import pytest

from backend.accounts.kept_sessions import KEPT, NOTICES
from tests.api.test_sync import pull_all
from tests.statements import Statements
from tests.world import COUNTY_A, PASSWORD

pytestmark = pytest.mark.postgres_only


def _sid(token: str) -> uuid.UUID:
    """The session id an access token carries (its payload read, not verified)."""
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return uuid.UUID(claims["extras"]["sid"])


def _session_of(world, who: str) -> uuid.UUID:
    return _sid(world.tokens[who])


def _elsewhere(settings, sql: str, *args) -> None:
    """Run ``sql`` on a connection of its own, as another process would, and commit."""
    import asyncio

    async def go() -> None:
        connection = await asyncpg.connect(settings.database_url)
        try:
            await connection.execute(sql, *args)
        finally:
            await connection.close()

    asyncio.run(go())


def _until(condition, within: float = 2.0) -> float:
    """Seconds until ``condition()`` held (fails the test past ``within``)."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < within, "the notice did not arrive in time"
        time.sleep(0.005)
    return time.monotonic() - started


def _me(client, world, who: str) -> int:
    return client.get("/api/auth/me", headers=world.headers(who)).status_code


def test_a_session_ended_elsewhere_is_refused_once_its_notice_arrives(client, world, settings):
    sid = _session_of(world, "cadre_x1")
    assert _me(client, world, "cadre_x1") == 200
    assert KEPT.get(sid) is not None  # kept: the next request reads nothing
    with Statements() as sent:
        assert _me(client, world, "cadre_x1") == 200
    assert not [s for s in sent.sql if "ACCOUNT_SESSION" in s], sent.sql

    _elsewhere(settings, "UPDATE account_session SET revoked_at = now() WHERE id = $1", sid)
    assert _until(lambda: KEPT.get(sid) is None) < 1.0
    assert _me(client, world, "cadre_x1") == 401
    assert _me(client, world, "cadre_x2") == 200  # another's session is untouched


def test_a_user_disabled_elsewhere_is_refused_once_its_notice_arrives(client, world, settings):
    sid = _session_of(world, "cadre_x1")
    assert _me(client, world, "cadre_x1") == 200 and KEPT.get(sid) is not None
    _elsewhere(settings, "UPDATE account_user SET active = false WHERE id = $1",
               world.ids["cadre_x1"])
    _until(lambda: KEPT.get(sid) is None)
    assert _me(client, world, "cadre_x1") == 401


def test_a_logout_here_is_refused_at_the_next_request(client, world):
    """Through the API: the logout's own notice reaches this process too."""
    login = client.post("/api/auth/login", json={"phone": world.phone("cadre_x1"),
                                                 "password": PASSWORD})
    assert login.status_code == 200, login.text
    tokens = login.json()
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert client.get("/api/auth/me", headers=bearer).status_code == 200
    assert client.post("/api/auth/logout",
                       json={"refresh_token": tokens["refresh_token"]}).status_code == 204
    sid = _sid(tokens["access_token"])
    _until(lambda: KEPT.get(sid) is None)
    assert client.get("/api/auth/me", headers=bearer).status_code == 401


def test_a_role_granted_elsewhere_is_in_the_scope_once_its_notice_arrives(client, world,
                                                                         settings):
    """The reference-data version moves (a trigger of the role grants): every kept session is
    read again, with the new version, so the scope is resolved again."""
    assert _me(client, world, "cadre_x1") == 200
    people = "/api/accounts/roster/people"
    assert client.get(people, headers=world.headers("cadre_x1")).status_code == 403
    _elsewhere(settings, "INSERT INTO account_role_grant (id, account, role, division_code) "
               "VALUES ($1, $2, 'county_admin', $3)", uuid.uuid4(), world.ids["cadre_x1"], COUNTY_A)
    _until(lambda: KEPT.get(_session_of(world, "cadre_x1")) is None)
    assert client.get(people, headers=world.headers("cadre_x1")).status_code == 200


def test_without_listening_every_request_reads_its_session(client, world, settings, monkeypatch):
    """The listening connection is cut (an operator, a restart of PostgreSQL) and cannot be
    made again for a while: meanwhile nothing is kept and a session ended is refused at once;
    then the process listens again by itself."""
    refused, connect = [True], NOTICES._connect

    async def connect_unless_refused():
        if refused[0]:
            raise ConnectionRefusedError("PostgreSQL is restarting")
        await connect()

    monkeypatch.setattr(NOTICES, "_connect", connect_unless_refused)
    monkeypatch.setattr(NOTICES, "retry_after", 0.05)
    sid = _session_of(world, "cadre_x1")
    assert _me(client, world, "cadre_x1") == 200 and KEPT.get(sid) is not None
    _elsewhere(settings, "SELECT pg_terminate_backend($1)", NOTICES._connection.get_server_pid())
    _until(lambda: not NOTICES.listening)
    assert KEPT.get(sid) is None
    _elsewhere(settings, "UPDATE account_session SET revoked_at = now() WHERE id = $1", sid)
    assert _me(client, world, "cadre_x1") == 401  # no wait: the session was read
    assert _me(client, world, "cadre_x2") == 200
    assert KEPT.get(_session_of(world, "cadre_x2")) is None  # read, not kept
    refused[0] = False
    _until(lambda: NOTICES.listening, within=5.0)
    assert _me(client, world, "cadre_x2") == 200
    assert KEPT.get(_session_of(world, "cadre_x2")) is not None


def test_a_pull_with_nothing_new_is_one_statement(client, world):
    _, cursor = pull_all(client, world, "cadre_x1")
    with Statements() as sent:
        again, _ = pull_all(client, world, "cadre_x1", since=cursor)
    assert again == []
    assert len(sent.sql) == 1, sent.sql

