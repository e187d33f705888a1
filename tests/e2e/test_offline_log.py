"""A cadre works offline all day: the app opens offline, keeps the log, and sends it once.

Twice: in a browser with a service worker, and in one without (the in-app browsers of 政务钉钉,
企业微信 and WeChat), where the page cannot be opened offline but nothing entered is lost.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from tests.e2e.support import (
    CADRE_A,
    SHANGHAI,
    UI_TIMEOUT_MS,
    VILLAGE,
    entry,
    login,
    make_photo_jpeg,
    open_outbox,
    unique_text,
    wait_for_service_worker,
    write_log,
)


def _screens_warmed(page: Page) -> None:
    """Without a service worker the app loads the cadre's screens while online (HTTP cache)."""
    page.wait_for_function(
        "['Outbox-', 'Month-', 'Settings-'].every(n =>"
        " performance.getEntriesByType('resource').some(e => e.name.includes(n)))",
        timeout=UI_TIMEOUT_MS,
    )


@pytest.mark.e2e
@pytest.mark.parametrize("context", ["allow", "block"], indirect=True)
def test_offline_visit_with_photo_and_location_reaches_the_server_once(
    request, context, page, server, village_centre, shot
):
    with_sw = request.node.callspec.params["context"] == "allow"
    suffix = "" if with_sw else "-no-sw"
    context.grant_permissions(["geolocation"], origin=server.url)
    context.set_geolocation(village_centre)

    page.goto("/")
    expect(page.get_by_role("heading", name="登录驻村")).to_be_visible()
    shot(page, "login" + suffix)
    login(page, CADRE_A)
    expect(page.get_by_test_id("header-village")).to_have_text("红岩村")
    if with_sw:
        wait_for_service_worker(page)
        # No network at all: the shell comes from the service worker's precache.
        context.set_offline(True)
        page.reload()
    else:
        _screens_warmed(page)
        context.set_offline(True)
        # The app says plainly that this browser cannot open it offline.
        expect(page.get_by_test_id("no-offline-shell")).to_contain_text("不能在没有信号时打开")
    expect(page.get_by_test_id("log-form")).to_be_visible()
    expect(page.get_by_test_id("net-state")).to_have_attribute("data-online", "false")
    expect(page.get_by_test_id("net-state")).to_have_text("离线")

    text = unique_text("走访脱贫户，了解春耕用工情况")
    sha = write_log(page, text, photo=make_photo_jpeg(), with_location=True)
    item = entry(page, text)
    expect(item).to_have_attribute("data-status", "pending")
    expect(item).to_contain_text("1 张照片")
    expect(item).to_contain_text("含位置")
    expect(page.get_by_test_id("outbox-count")).to_have_text("1")
    item.scroll_into_view_if_needed()
    shot(page, "today-offline-with-entry" + suffix)

    if with_sw:
        # Still offline, the page reloads: the entry is kept on the phone, unsent.
        page.reload()
        item = entry(page, text)
        expect(item).to_have_attribute("data-status", "pending")
        expect(page.get_by_test_id("outbox-count")).to_have_text("1")
    open_outbox(page)
    outbox_item = page.get_by_test_id("outbox-item").filter(has_text=text)
    expect(outbox_item).to_have_attribute("data-status", "pending")
    expect(page.get_by_test_id("outbox-photo")).to_have_attribute("data-sha256", sha)
    shot(page, "outbox-offline-pending" + suffix)
    assert server.work_logs(CADRE_A, text) == [], "the log reached the server while offline"

    if with_sw:
        # Back online: the `online` event (or the retry schedule) sends photo, then log.
        context.set_offline(False)
    else:
        # No service worker: the browser cannot reload the page without signal (as far as it
        # allows, nothing more)…
        with pytest.raises(PlaywrightError):
            page.reload()
        # …but the log and its photo wait in IndexedDB: with signal the app opens still
        # logged in, and sends them.
        context.set_offline(False)
        page.goto("/#/outbox")
    expect(page.get_by_test_id("outbox-empty")).to_be_visible()
    expect(page.get_by_test_id("outbox-count")).to_have_count(0)
    expect(page.get_by_test_id("last-sync")).not_to_have_text("尚未同步")
    shot(page, "outbox-synced")
    page.get_by_test_id("nav-today").click()
    expect(entry(page, text)).to_have_attribute("data-status", "applied")
    entry(page, text).scroll_into_view_if_needed()
    shot(page, "today-synced")

    logs = server.work_logs(CADRE_A, text)
    assert len(logs) == 1, logs
    data = logs[0]["data"]
    assert data["evidence"] == [sha]
    assert data["village_code"] == VILLAGE
    assert data["kind"] == "visit"
    assert data["date"] == datetime.now(SHANGHAI).date().isoformat()
    loc = data["location"]
    assert loc is not None
    assert abs(loc["lat"] - village_centre["latitude"]) < 1e-5
    assert abs(loc["lon"] - village_centre["longitude"]) < 1e-5
    assert "outside_fence" not in {f.get("code") for f in data.get("flags") or []}
    photo = server.get(f"/api/evidence/{sha}", CADRE_A)
    assert photo.status_code == 200, photo.text

    # The month view counts the day from the synced log.
    page.get_by_test_id("nav-month").click()
    today = datetime.now(SHANGHAI).date().isoformat()
    logged_today = [
        c
        for c in server.pull_all(CADRE_A)
        if c.get("kind") == "work_log"
        and not c.get("deleted")
        and (c.get("data") or {}).get("date") == today
    ]
    expect(page.locator(f'[data-testid="month-day"][data-date="{today}"]')).to_have_attribute(
        "data-logs", str(len(logged_today))
    )
    shot(page, "month")
