"""Issue 13, tried as an attacker would: temporary passwords, sessions, tokens and keys,
login throttling without lock-out, and bounded Argon2 work."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import uuid

import httpx
import pytest

from backend.accounts import passwords
from backend.accounts.tables import LoginFailure, Session
from backend.accounts.tokens import ALGORITHM, _token_class, issue_access_token
from backend.audit.tables import AuditEvent
from backend.core.errors import ServiceUnavailable
from backend.core.settings import (
    DEMO_SECRET,
    EXAMPLE_SECRET,
    InsecureSettings,
    Settings,
    secret_bits,
)
from tests.world import PASSWORD

NOBODY = "00000000-0000-7000-8000-000000000000"
NEW_PASSWORD = "Kq7-lantern-ridge"


def login(client, phone, password=PASSWORD, *, ip="10.0.0.1", lang="zh-CN"):
    return client.post(
        "/api/auth/login",
        json={"phone": phone, "password": password},
        headers={"Accept-Language": lang, "X-Real-IP": ip},
    )


def bearer(token, lang="zh-CN"):
    return {"Authorization": f"Bearer {token}", "Accept-Language": lang}


def actions(run):
    return [a["action"] for a in run(AuditEvent.select(AuditEvent.action).run)]


@pytest.fixture
def fast_slowdown(settings):
    """The per-phone slowdown at a hundredth of its real length (the rule is tested alone)."""
    before = settings.login_slowdown_base_seconds, settings.login_slowdown_max_seconds
    settings.login_slowdown_base_seconds, settings.login_slowdown_max_seconds = 0.005, 0.02
    yield settings
    settings.login_slowdown_base_seconds, settings.login_slowdown_max_seconds = before


# --- temporary passwords ---------------------------------------------------------------------


def test_reset_password_gives_a_temporary_password_that_must_be_changed(client, world, run):
    old_token = world.tokens["cadre_x1"]
    r = client.post(f"/api/accounts/users/{world.ids['cadre_x1']}/reset-password",
                    headers=world.headers("admin_a"))
    assert r.status_code == 200, r.text
    temporary = r.json()["temporary_password"]
    assert len(temporary) >= 12
    # Every session of the person ended with the reset.
    assert client.get("/api/auth/me", headers=bearer(old_token)).status_code == 401
    assert login(client, world.phone("cadre_x1")).status_code == 401
    body = login(client, world.phone("cadre_x1"), temporary).json()
    assert body["must_change_password"] is True
    h = bearer(body["access_token"])
    for method, path in [("GET", "/api/auth/me"), ("GET", "/api/sync/pull"),
                         ("GET", "/api/accounts/sessions"), ("GET", "/api/claims/mine")]:
        r = client.request(method, path, headers=h)
        assert r.status_code == 403 and r.json()["code"] == "password_change_required", path
    assert client.get("/api/auth/me", headers=bearer(body["access_token"], "en")).json()[
        "title"] == "Please change your temporary password first"
    # A common password is refused even now; then the change lets everything through.
    r = client.post("/api/accounts/password", headers=h,
                    json={"current_password": temporary, "new_password": "password123"})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "password_common"
    r = client.post("/api/accounts/password", headers=h,
                    json={"current_password": temporary, "new_password": NEW_PASSWORD})
    assert r.status_code == 204, r.text
    assert client.get("/api/auth/me", headers=h).status_code == 200
    assert login(client, world.phone("cadre_x1"), NEW_PASSWORD).json()[
        "must_change_password"] is False
    assert {"accounts.password_reset", "auth.password_changed"} <= set(actions(run))


def test_logout_still_works_with_a_temporary_password(client, world):
    temporary = client.post(f"/api/accounts/users/{world.ids['cadre_y1']}/reset-password",
                            headers=world.headers("admin_a")).json()["temporary_password"]
    body = login(client, world.phone("cadre_y1"), temporary).json()
    assert client.post("/api/auth/logout",
                       json={"refresh_token": body["refresh_token"]}).status_code == 204


@pytest.mark.parametrize("who, target, expected", [
    ("admin_b", "cadre_x1", 404),
    ("admin_b", NOBODY, 404),
    ("admin_a", "cadre_z1", 404),
    ("reviewer_x", "cadre_x1", 403),
    ("cadre_x1", "cadre_x1", 403),
    ("finance_a", "cadre_x1", 403),
])
def test_reset_and_end_sessions_only_within_the_county(client, world, who, target, expected):
    person = world.ids.get(target, target)
    for action in ("reset-password", "end-sessions"):
        r = client.post(f"/api/accounts/users/{person}/{action}", headers=world.headers(who))
        assert r.status_code == expected, (action, r.text)
    # The target's own token still works: nothing happened to them.
    if target in world.tokens:
        assert client.get("/api/auth/me", headers=world.headers(target)).status_code == 200


def test_an_account_made_by_an_admin_starts_with_a_temporary_password(client, world):
    r = client.post("/api/accounts/users", headers=world.headers("admin_a"), json={
        "phone": "13312340000", "name": "新同志",
        "roles": [{"role": "cadre", "division_code": "529801001202"}]})
    assert r.status_code == 201, r.text
    temporary = r.json()["temporary_password"]
    assert temporary and login(client, "13312340000", temporary).json()["must_change_password"]
    # A password the admin types is temporary too, and must not be a common one.
    r = client.post("/api/accounts/users", headers=world.headers("admin_a"), json={
        "phone": "13312340001", "name": "又一位", "password": "12345678",
        "roles": [{"role": "cadre", "division_code": "529801001202"}]})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "password_common"
    r = client.post("/api/accounts/users", headers=world.headers("admin_a"), json={
        "phone": "13312340001", "name": "又一位", "password": "Vt4-harbour-moss",
        "roles": [{"role": "cadre", "division_code": "529801001202"}]})
    assert r.status_code == 201 and r.json()["temporary_password"] is None
    assert login(client, "13312340001", "Vt4-harbour-moss").json()["must_change_password"]


@pytest.mark.parametrize("new, code", [
    ("12345678", "password_common"),
    ("password", "password_common"),
    ("woaini1314", "password_common"),
    ("aaaaaaaaaaaa", "password_common"),
    ("13100000001", "password_is_phone"),
    ("me13100000001", "password_is_phone"),
    ("short", "password_too_short"),
    (PASSWORD, "password_unchanged"),
])
def test_a_new_password_is_not_common_nor_the_phone(client, world, new, code):
    r = client.post("/api/accounts/password", headers=world.headers("cadre_x1", "en"),
                    json={"current_password": PASSWORD, "new_password": new})
    assert r.status_code == 422, r.text
    err = r.json()["errors"][0]
    assert (err["field"], err["code"]) == ("new_password", code) and err["message"]


# --- sessions --------------------------------------------------------------------------------


def test_my_sessions_can_be_listed_and_ended(client, world, run):
    phone = world.phone("reviewer_y")
    first = login(client, phone, ip="10.1.1.1").json()
    second = client.post("/api/auth/login", json={"phone": phone, "password": PASSWORD},
                         headers={"X-Real-IP": "10.1.1.2",
                                  "User-Agent": "Mozilla/5.0 (Android 14)"}).json()
    sessions = client.get("/api/accounts/sessions",
                          headers=bearer(second["access_token"])).json()
    assert len(sessions) >= 2
    current = [s for s in sessions if s["current"]]
    assert len(current) == 1 and current[0]["ip"] == "10.1.1.2"
    assert current[0]["user_agent"].startswith("Mozilla/5.0 (Android")
    other = next(s for s in sessions if s["ip"] == "10.1.1.1")
    r = client.delete(f"/api/accounts/sessions/{other['id']}",
                      headers=bearer(second["access_token"]))
    assert r.status_code == 204
    assert client.get("/api/auth/me", headers=bearer(first["access_token"])).status_code == 401
    assert client.post("/api/auth/refresh",
                       json={"refresh_token": first["refresh_token"]}).status_code == 401
    # Someone else's session is as unknown as a made-up id.
    theirs = run(Session.select(Session.id).where(
        Session.account == world.ids["admin_a"]).first().run)["id"]
    for sid in (theirs, uuid.uuid4()):
        r = client.delete(f"/api/accounts/sessions/{sid}", headers=bearer(second["access_token"]))
        assert r.status_code == 404
    assert client.get("/api/auth/me", headers=world.headers("admin_a")).status_code == 200
    assert "auth.session_ended" in actions(run)


def test_an_admin_ends_a_persons_sessions(client, world, run):
    body = login(client, world.phone("cadre_x2")).json()
    r = client.post(f"/api/accounts/users/{world.ids['cadre_x2']}/end-sessions",
                    headers=world.headers("admin_a"))
    assert r.status_code == 200 and r.json()["ended"] >= 2
    assert client.get("/api/auth/me", headers=world.headers("cadre_x2")).status_code == 401
    assert client.post("/api/auth/refresh",
                       json={"refresh_token": body["refresh_token"]}).status_code == 401
    assert "accounts.sessions_ended" in actions(run)


def test_a_session_ends_at_its_absolute_lifetime_however_busy(client, world, run):
    body = login(client, world.phone("cadre_y1")).json()
    run(Session.update({Session.created_at: dt.datetime.now(dt.UTC) - dt.timedelta(days=91)})
        .where(Session.account == world.ids["cadre_y1"]).run)
    r = client.post("/api/auth/refresh", json={"refresh_token": body["refresh_token"]})
    assert r.status_code == 401 and r.json()["code"] == "token_invalid"
    assert client.get("/api/auth/me", headers=bearer(body["access_token"])).status_code == 401


# --- tokens and keys -------------------------------------------------------------------------


def _encode(payload: dict, key: str) -> str:
    import jwt

    return jwt.encode(payload, key, algorithm=ALGORITHM)


def test_a_token_without_a_session_is_refused(client, world, settings):
    now = int(dt.datetime.now(dt.UTC).timestamp())
    claims = {"sub": str(world.ids["admin_a"]), "iat": now, "exp": now + 600}
    forged = _encode(claims, settings.signing_key())
    r = client.get("/api/auth/me", headers=bearer(forged))
    assert r.status_code == 401 and r.json()["code"] == "token_invalid"
    # A session id that does not exist, or someone else's, is refused as well.
    other = client.blocking_portal.call(
        Session.select(Session.id).where(Session.account == world.ids["cadre_x1"]).first().run)
    for sid in (str(uuid.uuid4()), str(other["id"])):
        token = _encode({**claims, "sid": sid}, settings.signing_key())
        assert client.get("/api/auth/me", headers=bearer(token)).status_code == 401


def test_the_old_public_key_signs_nothing(client, world):
    now = int(dt.datetime.now(dt.UTC).timestamp())
    sid = client.blocking_portal.call(
        Session.select(Session.id).where(Session.account == world.ids["admin_a"]).first().run)
    for key in (DEMO_SECRET, EXAMPLE_SECRET):
        token = _encode({"sub": str(world.ids["admin_a"]), "iat": now, "exp": now + 600,
                         "sid": str(sid["id"])}, key)
        assert client.get("/api/auth/me", headers=bearer(token)).status_code == 401


def test_the_development_key_is_random_per_installation(tmp_path):
    a = Settings(env="development", secret_key_file=tmp_path / "a" / "secret_key")
    b = Settings(env="development", secret_key_file=tmp_path / "b" / "secret_key")
    assert a.signing_key() != b.signing_key()
    assert secret_bits(a.signing_key()) >= 128
    again = Settings(env="development", secret_key_file=tmp_path / "a" / "secret_key")
    assert again.signing_key() == a.signing_key()  # kept across restarts
    assert (tmp_path / "a" / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("key", [
    None, "", DEMO_SECRET, EXAMPLE_SECRET, "a" * 64, "ab" * 32, "password" * 8,
    "0123456789abcdef0123456789abcdef",
])
def test_production_refuses_a_missing_public_or_guessable_key(key):
    with pytest.raises(InsecureSettings):
        Settings(env="production", secret_key=key).check_production()


def test_production_accepts_a_random_key_and_rotation_needs_its_date():
    good = "9c1f3e7a5b2d8f604e1a9c3b7d5f2e8a1c6b4d9e0f3a7c5b8e2d1f6a4c9b3e7d"
    Settings(env="production", secret_key=good).check_production()
    with pytest.raises(InsecureSettings):
        Settings(env="production", secret_key=good, secret_key_previous=good[::-1]
                 ).check_production()
    with pytest.raises(InsecureSettings):
        Settings(env="production", secret_key=good, secret_key_previous="a" * 64,
                 secret_key_rotated_at=dt.datetime.now(dt.UTC)).check_production()


def test_key_rotation_accepts_the_old_key_for_one_token_lifetime():
    old, new = "1" * 8 + "9c1f3e7a5b2d8f604e1a9c3b7d5f2e8a", "7d3b9e5f1a2c8e4b6d0f2a9c3e5b1d7f"
    now = dt.datetime.now(dt.UTC)
    settings = Settings(secret_key=new, secret_key_previous=old,
                        secret_key_rotated_at=now - dt.timedelta(minutes=5),
                        access_token_minutes=30)
    token_cls = _token_class(settings)
    issued = int((now - dt.timedelta(minutes=10)).timestamp())
    claims = {"sub": str(uuid.uuid4()), "sid": str(uuid.uuid4()), "iat": issued,
              "exp": issued + 1800}

    def accepted(s: Settings, token: str) -> bool:
        try:
            _token_class(s).decode(token, secret=s.signing_key(), algorithm=ALGORITHM)
            return True
        except Exception:
            return False

    assert accepted(settings, _encode(claims, old))  # signed before the rotation
    assert accepted(settings, issue_access_token(settings, uuid.uuid4(), uuid.uuid4()))
    # Signed with the old key after the rotation: someone holds the old key.
    late = {**claims, "iat": int(now.timestamp()) - 1}
    assert not accepted(settings, _encode(late, old))
    # One access-token lifetime after the rotation the old key verifies nothing.
    expired = Settings(secret_key=new, secret_key_previous=old, access_token_minutes=30,
                       secret_key_rotated_at=now - dt.timedelta(minutes=31))
    assert not accepted(expired, _encode(claims, old))
    assert token_cls is not None


def test_a_checked_token_is_not_checked_again_until_it_expires(monkeypatch):
    import types

    import jwt
    import jwt.api_jwt
    from litestar.exceptions import NotAuthorizedException

    from backend.accounts import tokens

    settings = Settings(secret_key="7d3b9e5f1a2c8e4b6d0f2a9c3e5b1d7f", access_token_minutes=30)
    token_cls = _token_class(settings)
    checked = []
    real_decode = jwt.decode
    monkeypatch.setattr(jwt, "decode", lambda *a, **k: checked.append(1) or real_decode(*a, **k))

    def decode(text: str):
        return token_cls.decode(text, secret=settings.signing_key(), algorithm=ALGORITHM,
                                require_claims=["exp", "iat", "sub"])

    user, session = uuid.uuid4(), uuid.uuid4()
    text = issue_access_token(settings, user, session)
    first = decode(text)
    assert decode(text) is first and len(checked) == 1  # the second time from what was kept
    assert first.sub == str(user) and first.extras["sid"] == str(session)
    # Another text (a changed signature, or another key's) is checked in full and refused.
    forged = text[:-4] + ("AAAA" if not text.endswith("AAAA") else "BBBB")
    with pytest.raises(NotAuthorizedException):
        decode(forged)
    other = Settings(secret_key="1" * 8 + "9c1f3e7a5b2d8f604e1a9c3b7d5f2e8a")
    with pytest.raises(NotAuthorizedException):
        decode(issue_access_token(other, user, session))
    assert len(checked) == 3
    # Past its exp the kept token is checked again, and refused as expired.
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=31)

    class Later(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return later

    monkeypatch.setattr(tokens, "time", types.SimpleNamespace(time=later.timestamp))
    monkeypatch.setattr(jwt.api_jwt, "datetime", Later)
    with pytest.raises(NotAuthorizedException):
        decode(text)
    assert len(checked) == 4


# --- login throttling ------------------------------------------------------------------------


def test_one_answer_for_a_wrong_password_and_an_unknown_phone(client, world):
    wrong = login(client, world.phone("cadre_x1"), "not-the-password", lang="en")
    unknown = login(client, "13999999999", "not-the-password", lang="en")
    assert wrong.status_code == unknown.status_code == 401
    a, b = wrong.json(), unknown.json()
    assert (a["code"], a["title"], a["detail"]) == (b["code"], b["title"], b["detail"])


def test_the_owner_logs_in_while_someone_guesses_from_elsewhere(client, world, fast_slowdown,
                                                                run):
    phone = world.phone("reviewer_x")
    guesses = [login(client, phone, f"guess-{i}", ip="203.0.113.9").status_code
               for i in range(8)]
    limit = fast_slowdown.login_max_failures_per_phone_address
    assert guesses[:limit] == [401] * limit and set(guesses[limit:]) == {429}
    r = login(client, phone, PASSWORD, ip="203.0.113.9", lang="en")
    assert r.status_code == 429 and r.json()["code"] == "too_many_attempts"
    assert int(r.headers["retry-after"]) > 0 and "Too many login attempts" in r.json()["title"]
    # The owner, elsewhere, is slowed a little but never refused.
    owner = login(client, phone, PASSWORD, ip="198.51.100.7")
    assert owner.status_code == 200, owner.text
    # An unknown phone is throttled exactly the same way: throttling reveals no account.
    unknown = [login(client, "13999990000", f"guess-{i}", ip="203.0.113.10").status_code
               for i in range(limit + 1)]
    assert unknown == [401] * limit + [429]


def test_one_address_spraying_many_phones_is_stopped(client, world, fast_slowdown):
    before = fast_slowdown.login_max_failures_per_address
    fast_slowdown.login_max_failures_per_address = 8
    try:
        phones = [world.phone(w) for w in ("cadre_x1", "cadre_x2", "cadre_y1", "cadre_z1")]
        statuses = [login(client, phones[i % 4], f"guess-{i}", ip="192.0.2.50").status_code
                    for i in range(10)]
        assert statuses == [401] * 8 + [429, 429]
        # Nobody was locked out: each owner logs in from their own address.
        for phone in phones:
            assert login(client, phone, ip="198.51.100.20").status_code == 200
    finally:
        fast_slowdown.login_max_failures_per_address = before


def test_the_client_address_comes_only_from_a_trusted_proxy():
    from backend.core.http import client_address

    settings = Settings(trusted_proxies=["127.0.0.1", "10.9.0.0/16"])

    def scope(peer, *headers):
        return {"client": (peer, 5000), "headers": [(b"x-real-ip", h.encode()) for h in headers]}

    assert client_address(scope("127.0.0.1", "203.0.113.5"), settings) == "203.0.113.5"
    assert client_address(scope("10.9.3.4", "203.0.113.5"), settings) == "203.0.113.5"
    # From anyone else, the header is the client's own say-so: ignored.
    assert client_address(scope("198.51.100.1", "203.0.113.5"), settings) == "198.51.100.1"
    # Garbage or a repeated header from the proxy: the proxy's own address.
    assert client_address(scope("127.0.0.1", "evil"), settings) == "127.0.0.1"
    assert client_address(scope("127.0.0.1", "1.1.1.1", "2.2.2.2"), settings) == "127.0.0.1"


def test_failures_are_recorded_by_phone_and_address(client, world, run):
    login(client, world.phone("cadre_x1"), "nope-nope", ip="192.0.2.77")
    rows = run(LoginFailure.select().run)
    assert [(r["phone"], r["ip"]) for r in rows] == [(world.phone("cadre_x1"), "192.0.2.77")]


def test_slowdown_rule_delays_and_is_capped():
    from backend.accounts.throttle import slowdown_seconds

    s = Settings(login_slowdown_after=5, login_slowdown_base_seconds=0.5,
                 login_slowdown_max_seconds=8)
    values = [slowdown_seconds(n, s) for n in range(0, 100)]
    assert values[:5] == [0.0] * 5 and values[5] == 0.5
    assert values == sorted(values) and max(values) == 8


# --- Argon2 off the loop, bounded ------------------------------------------------------------


def test_a_flood_of_guesses_hashes_at_most_the_bound_at_once(client, world, settings):
    gate = passwords.hashing_gate()
    gate.peak = 0

    async def flood() -> tuple[list[int], int]:
        transport = httpx.ASGITransport(app=client.app, client=("127.0.0.1", 1234))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            guesses = [
                c.post("/api/auth/login", json={"phone": f"1390000{i:04d}", "password": "x"},
                       headers={"X-Real-IP": f"10.20.{i}.1"})
                for i in range(3 * settings.password_hash_concurrency + 4)
            ]
            health = c.get("/api/health")
            answers = await asyncio.gather(health, *guesses)
        return [a.status_code for a in answers], gate.peak

    statuses, peak = client.blocking_portal.call(flood)
    assert statuses[0] == 200  # the event loop kept answering during the flood
    assert set(statuses[1:]) <= {401, 503}
    assert 1 <= peak <= settings.password_hash_concurrency


def test_the_hashing_queue_is_bounded_with_a_clear_503():
    gate = passwords.HashingGate(concurrency=1, queue=0)
    started, release = threading.Event(), threading.Event()

    def slow() -> str:
        started.set()
        release.wait(5)
        return "done"

    async def scenario() -> tuple[str, str]:
        first = asyncio.ensure_future(gate.call(slow))
        while not started.is_set():
            await asyncio.sleep(0.001)
        try:
            await gate.call(slow)
            second = "ran"
        except ServiceUnavailable as exc:
            second = exc.headers.get("Retry-After", "")
        release.set()
        return await first, second

    first, second = asyncio.run(scenario())
    assert first == "done" and second.isdigit()
    assert gate.peak == 1
