"""Two cadres share one phone: each sees only their own unsent work, and nothing is lost."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Route, expect

from tests.e2e.support import (
    CADRE_A,
    CADRE_B,
    CADRE_D,
    CADRE_E,
    CADRE_OTHER,
    entry,
    login,
    logout,
    make_photo_jpeg,
    open_outbox,
    unique_text,
    wait_for_service_worker,
    wait_until,
    write_log,
)

PUSH = "**/api/sync/push"
EVIDENCE = "**/api/evidence/*"
PULL = "**/api/sync/pull*"
REFRESH = "**/api/auth/refresh"


@pytest.mark.e2e
def test_second_user_does_not_see_first_users_unsent_work(context, page, server, shot):
    page.goto("/")
    login(page, CADRE_A)
    wait_for_service_worker(page)

    # A writes a log with no network and logs out, the log still unsent.
    context.set_offline(True)
    text_a = unique_text("甲：入户核实危房改造进度")
    write_log(page, text_a)
    expect(entry(page, text_a)).to_have_attribute("data-status", "pending")
    logout(page, expect_unsent=1)
    context.set_offline(False)

    # B logs in on the same phone (same browser profile).
    login(page, CADRE_B)
    expect(page.get_by_role("heading", name="工作日志")).to_be_visible()
    expect(page.get_by_text(text_a)).to_have_count(0)
    expect(page.get_by_test_id("entry-item")).to_have_count(0)
    expect(page.get_by_test_id("outbox-count")).to_have_count(0)
    open_outbox(page)
    expect(page.get_by_test_id("outbox-empty")).to_be_visible()
    expect(page.get_by_text(text_a)).to_have_count(0)
    page.get_by_test_id("nav-me").click()
    expect(page.get_by_test_id("settings-user")).to_contain_text(CADRE_B)
    shot(page, "shared-phone-second-user")

    # B's own work goes out under B's name; A's stays on the phone, unsent.
    text_b = unique_text("乙：参加村两委会议")
    write_log(page, text_b)
    expect(entry(page, text_b)).to_have_attribute("data-status", "applied")
    expect(page.get_by_text(text_a)).to_have_count(0)
    assert len(server.work_logs(CADRE_B, text_b)) == 1
    assert server.work_logs(CADRE_A, text_a) == [], "A's log was sent during B's session"
    assert server.work_logs(CADRE_B, text_a) == [], "A's log was sent as B"
    logout(page, expect_unsent=None)

    # A logs back in: the log is still there (pushes held back to see it unsent), then syncs.
    page.route(PUSH, lambda route: route.abort())
    login(page, CADRE_A)
    expect(entry(page, text_a)).to_have_attribute("data-status", "pending")
    expect(page.get_by_test_id("outbox-count")).to_have_text("1")
    expect(page.get_by_text(text_b)).to_have_count(0)
    page.unroute(PUSH)
    open_outbox(page)
    page.get_by_test_id("sync-now").click()
    expect(page.get_by_test_id("outbox-empty")).to_be_visible()
    page.get_by_test_id("nav-today").click()
    expect(entry(page, text_a)).to_have_attribute("data-status", "applied")
    expect(page.get_by_text(text_b)).to_have_count(0)

    assert len(server.work_logs(CADRE_A, text_a)) == 1
    assert len(server.work_logs(CADRE_B, text_b)) == 1
    assert server.work_logs(CADRE_B, text_a) == []


@pytest.mark.e2e
def test_switching_user_mid_sync_never_sends_the_first_users_work(page, server):
    """A sync that was under way when A logged out must not go on with B's token."""
    held: list[Route] = []

    def hold_photo(route: Route) -> None:
        if route.request.method == "PUT":
            held.append(route)  # answered later, after the switch
        else:
            route.continue_()

    page.route(EVIDENCE, hold_photo)
    page.goto("/")
    login(page, CADRE_D)
    text = unique_text("丁：走访独居老人")
    write_log(page, text, photo=make_photo_jpeg())
    wait_until(page, lambda: bool(held), "the photo upload to start")

    # A's flush is waiting on the photo; A logs out and B logs in on the same phone.
    logout(page, expect_unsent=1)
    login(page, CADRE_E)
    pulls: list[str] = []
    page.on("request", lambda r: pulls.append(r.url) if "/api/sync/pull" in r.url else None)
    for route in held:
        route.continue_()
    page.unroute(EVIDENCE, hold_photo)
    # A's interrupted flush ends (a push, if any, comes before its pull), then B's own runs.
    wait_until(page, lambda: bool(pulls), "a pull after the switch")
    open_outbox(page)
    expect(page.get_by_test_id("last-sync")).not_to_have_text("尚未同步")
    expect(page.get_by_test_id("outbox-empty")).to_be_visible()
    expect(page.get_by_text(text)).to_have_count(0)
    assert server.work_logs(CADRE_E, text) == [], "A's log was pushed with B's session"
    page.get_by_test_id("nav-today").click()
    expect(page.get_by_text(text)).to_have_count(0)

    # Back as A, the log is still A's, and it reaches the server once, as A's.
    logout(page)
    login(page, CADRE_D)
    expect(entry(page, text)).to_have_attribute("data-status", "applied")
    assert len(server.work_logs(CADRE_D, text)) == 1
    assert server.work_logs(CADRE_E, text) == []


@pytest.mark.e2e
def test_logging_out_during_a_token_refresh_stays_logged_out(page):
    """A refresh answered after the logout must not log the phone back in."""
    held: list[tuple[Route, Any]] = []

    def hold_refresh(route: Route) -> None:
        held.append((route, route.fetch()))  # the server renews the session ...

    page.goto("/")
    login(page, CADRE_OTHER)
    open_outbox(page)
    expect(page.get_by_test_id("last-sync")).not_to_have_text("尚未同步")

    # The access token "expires": the next pull gets 401 and the app refreshes.
    page.route(REFRESH, hold_refresh)
    page.route(
        PULL, lambda route: route.fulfill(status=401, json={"title": "Unauthorized", "status": 401})
    )
    page.get_by_test_id("sync-now").click()
    wait_until(page, lambda: bool(held), "the token refresh")
    page.unroute(PULL)

    # ... but the phone hears of it only after the cadre has logged out.
    logout(page)
    with page.expect_response(REFRESH):
        for route, response in held:
            route.fulfill(response=response)
    page.unroute(REFRESH)
    page.wait_for_timeout(500)  # let the app handle the late answer
    assert page.evaluate("localStorage.getItem('zhucun.session')") is None
    page.reload()
    expect(page.get_by_test_id("login-submit")).to_be_visible()
    expect(page.get_by_test_id("nav-me")).to_have_count(0)
