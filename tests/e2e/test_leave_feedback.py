"""Leave from request to decision, heart-to-heart talks, and feedback to the county and back."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.review_steps import REVIEWER_QINGSHAN, me, second_phone, sync, today
from tests.e2e.support import COUNTY_ADMIN, login, make_photo_jpeg, unique_text

CADRE_LEAVE = "13900000016"
CADRE_FEEDBACK = "13900000013"
CADRE_TALK = "13900000019"


def _leave(page, start: str, end: str, reason: str) -> None:
    page.get_by_test_id("leave-start").fill(start)
    page.get_by_test_id("leave-end").fill(end)
    page.get_by_test_id("leave-reason").fill(reason)
    page.get_by_test_id("leave-save").click()
    expect(page.get_by_test_id("leave-saved")).to_be_visible()


@pytest.mark.e2e
def test_leave_request_decided_by_township_or_county(browser, page, server, shot):
    cadre = me(server, CADRE_LEAVE)
    start = date.fromisoformat(today()) + timedelta(days=7)
    page.goto("/")
    login(page, CADRE_LEAVE)
    page.get_by_test_id("nav-month").click()
    page.get_by_test_id("open-leave").click()
    expect(page.get_by_role("heading", name="请假", exact=True)).to_be_visible()

    short_reason = unique_text("家中老人住院")
    long_reason = unique_text("陪同子女外地就医")
    page.get_by_test_id("leave-start").fill(start.isoformat())
    page.get_by_test_id("leave-end").fill((start + timedelta(days=1)).isoformat())
    expect(page.get_by_test_id("leave-days")).to_have_text("共 2 天 · 乡镇审批")

    def iso(days: int) -> str:
        return (start + timedelta(days=days)).isoformat()

    _leave(page, iso(0), iso(1), short_reason)
    page.get_by_test_id("leave-start").fill(iso(10))
    page.get_by_test_id("leave-end").fill(iso(14))
    expect(page.get_by_test_id("leave-days")).to_contain_text("超过 3 天，县级审批")
    _leave(page, iso(10), iso(14), long_reason)
    # Sent, the form starts over (a second tap cannot send the same request twice).
    expect(page.get_by_test_id("leave-saved")).to_have_text("已发送。")
    expect(page.get_by_test_id("leave-reason")).to_have_value("")
    expect(page.get_by_test_id("leave-start")).to_have_value(today())
    expect(page.get_by_test_id("leave-days")).to_have_text("共 1 天 · 乡镇审批")
    items = page.get_by_test_id("leave-item")
    expect(items).to_have_count(2)
    for item in (items.filter(has_text=short_reason), items.filter(has_text=long_reason)):
        expect(item).to_have_attribute("data-state", "pending")
        expect(item).to_have_attribute("data-status", "applied")  # sent right away
    shot(page, "leave-list")

    with second_phone(browser, server) as reviewer:
        reviewer.goto("/")
        login(reviewer, REVIEWER_QINGSHAN)
        reviewer.get_by_test_id("review-tab-leave").click()
        cards = reviewer.locator(f'[data-testid="leave-card"][data-cadre="{cadre["id"]}"]')
        expect(cards).to_have_count(2)
        county = cards.filter(has_text=long_reason)
        expect(county).to_have_attribute("data-level", "county")
        expect(county.get_by_test_id("leave-county-only")).to_have_text(
            "超过乡镇审批权限，须由县级审批。"
        )
        expect(county.get_by_test_id("leave-approve")).to_have_count(0)
        short = cards.filter(has_text=short_reason)
        short.get_by_test_id("leave-note").fill("注意安全，按时返岗")
        shot(reviewer, "review-leave")
        short.get_by_test_id("leave-approve").click()
        expect(reviewer.get_by_test_id("review-notice")).to_contain_text("已批准")
        expect(cards).to_have_count(1)

    # The cadre sees the decision after a sync, and withdraws the other request.
    sync(page)
    page.get_by_test_id("nav-month").click()
    page.get_by_test_id("open-leave").click()
    approved = items.filter(has_text=short_reason)
    expect(approved).to_have_attribute("data-state", "approved")
    expect(approved).to_contain_text("注意安全，按时返岗")
    expect(approved.get_by_test_id("leave-cancel")).to_have_count(0)
    pending = items.filter(has_text=long_reason)
    pending.get_by_test_id("leave-cancel").click()
    pending.get_by_test_id("leave-cancel-yes").click()
    expect(pending).to_have_attribute("data-state", "cancelled")
    shot(page, "leave-decided")
    sync(page)
    leaves = {
        c["data"]["reason"]: c["data"]["state"]
        for c in server.pull_all(CADRE_LEAVE)
        if c["kind"] == "leave_request"
    }
    assert leaves == {short_reason: "approved", long_reason: "cancelled"}, leaves
    page.get_by_test_id("nav-inbox").click()
    expect(page.get_by_test_id("inbox-item").filter(has_text="已批准")).to_have_count(1)


@pytest.mark.e2e
def test_township_records_a_talk(page, server, shot):
    cadre = me(server, CADRE_TALK)
    page.goto("/")
    login(page, REVIEWER_QINGSHAN)
    page.get_by_test_id("review-tab-talks").click()
    missing = page.locator(f'[data-testid="talk-missing"][data-cadre="{cadre["id"]}"]')
    expect(missing).to_have_count(1)
    missing.get_by_role("button").click()
    expect(page.get_by_test_id("talk-cadre")).to_have_value(cadre["id"])
    summary = unique_text("了解驻村生活困难，协调解决住宿问题")
    page.get_by_test_id("talk-summary").fill(summary)
    page.get_by_test_id("talk-save").click()
    expect(page.get_by_test_id("talk-saved")).to_contain_text(cadre["name"])
    expect(missing).to_have_count(0)
    expect(page.get_by_test_id("talk-item").filter(has_text=summary)).to_have_count(1)
    shot(page, "review-talks")


@pytest.mark.e2e
def test_feedback_reaches_the_county_and_the_answer_comes_back(browser, page, server, shot):
    page.goto("/")
    login(page, CADRE_FEEDBACK)
    page.get_by_test_id("nav-me").click()
    page.get_by_test_id("settings-feedback").click()
    expect(page.get_by_role("heading", name="投诉建议", exact=True)).to_be_visible()
    text = unique_text("村里网络信号差，建议在村委会加装信号放大器")
    page.get_by_test_id("feedback-text").fill(text)
    page.get_by_test_id("feedback-photo").set_input_files(
        {"name": "IMG_0002.jpg", "mimeType": "image/jpeg", "buffer": make_photo_jpeg()}
    )
    expect(page.get_by_test_id("feedback-photo-item")).to_have_count(1)
    page.get_by_test_id("feedback-send").click()
    expect(page.get_by_test_id("feedback-saved")).to_be_visible()
    mine = page.get_by_test_id("feedback-item").filter(has_text=text)
    expect(mine).to_have_attribute("data-status", "applied")
    expect(mine).to_have_attribute("data-state", "open")
    shot(page, "feedback-written")

    answer = "已联系县电信公司，下周上门勘察。"
    with second_phone(browser, server) as admin:
        admin.goto("/")
        login(admin, COUNTY_ADMIN)
        admin.get_by_test_id("review-tab-feedback").click()
        item = admin.get_by_test_id("feedback-open-item").filter(has_text=text)
        expect(item).to_have_count(1)
        expect(item.get_by_test_id("thumb")).to_have_count(1)  # the photo, re-encoded by the server
        item.get_by_test_id("feedback-answer-text").fill(answer)
        shot(admin, "feedback-queue")
        item.get_by_test_id("feedback-answer-send").click()
        expect(admin.get_by_test_id("feedback-queue-notice")).to_contain_text("已答复")
        expect(item).to_have_count(0)

    # The answer reaches the cadre's inbox and the message itself.
    sync(page)
    expect(page.get_by_test_id("inbox-count")).to_have_text("1")
    page.get_by_test_id("nav-inbox").click()
    notice = page.get_by_test_id("inbox-item").filter(has_text="您的投诉建议已答复")
    expect(notice).to_contain_text(answer)
    shot(page, "inbox-feedback-answer")
    notice.get_by_test_id("inbox-open").click()
    expect(page.get_by_role("heading", name="投诉建议", exact=True)).to_be_visible()
    expect(mine).to_have_attribute("data-state", "answered")
    expect(mine.get_by_test_id("feedback-answer")).to_contain_text(answer)
    mine.evaluate("e => e.scrollIntoView({block: 'center'})")
    shot(page, "feedback-answered")
