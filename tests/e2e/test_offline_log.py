"""A cadre works offline all day: the app opens offline, keeps the log, and sends it once."""

from __future__ import annotations

from datetime import datetime

import pytest
from playwright.sync_api import expect

from tests.e2e.support import (
    CADRE_A,
    SHANGHAI,
    VILLAGE,
    entry,
    login,
    make_photo_jpeg,
    unique_text,
    wait_for_service_worker,
    write_log,
)


@pytest.mark.e2e
def test_offline_visit_with_photo_and_location_reaches_the_server_once(
    context, page, server, village_centre, shot
):
    context.grant_permissions(["geolocation"], origin=server.url)
    context.set_geolocation(village_centre)

    page.goto("/")
    expect(page.get_by_role("heading", name="登录驻村")).to_be_visible()
    shot(page, "login")
    login(page, CADRE_A)
    expect(page.get_by_test_id("header-village")).to_have_text("红岩村")
    wait_for_service_worker(page)

    # No network at all: the shell comes from the service worker's precache.
    context.set_offline(True)
    page.reload()
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
    shot(page, "today-offline-with-entry")

    # Still offline, the page reloads: the entry is kept on the phone, unsent.
    page.reload()
    item = entry(page, text)
    expect(item).to_have_attribute("data-status", "pending")
    expect(page.get_by_test_id("outbox-count")).to_have_text("1")
    page.get_by_test_id("nav-outbox").click()
    outbox_item = page.get_by_test_id("outbox-item").filter(has_text=text)
    expect(outbox_item).to_have_attribute("data-status", "pending")
    expect(page.get_by_test_id("outbox-photo")).to_have_attribute("data-sha256", sha)
    shot(page, "outbox-offline-pending")
    assert server.work_logs(CADRE_A, text) == [], "the log reached the server while offline"

    # Back online: the `online` event (or the retry schedule) sends photo, then log.
    context.set_offline(False)
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
    expect(page.locator(f'[data-testid="month-day"][data-date="{today}"]')).to_have_attribute(
        "data-logs", "1"
    )
    shot(page, "month")
