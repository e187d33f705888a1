"""Login, refresh, logout and password change over HTTP (throttling: test_auth_security)."""

from __future__ import annotations

import datetime as dt

from tests.world import PASSWORD


def login(client, phone, password=PASSWORD, lang="zh-CN"):
    return client.post(
        "/api/auth/login",
        json={"phone": phone, "password": password},
        headers={"Accept-Language": lang},
    )


def test_login_returns_tokens_user_roles_and_scope(client, world):
    r = login(client, world.phone("cadre_x1"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 30 * 60
    assert body["user"]["roles"] == ["cadre"]
    assert body["user"]["scope"]["own_villages"] == ["529801001201"]
    posting = body["user"]["postings"][0]
    assert posting["village_name"] == "一村" and posting["township_name"] == "甲一镇"
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200 and me.json()["id"] == body["user"]["id"]


def test_wrong_password_is_401_in_chinese_by_default_and_english_on_request(client, world):
    r = login(client, world.phone("cadre_x1"), "nope-nope")
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["title"] == "手机号或密码不正确"
    r = login(client, world.phone("cadre_x1"), "nope-nope", lang="en-US,en;q=0.9")
    assert r.json()["title"] == "Wrong phone number or password"
    assert login(client, "13999999999", "whatever").status_code == 401


def test_success_after_failures_logs_in(client, world):
    phone = world.phone("cadre_x2")
    for _ in range(4):
        assert login(client, phone, "bad-password").status_code == 401
    assert login(client, phone).status_code == 200
    for _ in range(4):
        assert login(client, phone, "bad-password").status_code == 401
    assert login(client, phone).status_code == 200


def test_refresh_keeps_working_and_logout_revokes(client, world):
    body = login(client, world.phone("cadre_y1")).json()
    again = client.post("/api/auth/refresh", json={"refresh_token": body["refresh_token"]})
    assert again.status_code == 200
    # A lost answer is harmless: the same refresh token works twice.
    assert (
        client.post("/api/auth/refresh", json={"refresh_token": body["refresh_token"]}).status_code
        == 200
    )
    access = again.json()["access_token"]
    assert (
        client.post("/api/auth/logout", json={"refresh_token": body["refresh_token"]}).status_code
        == 204
    )
    assert (
        client.post("/api/auth/refresh", json={"refresh_token": body["refresh_token"]}).status_code
        == 401
    )
    # The access token of a revoked session is refused too.
    r = client.get("/api/auth/me", headers={"Authorization": f"Bearer {access}"})
    assert r.status_code == 401


def test_idle_session_expires(client, world, run):
    from backend.accounts.tables import Session

    body = login(client, world.phone("cadre_y1")).json()
    run(
        Session.update({Session.last_used_at: dt.datetime.now(dt.UTC) - dt.timedelta(days=61)})
        .where(Session.revoked_at.is_null())
        .run
    )
    r = client.post("/api/auth/refresh", json={"refresh_token": body["refresh_token"]})
    assert r.status_code == 401 and r.json()["code"] == "token_invalid"


def test_password_change(client, world):
    h = world.headers("cadre_x1")
    r = client.post(
        "/api/auth/password",
        headers=h,
        json={"current_password": "wrong", "new_password": "new-password-1"},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "current_password"
    r = client.post(
        "/api/auth/password",
        headers=h,
        json={"current_password": PASSWORD, "new_password": "short"},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "password_too_short"
    r = client.post(
        "/api/auth/password",
        headers=h,
        json={"current_password": PASSWORD, "new_password": "Kq7-lantern-ridge"},
    )
    assert r.status_code == 204
    assert login(client, world.phone("cadre_x1")).status_code == 401
    assert login(client, world.phone("cadre_x1"), "Kq7-lantern-ridge").status_code == 200


def test_missing_bad_and_garbage_tokens(client, world):
    assert client.get("/api/auth/me").json()["code"] == "unauthorized"
    r = client.get("/api/auth/me", headers={"Authorization": "Bearer not.a.jwt"})
    assert r.status_code == 401 and r.json()["code"] == "token_invalid"
    forged = world.tokens["cadre_x1"][:-4] + "AAAA"
    assert (
        client.get("/api/auth/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    )
