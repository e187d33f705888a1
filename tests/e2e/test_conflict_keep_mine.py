"""保留我的版本 on a conflict sends the kept version at once (#14.6), on top of the server's."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from playwright.sync_api import Route, expect

from tests.e2e.support import CADRE_E, entry, login, unique_text, wait_until, write_log

PUSH = "**/api/sync/push"


@pytest.mark.e2e
def test_keeping_my_version_sends_it_at_once(page, server, shot):
    pushes: list[dict[str, Any]] = []

    def answer_conflict(route: Route) -> None:
        """The first push meets another phone's edit: a conflict with the server copy."""
        body = route.request.post_data_json
        pushes.append(body)
        item = body["items"][0]
        server_copy = {"kind": item["kind"], "id": item["id"], "version": 1, "deleted": False,
                       "data": {**item["data"], "text": item["data"]["text"] + "（另一台手机）"}}
        route.fulfill(status=200, content_type="application/json", body=json.dumps(
            {"results": [{"id": item["id"], "status": "conflict", "version": 1,
                          "server": server_copy}]}))

    page.goto("/")
    login(page, CADRE_E)
    page.route(PUSH, answer_conflict)
    text = unique_text("入户核实危房改造")
    write_log(page, text)
    wait_until(page, lambda: bool(pushes), "the push that meets a conflict")
    page.unroute(PUSH, answer_conflict)

    sent: list[dict[str, Any]] = []
    page.on("request", lambda r: sent.append(r.post_data_json)
            if r.url.endswith("/api/sync/push") else None)
    page.get_by_test_id("nav-outbox").click()
    keep = page.get_by_test_id("conflict-keep-mine")
    expect(keep).to_be_visible()
    shot(page, "outbox-conflict")
    clicked = time.monotonic()
    keep.click()
    # At once: well before the 5 s the sync schedule would wait (and no 立即同步 pressed).
    expect(page.get_by_test_id("outbox-empty")).to_be_visible(timeout=4_000)
    assert time.monotonic() - clicked < 4.5
    [kept] = [i for body in sent for i in body["items"]]
    assert kept["data"]["text"] == text and kept["base_version"] == 1
    assert len(server.work_logs(CADRE_E, text)) == 1
    page.get_by_test_id("nav-today").click()
    expect(entry(page, text)).to_have_attribute("data-status", "applied")
