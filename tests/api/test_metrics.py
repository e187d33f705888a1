"""``/metrics``: Prometheus text with requests, latencies, sync items by result and the outbox
depth, for the machine itself or with the metrics token; 404 otherwise, and through a proxy."""

from __future__ import annotations

import re

import pytest
from pydantic import SecretStr

from tests.api.test_sync import item, log_data, push


@pytest.fixture
def token(settings, monkeypatch):
    monkeypatch.setattr(settings, "metrics_token", SecretStr("scrape-me-0123456789"))
    return {"Authorization": "Bearer scrape-me-0123456789"}


def test_metrics_count_requests_and_sync_items(client, world, token):
    push(client, world, "cadre_x1", item(log_data("记一条")), item({"bad": 1}))
    r = client.get("/metrics", headers=token)
    assert r.status_code == 200
    body = r.text
    assert 'zhucun_sync_items_total{kind="work_log",result="applied"}' in body
    assert 'zhucun_sync_items_total{kind="work_log",result="rejected"}' in body
    assert "zhucun_outbox_depth 0.0" in body
    assert 'method="POST",path="/api/sync/push"' in body
    assert "zhucun_request_duration_seconds_bucket" in body


def _series(body: str, name: str, path: str, status: str = "200", method: str = "GET") -> float:
    pattern = (rf'^{name}\{{app_name="zhucun",method="{method}",path="{re.escape(path)}",'
               rf'status_code="{status}"\}} ([0-9.e+-]+)$')
    found = re.findall(pattern, body, flags=re.M)
    return float(found[0]) if found else 0.0


def test_each_request_is_counted_once_by_route_and_status_and_none_is_left_running(
        client, world, token):
    before = client.get("/metrics", headers=token).text
    for _ in range(3):
        assert client.get("/api/health").status_code == 200
    r = client.get("/api/health", headers={"X-Request-ID": "abcdef0123456789"})
    assert r.headers.get_list("x-request-id") == ["abcdef0123456789"]  # echoed once
    after = client.get("/metrics", headers=token).text
    assert _series(after, "zhucun_requests_total", "/api/health") - _series(
        before, "zhucun_requests_total", "/api/health") == 4
    assert _series(after, "zhucun_request_duration_seconds_count", "/api/health") - _series(
        before, "zhucun_request_duration_seconds_count", "/api/health") == 4
    running = re.findall(r'^zhucun_requests_in_progress\{app_name="zhucun",method="GET"\} (\S+)$',
                         after, flags=re.M)
    assert running == ["0.0"]  # three done, none left running
    assert 'path="/metrics"' not in after  # the scrape itself is not counted


def test_answers_given_before_a_route_runs_carry_the_id_and_are_counted(client, token):
    """401 (no login), 404 (no such path) and 405 (no such method on a route) are answered
    before or without a route's own layers: they carry the request id and are counted, the
    unmatched paths under one label so that a scanner cannot grow the series."""
    before = client.get("/metrics", headers=token).text
    rid = {"X-Request-ID": "probe-0123456789"}
    assert client.get("/api/auth/me", headers=rid).status_code == 401
    for path in ("/api/no-such-thing", "/api/no-such-thing/else"):
        r = client.get(path, headers=rid)
        assert r.status_code == 404 and r.headers["x-request-id"] == "probe-0123456789"
    r = client.delete("/api/health", headers=rid)
    assert r.status_code == 405 and r.headers["x-request-id"] == "probe-0123456789"
    r = client.request("PROPFIND", "/api/health")
    assert len(r.headers["x-request-id"]) == 32  # a fresh id when none was sent
    after = client.get("/metrics", headers=token).text

    def grew(path: str, status: str, method: str = "GET") -> float:
        return (_series(after, "zhucun_requests_total", path, status, method)
                - _series(before, "zhucun_requests_total", path, status, method))

    assert grew("(unmatched)", "404") == 2
    assert "/api/no-such-thing" not in after
    assert grew("/api/health", "405", "DELETE") + grew("(unmatched)", "405", "DELETE") == 1
    assert grew("/api/health", "405", "OTHER") + grew("(unmatched)", "405", "OTHER") == 1


def test_metrics_need_the_token_from_elsewhere(client, token):
    assert client.get("/metrics").status_code == 404  # the test client is not loopback
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    proxied = {**token, "X-Forwarded-For": "203.0.113.9"}
    assert client.get("/metrics", headers=proxied).status_code == 200  # the token opens it
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 404


def test_json_log_lines_carry_the_request_id(client, world):
    import json
    import logging

    from backend.core.logs import REQUEST_ID, JsonFormatter

    token = REQUEST_ID.set("req-12345678")
    try:
        record = logging.LogRecord("zhucun", logging.WARNING, __file__, 1, "保存失败 %s", ("x",),
                                   None)
        line = json.loads(JsonFormatter().format(record))
    finally:
        REQUEST_ID.reset(token)
    assert line["request_id"] == "req-12345678" and line["message"] == "保存失败 x"
    access = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                               '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5", "GET", "/api/health", "1.1", 200), None)
    line = json.loads(JsonFormatter().format(access))
    assert (line["method"], line["path"], line["status"]) == ("GET", "/api/health", 200)
