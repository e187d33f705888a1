"""A push that fails, is cut off, or whose answer is lost neither loses nor duplicates a log."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from tests.e2e.support import (
    CADRE_C,
    entry,
    login,
    open_outbox,
    unique_text,
    wait_until,
    write_log,
)

PUSH = "**/api/sync/push"


def swap_route(page: Page, old: Callable[[Route], Any], new: Callable[[Route], Any]) -> None:
    """Replace the push handler with no gap in between: the newest route wins, then drop the old."""
    page.route(PUSH, new)
    page.unroute(PUSH, old)


def results_for(answer: dict, item_id: str) -> list[dict]:
    return [r for r in answer.get("results", []) if r.get("id") == item_id]


@pytest.mark.e2e
def test_failed_cut_and_lost_pushes_keep_exactly_one_copy(page, server, shot):
    calls = {"error": 0, "dropped": 0}
    lost: list[dict] = []

    def server_error(route: Route) -> None:
        calls["error"] += 1
        route.fulfill(
            status=500,
            content_type="application/problem+json",
            body=json.dumps(
                {
                    "type": "about:blank",
                    "title": "Internal Server Error",
                    "status": 500,
                    "detail": "测试：服务器故障",
                }
            ),
        )

    def dropped(route: Route) -> None:
        calls["dropped"] += 1
        route.abort("connectionreset")

    def answer_lost(route: Route) -> None:
        response = route.fetch()  # the push reaches the server and is applied ...
        lost.append(response.json())
        route.abort("connectionreset")  # ... but the phone never hears the answer

    page.goto("/")
    login(page, CADRE_C)

    # 1. The server fails (500): the log stays, unsent.
    page.route(PUSH, server_error)
    text = unique_text("调解邻里宅基地纠纷")
    write_log(page, text)
    item_id = entry(page, text).get_attribute("data-id")
    assert item_id
    wait_until(page, lambda: calls["error"] >= 1, "a push answered 500")
    open_outbox(page)
    expect(page.get_by_test_id("sync-error")).to_contain_text("测试：服务器故障")
    outbox_item = page.get_by_test_id("outbox-item").filter(has_text=text)
    expect(outbox_item).to_have_attribute("data-status", "pending")
    expect(page.get_by_test_id("outbox-count")).to_have_text("1")
    shot(page, "outbox-server-error")
    assert server.work_logs(CADRE_C, text) == []

    # 2. The connection drops: still there, still unsent, nothing on the server.
    swap_route(page, server_error, dropped)
    page.get_by_test_id("sync-now").click()
    wait_until(page, lambda: calls["dropped"] >= 1, "a dropped push")
    expect(page.get_by_test_id("sync-error")).to_contain_text("网络不可用")
    expect(outbox_item).to_have_attribute("data-status", "pending")
    assert server.work_logs(CADRE_C, text) == []

    # 3. The push is applied but its answer is lost: the server has it, the phone does not know.
    swap_route(page, dropped, answer_lost)
    page.get_by_test_id("sync-now").click()
    wait_until(page, lambda: bool(lost), "a push whose answer is lost")
    first = results_for(lost[0], item_id)
    assert [r["status"] for r in first] == ["applied"], lost[0]
    expect(page.get_by_test_id("sync-error")).to_be_visible()
    expect(outbox_item).to_have_attribute("data-status", "pending")
    assert len(server.work_logs(CADRE_C, text)) == 1

    # 4. The network is back: the resend is recognised as a duplicate and the item settles.
    answers: list[dict] = []

    def on_response(response: Any) -> None:
        if response.url.endswith("/api/sync/push") and response.ok:
            answers.append(response.json())

    page.on("response", on_response)
    page.unroute(PUSH, answer_lost)
    page.get_by_test_id("sync-now").click()
    expect(page.get_by_test_id("outbox-empty")).to_be_visible()
    expect(page.get_by_test_id("sync-error")).to_have_count(0)
    expect(page.get_by_test_id("outbox-count")).to_have_count(0)
    page.remove_listener("response", on_response)
    statuses = [r["status"] for a in answers for r in results_for(a, item_id)]
    assert statuses and set(statuses) == {"duplicate"}, answers

    page.get_by_test_id("nav-today").click()
    expect(entry(page, text)).to_have_attribute("data-status", "applied")
    logs = server.work_logs(CADRE_C, text)
    assert len(logs) == 1, logs
    assert logs[0]["id"] == item_id
    assert logs[0]["version"] == first[0]["version"]
