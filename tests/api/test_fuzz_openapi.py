"""OpenAPI fuzzing (Schemathesis): whatever any role sends to any documented endpoint, the
answer is never a server error, and every error is a problem-details document."""

from __future__ import annotations

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
