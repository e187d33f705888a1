"""The month from the cadre's phone to the township's: state days, submit, confirm or return."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.e2e.review_steps import (
    REVIEWER_QINGSHAN,
    REVIEWER_SHIQIAO,
    day,
    me,
    post,
    second_phone,
    state_day,
    submit_month,
    sync,
    this_month,
    today,
)
from tests.e2e.support import login, open_outbox, unique_text, write_log

#: Cadres of 青山镇 that no other browser test uses.
CADRE_CONFIRMED = "13900000007"
CADRE_RETURNED = "13900000010"
#: Cadres of 石桥镇 (village 529901002201), for the bulk confirmation.
CADRE_CLEAN_1 = "13900000022"
CADRE_CLEAN_2 = "13900000023"
CADRE_FLAGGED = "13900000024"


def _stated_day() -> str:
    """A day of this month other than today when there is one."""
    d = date.fromisoformat(today())
    return (d.replace(day=1) if d.day > 1 else d).isoformat()


@pytest.mark.e2e
def test_cadre_submits_and_township_confirms(browser, context, page, server, shot):
    cadre = me(server, CADRE_CONFIRMED)
    page.goto("/")
    login(page, CADRE_CONFIRMED)

    # A log today drafts today in the village; another day is stated as official business.
    write_log(page, unique_text("走访脱贫户，核对务工收入"))
    page.get_by_test_id("nav-month").click()
    expect(page.get_by_test_id("sheet-state")).to_have_attribute("data-state", "draft")
    expect(day(page, today())).to_have_attribute("data-status", "in_village")
    expect(day(page, today())).to_have_attribute("data-source", "drafted")
    stated = _stated_day()
    state_day(page, stated, "official_business", "县里参加驻村工作培训")
    shot(page, "month-stated")
    village_days = 2 if stated != today() else 1
    expect(page.get_by_test_id("month-count")).to_have_attribute("data-village", str(village_days))
    expect(page.get_by_test_id("month-confirmed")).to_have_text("本月确认 0 天 / 应驻 20 天")

    # Submitting sends what is unsent first, then freezes the month.
    submit_month(page)
    expect(day(page, stated)).to_have_attribute("data-status", "official_business")
    expect(day(page, stated)).to_have_attribute("data-source", "stated")
    shot(page, "month-submitted")
    open_outbox(page)  # away from the month, which refetches when online
    r = server.get(f"/api/fieldwork/presence/{cadre['id']}/{this_month()}", CADRE_CONFIRMED)
    assert r.json()["state"] == "submitted" and r.json()["village_days"] == village_days, r.text

    # The cadre's phone goes offline; the township confirms meanwhile on its own phone.
    context.set_offline(True)
    with second_phone(browser, server) as reviewer:
        reviewer.goto("/")
        login(reviewer, REVIEWER_QINGSHAN)
        expect(reviewer.get_by_role("heading", name="审核")).to_be_visible()
        card = reviewer.locator(f'[data-testid="sheet-card"][data-cadre="{cadre["id"]}"]')
        expect(card).to_have_count(1)
        expect(card.get_by_test_id("sheet-days")).to_contain_text(
            f"驻村 {village_days} 天 / 应驻 20 天"
        )
        card.get_by_test_id("sheet-show-days").click()
        expect(card.get_by_test_id("sheet-calendar")).to_be_visible()
        shot(reviewer, "review-sheets")
        card.get_by_test_id("sheet-confirm").click()
        expect(reviewer.get_by_test_id("review-notice")).to_contain_text("已确认")
        expect(card).to_have_count(0)
        shot(reviewer, "review-confirmed")

    # Back online, a sync pulls the confirmed sheet; offline again, the month shows it.
    context.set_offline(False)
    sync(page)
    context.set_offline(True)
    page.get_by_test_id("nav-month").click()
    expect(page.get_by_test_id("sheet-state")).to_have_attribute("data-state", "confirmed")
    expect(page.get_by_test_id("sheet-state-label")).to_have_text("已确认")
    expect(page.get_by_test_id("month-confirmed")).to_have_text(
        f"本月确认 {village_days} 天 / 应驻 20 天"
    )
    expect(page.get_by_test_id("submit-month")).to_have_count(0)
    shot(page, "month-confirmed")
    context.set_offline(False)

    # The year's eligibility, with its reasons (never a ranking).
    card = page.get_by_test_id("eligibility")
    expect(card).to_have_attribute("data-eligible", "false")
    expect(card.get_by_test_id("eligibility-verdict")).to_have_text("暂不符合")
    expect(card.get_by_test_id("eligibility-reasons")).to_contain_text("确认驻村")
    card.evaluate("e => e.scrollIntoView({block: 'center'})")
    shot(page, "month-eligibility")

    # The notice of the confirmation is in the inbox.
    page.get_by_test_id("nav-inbox").click()
    notice = page.get_by_test_id("inbox-item").filter(has_text="驻村天数已确认")
    expect(notice).to_have_count(1)
    expect(notice).to_have_attribute("data-unread", "true")


@pytest.mark.e2e
def test_returned_month_reaches_the_inbox_and_is_submitted_again(browser, page, server, shot):
    cadre = me(server, CADRE_RETURNED)
    page.goto("/")
    login(page, CADRE_RETURNED)
    write_log(page, unique_text("参加村两委会议"))
    page.get_by_test_id("nav-month").click()
    submit_month(page)

    reason = "11 月 3 日的会议记录缺少参会人员，请补充后重新提交"
    with second_phone(browser, server) as reviewer:
        reviewer.goto("/")
        login(reviewer, REVIEWER_QINGSHAN)
        card = reviewer.locator(f'[data-testid="sheet-card"][data-cadre="{cadre["id"]}"]')
        card.get_by_test_id("sheet-return").click()
        # The reason is required.
        card.get_by_test_id("return-send").click()
        expect(card.get_by_test_id("sheet-error")).to_have_text("请填写退回原因")
        card.get_by_test_id("return-reason-input").fill(reason)
        shot(reviewer, "review-return")
        card.get_by_test_id("return-send").click()
        expect(reviewer.get_by_test_id("review-notice")).to_contain_text("已退回")

    # After a sync the notice is in the cadre's inbox, unread, in Chinese.
    sync(page)
    expect(page.get_by_test_id("inbox-count")).to_have_text("1")
    page.get_by_test_id("nav-inbox").click()
    notice = page.get_by_test_id("inbox-item").filter(has_text="驻村天数报告单被退回")
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text(reason)
    expect(notice).to_have_attribute("data-unread", "true")
    shot(page, "inbox-returned")

    # Tapping it opens the month it is about, and marks it read through the outbox.
    notice.get_by_test_id("inbox-open").click()
    expect(page).to_have_url(f"{server.url}/#/month/{this_month()}")
    expect(page.get_by_test_id("sheet-state")).to_have_attribute("data-state", "returned")
    expect(page.get_by_test_id("return-reason")).to_contain_text(reason)
    expect(page.get_by_test_id("inbox-count")).to_have_count(0)
    shot(page, "month-returned")
    sync(page)
    inbox = [c for c in server.pull_all(CADRE_RETURNED) if c["kind"] == "inbox"]
    returned = [c for c in inbox if c["data"]["event"] == "presence.returned"]
    assert len(returned) == 1 and returned[0]["data"]["read_at"], returned

    # A returned month can be corrected and submitted again.
    page.get_by_test_id("nav-month").click()
    state_day(page, _stated_day(), "official_business", "补充会议记录")
    page.get_by_test_id("submit-month").click()
    page.get_by_test_id("submit-confirm").click()
    expect(page.get_by_test_id("sheet-state")).to_have_attribute("data-state", "submitted")


@pytest.mark.e2e
def test_submit_needs_a_connection_and_loses_nothing(context, page, shot):
    page.goto("/")
    login(page, "13900000008")
    page.get_by_test_id("nav-month").click()
    expect(page.get_by_test_id("sheet-state")).to_have_attribute("data-state", "draft")
    context.set_offline(True)
    expect(page.get_by_test_id("submit-offline")).to_contain_text("提交本月需要联网")
    expect(page.get_by_test_id("submit-month")).to_be_disabled()
    # Stating a day still works offline; it waits in the outbox.
    state_day(page, today(), "in_village", "")
    expect(day(page, today())).to_have_attribute("data-local", "pending")
    expect(page.get_by_test_id("outbox-count")).to_have_text("1")
    shot(page, "month-offline")
    context.set_offline(False)
    expect(page.get_by_test_id("submit-month")).to_be_enabled()


@pytest.mark.e2e
def test_bulk_confirm_of_clean_sheets_reports_each(browser, page, server, shot):
    month = this_month()
    ids = {}
    for phone in (CADRE_CLEAN_1, CADRE_CLEAN_2, CADRE_FLAGGED):
        ids[phone] = me(server, phone)["id"]
    # A log far outside the village fence gets a verification note.
    far = {
        "village_code": "529901002201",
        "date": today(),
        "kind": "visit",
        "text": "在县城办事",
        "household_ids": [],
        "location": {"lat": 39.9, "lon": 116.4, "accuracy_m": 10},
        "evidence": [],
    }
    r = post(
        server,
        "/api/sync/push",
        CADRE_FLAGGED,
        {
            "items": [
                {"kind": "work_log", "id": str(uuid.uuid4()), "base_version": None, "data": far}
            ]
        },
    )
    assert r.json()["results"][0]["status"] == "applied", r.text
    for phone in ids:
        r = post(server, "/api/fieldwork/presence/submit", phone, {"month": month})
        assert r.status_code == 200, r.text

    page.goto("/")
    login(page, REVIEWER_SHIQIAO)
    cards = page.get_by_test_id("sheet-card")
    expect(cards).to_have_count(3)
    flagged = page.locator(f'[data-testid="sheet-card"][data-cadre="{ids[CADRE_FLAGGED]}"]')
    expect(flagged.get_by_test_id("sheet-flagged")).to_be_visible()
    expect(page.get_by_test_id("bulk-confirm")).to_have_text("批量确认无核验提示的 2 份")

    # Someone else confirms one of the clean sheets first, on another phone.
    queue = server.get(
        "/api/fieldwork/presence/sheets", REVIEWER_SHIQIAO, params={"state": "submitted"}
    )
    first = next(s for s in queue.json() if s["cadre_id"] == ids[CADRE_CLEAN_1])
    r = post(
        server,
        f"/api/fieldwork/presence/sheets/{first['id']}/confirm",
        "13800000001",
        {"version": first["version"]},
    )
    assert r.status_code == 200, r.text

    page.get_by_test_id("bulk-confirm").click()
    page.get_by_test_id("bulk-confirm-yes").click()
    results = page.get_by_test_id("bulk-result")
    expect(results).to_have_count(2)
    expect(results.filter(has_text="已被他人处理")).to_have_count(1)
    expect(page.locator('[data-testid="bulk-result"][data-ok="true"]')).to_have_count(1)
    # The flagged sheet is left for a look of its own.
    expect(cards).to_have_count(1)
    expect(flagged).to_have_count(1)
    shot(page, "review-bulk")
