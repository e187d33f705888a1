"""Every route's dependencies resolve one at a time (settings → ctx → actor).

Litestar resolves the dependencies of a step that do not depend on one another in an anyio
task group, a task each (litestar#4563): a push with ``actor`` and ``ctx`` side by side paid
about a tenth of its CPU for two plain functions. ``backend/core/http`` chains them instead."""

from __future__ import annotations

from litestar.routes import HTTPRoute
from litestar.testing import TestClient

from backend.core.http import check_request


def test_every_route_resolves_its_dependencies_one_at_a_time(client: TestClient) -> None:
    routes = [route for route in client.app.routes if isinstance(route, HTTPRoute)]
    side_by_side = {
        f"{method} {route.path}": [sorted(d.key for d in step) for step in model.dependency_batches]
        for route in routes
        for method, (_, model) in route.route_handler_map.items()
        if any(len(step) > 1 for step in model.dependency_batches)
    }
    assert side_by_side == {}
    chained = [
        [next(iter(step)).key for step in model.dependency_batches]
        for route in routes
        for _, model in route.route_handler_map.values()
    ]
    assert ["settings", "ctx", "actor"] in chained  # the chain is there, not only absent pairs


def test_the_actor_is_still_refused_without_a_session(client: TestClient) -> None:
    answer = client.get("/api/sync/pull")
    assert answer.status_code == 401
    assert answer.json()["code"] == "unauthorized"


def test_every_route_runs_the_request_checks(client: TestClient) -> None:
    """The checks run as the app's ``before_request``, and Litestar runs only the closest one:
    a route with its own would skip them (a guard would have added to them)."""
    skipping = [
        f"{method} {route.path}"
        for route in client.app.routes if isinstance(route, HTTPRoute)
        for method, (handler, _) in route.route_handler_map.items()
        if handler.resolve_before_request() is not check_request
    ]
    assert skipping == []
