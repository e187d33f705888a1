"""UI steps shared by the review, leave, feedback and dashboard browser tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import httpx
from playwright.sync_api import Browser, Page, expect

from tests.e2e.support import SHANGHAI, UI_TIMEOUT_MS, Server, open_outbox

#: Township reviewers of the demo county: 青山镇 (cadres 13900000001–021) and 石桥镇 (022–042).
REVIEWER_QINGSHAN = "13800000101"
REVIEWER_SHIQIAO = "13800000102"
QINGSHAN = "529901001"


def today() -> str:
    return datetime.now(SHANGHAI).date().isoformat()


def this_month() -> str:
    return today()[:7]


@contextmanager
def second_phone(browser: Browser, server: Server) -> Iterator[Page]:
    """Another phone (its own browser context) at 360×740, failing on any page error."""
    ctx = browser.new_context(
        base_url=server.url,
        viewport={"width": 360, "height": 740},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        service_workers="allow",
    )
    ctx.set_default_timeout(UI_TIMEOUT_MS)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        yield page
    finally:
        ctx.close()
    assert not errors, f"uncaught errors in the second phone: {errors}"


def me(server: Server, phone: str) -> dict[str, Any]:
    r = server.get("/api/auth/me", phone)
    assert r.status_code == 200, r.text
    return r.json()


def post(server: Server, path: str, phone: str, body: Any) -> httpx.Response:
    with server.http() as c:
        return c.post(path, json=body, headers={"Authorization": f"Bearer {server.token(phone)}"})


def sync(page: Page) -> None:
    """Outbox → 立即同步, and wait for that sync (push, then pull) to finish without error."""
    open_outbox(page)
    stamp = page.get_by_test_id("last-sync")
    expect(stamp).to_be_visible()
    before = stamp.get_attribute("data-at") or ""
    page.get_by_test_id("sync-now").click()
    try:
        page.wait_for_function(
            """before => {
                const el = document.querySelector('[data-testid="last-sync"]');
                return el && el.dataset.running === 'false'
                    && el.dataset.at && el.dataset.at !== before;
            }""",
            arg=before,
            timeout=UI_TIMEOUT_MS,
        )
    except Exception:
        error = page.get_by_test_id("sync-error")
        detail = error.inner_text() if error.count() else "no error shown"
        raise AssertionError(f"sync did not finish: {detail}") from None


def day(page: Page, date: str) -> Any:
    return page.locator(f'[data-testid="month-day"][data-date="{date}"]')


def state_day(page: Page, date: str, status: str, note: str = "") -> None:
    """On 本月: tap a day, choose its status (and a note), save."""
    day(page, date).click()
    editor = page.get_by_test_id("day-editor")
    expect(editor).to_be_visible()
    page.get_by_test_id(f"day-status-{status}").click()
    if note:
        page.get_by_test_id("day-note").fill(note)
    page.get_by_test_id("day-save").click()
    expect(editor).to_have_count(0)
    expect(day(page, date)).to_have_attribute("data-status", status)


def submit_month(page: Page) -> None:
    """On 本月: 提交本月 → 确认提交, and see it submitted."""
    page.get_by_test_id("submit-month").click()
    page.get_by_test_id("submit-confirm").click()
    expect(page.get_by_test_id("sheet-state")).to_have_attribute("data-state", "submitted")
    expect(page.get_by_test_id("sheet-state-label")).to_have_text("已提交")
