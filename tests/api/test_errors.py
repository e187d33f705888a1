"""Bad input anywhere gets one problem-details shape; nothing partial is stored."""

from __future__ import annotations

import pytest

from backend.accounts.tables import User


@pytest.mark.parametrize(
    "body, field, code",
    [
        ({}, "phone", "required"),
        ({"phone": 13100000001, "password": "x"}, "phone", "not_text"),
        ({"phone": "13100000001", "password": "x", "extra": 1}, "extra", "unknown_field"),
    ],
)
def test_validation_errors_name_the_field(client, body, field, code):
    r = client.post("/api/auth/login", json=body)
    assert r.status_code == 422
    problem = r.json()
    assert {"type", "title", "status", "detail", "errors"} <= problem.keys()
    assert any(e["field"] == field and e["code"] == code for e in problem["errors"]), problem
    assert all(e["message"] for e in problem["errors"])


def test_not_json_is_a_problem_not_a_crash(client):
    r = client.post(
        "/api/auth/login", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code in {400, 422}
    assert r.json()["status"] == r.status_code


def test_huge_body_is_refused_with_413(client, world):
    r = client.post(
        "/api/geo/divisions/import",
        content=b"x" * (13 * 1024 * 1024),
        headers=world.headers("admin_a"),
    )
    assert r.status_code == 413
    assert r.json()["code"] == "payload_too_large"


def test_unknown_route_and_method(client):
    assert client.get("/api/nothing-here").json()["code"] == "route_not_found"
    r = client.delete("/api/health")
    assert r.status_code == 405 and r.json()["code"] == "method_not_allowed"


def test_create_user_with_unknown_division_stores_nothing(client, world, run):
    before = run(User.count().run)
    r = client.post(
        "/api/accounts/users",
        headers=world.headers("admin_a"),
        json={
            "phone": "13300000000",
            "name": "新人",
            "password": "long-enough-1",
            "roles": [{"role": "cadre", "division_code": "529801009999"}],
        },
    )
    assert r.status_code in {404, 422}
    assert run(User.count().run) == before


def test_unexpected_error_is_a_500_problem(client, world, monkeypatch):
    from backend.accounts import services

    async def boom(*a, **k):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(services, "list_users", boom)
    r = client.get("/api/accounts/users", headers=world.headers("admin_a"))
    assert r.status_code == 500
    assert r.json()["code"] == "internal_error" and "kaboom" not in r.text
