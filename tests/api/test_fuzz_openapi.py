"""OpenAPI fuzzing (Schemathesis): whatever any role sends to any documented endpoint, the
answer is never a server error, and every error is a problem-details document."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

ROLES = ["admin_a", "reviewer_x", "cadre_x1", "finance_a"]


def _document() -> dict:
    from backend.app import create_app
    from backend.core.settings import Settings
    from tests.conftest import DB_URL

    return create_app(Settings(database_url=DB_URL, env="test")).openapi_schema.to_schema()


schema = schemathesis.openapi.from_dict(_document())


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_causes_a_server_error(case, client, world):
    who = ROLES[hash(case.formatted_path) % len(ROLES)]
    kwargs = case.as_transport_kwargs(base_url="http://testserver.local",
                                      headers=world.headers(who))
    response = client.request(**{k: v for k, v in kwargs.items()
                                 if k in {"method", "url", "params", "headers", "json",
                                          "content", "data"}})
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:500])
    if response.status_code >= 400 and response.content:
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert {"type", "title", "status", "detail"} <= problem.keys()


# --- hostile bodies on every documented endpoint that takes one (issue 13) -------------------

_HOSTILE = {
    "deep_lists": b"[" * 50_000,
    "deep_objects": b'{"a":' * 5_000 + b"1" + b"}" * 5_000,
    "huge_integer": b'{"version": 99999999999999999999999999999999, "items": [1e300]}',
    "huge_float": b'{"version": 8.7e32, "year": 1e308}',
    "nul_text": b'{"text": "a\\u0000b", "name": "\\u0000", "summary": "x\\u0000"}',
    "long_list": b"[" + b"0," * 20_000 + b"0]",
}


def _body_operations() -> list[tuple[str, str]]:
    doc = _document()
    out = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            content = (op.get("requestBody") or {}).get("content") or {}
            if "application/json" in content:
                out.append((method.upper(), path))
    return sorted(out)


def _fill(path: str) -> str:
    import re

    values = {"county_code": "529801", "year": "2026", "code": "529801001201",
              "village_code": "529801001201", "month": "2026-03", "sha256": "0" * 64,
              "unit_code": "529801001"}
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1),
                                                     "00000000-0000-7000-8000-000000000000"),
                  path)


@pytest.mark.parametrize("method, path", _body_operations())
def test_hostile_bodies_never_cause_a_server_error(client, world, method, path):
    for name, body in _HOSTILE.items():
        for who in ("admin_a", "cadre_x1"):
            r = client.request(method, _fill(path), content=body,
                               headers={**world.headers(who), "content-type": "application/json"})
            assert r.status_code < 500, (name, who, method, path, r.text[:300])
            assert r.headers["content-type"].startswith("application/problem+json"), (
                name, method, path, r.status_code)
