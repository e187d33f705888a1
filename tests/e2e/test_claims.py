"""Claims from the cadre's phone to payment: a travel claim made offline with a receipt, two
reviews, finance; the living subsidy drafted by the month's confirmation; flags, bulk approval,
a stale action and a returned claim put right."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.review_steps import (
    REVIEWER_QINGSHAN,
    me,
    post,
    second_phone,
    submit_month,
    sync,
    this_month,
    today,
)
from tests.e2e.support import (
    COUNTY_ADMIN,
    login,
    make_photo_jpeg,
    unique_text,
    wait_for_service_worker,
    write_log,
)

FINANCE = "13800000002"
#: Cadres of 青山镇 that no other browser test uses.
CADRE_TRAVEL = "13900000011"
CADRE_SUBSIDY = "13900000012"
CADRE_FLAGS = "13900000014"
IDS = "els => els.map(e => e.dataset.id)"
NUMERIC = re.compile(r"^\d{12}$")


def claim(page: Page, claim_id: str) -> Any:
    return page.locator(f'[data-testid="claim-item"][data-id="{claim_id}"]')


def card(page: Page, claim_id: str, testid: str = "claim-card") -> Any:
    return page.locator(f'[data-testid="{testid}"][data-id="{claim_id}"]')


def new_trip(
    page: Page,
    *,
    fare: str | None = None,
    road: str | None = None,
    note: str = "",
    photo: bytes | None = None,
) -> str:
    """报销 → 新增往返交通费: fill, save; back on the list, returns the new claim's id."""
    page.get_by_test_id("nav-claims").click()
    expect(page.get_by_test_id("claims")).to_have_attribute("data-ready", "true")
    before = set(page.get_by_test_id("claim-item").evaluate_all(IDS))
    page.get_by_test_id("claim-new").click()
    expect(page.get_by_test_id("trip-form")).to_be_visible()
    page.get_by_test_id("trip-date").fill(today())
    if fare is not None:
        page.get_by_test_id("trip-mode-public").click()
        page.get_by_test_id("trip-fare").fill(fare)
    else:
        page.get_by_test_id("trip-mode-car").click()
        page.get_by_test_id("trip-road").fill(road or "")
    expect(page.get_by_test_id("trip-estimate")).to_be_visible()
    if note:
        page.get_by_test_id("trip-note").fill(note)
    if photo is not None:
        page.get_by_test_id("trip-photo").set_input_files(
            {"name": "receipt.jpg", "mimeType": "image/jpeg", "buffer": photo}
        )
        expect(page.get_by_test_id("trip-photo-item")).to_have_count(1)
    page.get_by_test_id("trip-save").click()
    expect(page.get_by_test_id("claim-flash")).to_be_visible()
    items = page.get_by_test_id("claim-item")
    expect(items).to_have_count(len(before) + 1)
    ids = set(items.evaluate_all(IDS))
    (new,) = ids - before
    return new


def review_claims(page: Page, phone: str) -> None:
    page.goto("/")
    login(page, phone)
    page.get_by_test_id("nav-review").click()
    page.get_by_test_id("review-tab-claims").click()
    expect(page.get_by_test_id("review-claims")).to_be_visible()


@pytest.mark.e2e
def test_travel_claim_offline_to_paid(browser, context, page, server, shot):
    page.goto("/")
    login(page, CADRE_TRAVEL)
    wait_for_service_worker(page)

    # Offline (the app itself from the service worker): the trip and its receipt are kept.
    context.set_offline(True)
    page.reload()
    expect(page.get_by_test_id("net-state")).to_have_attribute("data-online", "false")
    note = unique_text("县城至乡镇客车往返")
    claim_id = new_trip(page, fare="60", note=note, photo=make_photo_jpeg())
    item = claim(page, claim_id)
    expect(item).to_have_attribute("data-status", "pending")
    expect(item).to_have_attribute("data-computed", "false")
    expect(item.get_by_test_id("claim-state")).to_have_text("待提交")
    expect(item.get_by_test_id("claim-amount")).to_contain_text("预计 ¥60.00")
    expect(item.get_by_test_id("claim-submit")).to_be_disabled()
    expect(page.get_by_test_id("outbox-count")).to_have_text("1")
    shot(page, "claims-offline-saved")

    # Online: photo, then the claim, go out; the server's amount comes back.
    context.set_offline(False)
    expect(item).to_have_attribute("data-computed", "true")
    expect(item).to_have_attribute("data-status", "applied")
    expect(item.get_by_test_id("claim-amount")).to_have_text("¥60.00")
    expect(item.get_by_test_id("claim-flags")).to_have_count(0)
    shot(page, "claims-synced")
    item.get_by_test_id("claim-submit").click()
    expect(item).to_have_attribute("data-state", "submitted")
    expect(item.get_by_test_id("claim-state")).to_have_text("已提交")
    expect(item.get_by_test_id("claim-done")).to_be_visible()
    shot(page, "claims-submitted")
    r = server.get(f"/api/claims/{claim_id}", CADRE_TRAVEL)
    body = r.json()
    assert body["state"] == "submitted" and body["amount_fen"] == 6000, r.text
    assert len(body["evidence"]) == 1 and body["evidence"][0]["uploaded"], body["evidence"]

    # The township reviewer sees the receipt, enlarges it, and approves.
    with second_phone(browser, server) as reviewer:
        review_claims(reviewer, REVIEWER_QINGSHAN)
        c = card(reviewer, claim_id)
        expect(c).to_have_count(1)
        expect(c.get_by_test_id("claim-amount")).to_have_text("¥60.00")
        expect(c.get_by_test_id("thumb")).to_be_visible()
        shot(reviewer, "claims-review-township")
        c.get_by_test_id("claim-photo-open").click()
        expect(reviewer.get_by_test_id("photo-viewer-img")).to_be_visible()
        shot(reviewer, "claims-review-photo")
        reviewer.get_by_test_id("photo-viewer-close").click()
        expect(reviewer.get_by_test_id("photo-viewer")).to_have_count(0)
        c.get_by_test_id("claim-approve").click()
        expect(reviewer.get_by_test_id("claims-notice")).to_contain_text("已通过")
        expect(c).to_have_count(0)

    # The county admin approves it too.
    with second_phone(browser, server) as admin:
        review_claims(admin, COUNTY_ADMIN)
        c = card(admin, claim_id)
        expect(c.get_by_test_id("claim-state")).to_have_text("乡镇已审核")
        shot(admin, "claims-review-county")
        c.get_by_test_id("claim-approve").click()
        expect(admin.get_by_test_id("claims-notice")).to_contain_text("已通过")

    # Finance marks it paid with the payment reference, and exports the month.
    reference = unique_text("PAY").replace(" ", "-")
    with second_phone(browser, server) as finance:
        finance.goto("/")
        login(finance, FINANCE)
        finance.get_by_test_id("nav-finance").click()
        c = card(finance, claim_id, "pay-card")
        expect(c.get_by_test_id("claim-amount")).to_have_text("¥60.00")
        c.get_by_test_id("pay-send").click()
        expect(c.get_by_test_id("pay-error")).to_have_text("请填写支付凭证号")
        c.get_by_test_id("pay-ref-input").fill(reference)
        expect(c.get_by_test_id("pay-error")).to_have_count(0)  # typing answers it
        shot(finance, "claims-finance")
        c.get_by_test_id("pay-send").click()
        expect(finance.get_by_test_id("finance-notice")).to_contain_text("已支付")
        expect(c).to_have_count(0)
        with finance.expect_download() as dl:
            finance.get_by_test_id("finance-csv").click()
        assert dl.value.suggested_filename == f"claims-{this_month()}.csv"
        assert reference in Path(dl.value.path()).read_text(encoding="utf-8-sig")
        with finance.expect_download() as dl:
            finance.get_by_test_id("finance-xlsx").click()
        assert dl.value.suggested_filename == f"claims-{this_month()}.xlsx"
        finance.get_by_test_id("finance-tab-paid").click()
        expect(card(finance, claim_id, "pay-card").get_by_test_id("pay-ref")).to_contain_text(
            reference
        )

    # After a sync the cadre sees it paid, with the reference and the whole history.
    sync(page)
    page.get_by_test_id("nav-claims").click()
    item = claim(page, claim_id)
    expect(item).to_have_attribute("data-state", "paid")
    expect(item.get_by_test_id("claim-state")).to_have_text("已支付")
    expect(item.get_by_test_id("claim-payref")).to_contain_text(reference)
    shot(page, "claims-paid")
    item.get_by_test_id("claim-open").click()
    events = page.get_by_test_id("claim-event")
    expect(events).to_have_count(5)
    assert events.evaluate_all("els => els.map(e => e.dataset.to)") == [
        "draft",
        "submitted",
        "township_approved",
        "county_approved",
        "paid",
    ]
    expect(page.get_by_test_id("claim-detail").get_by_test_id("thumb")).to_be_visible()
    shot(page, "claims-history")


@pytest.mark.e2e
def test_subsidy_drafted_on_confirmation_is_submitted_with_one_tap(browser, page, server, shot):
    cadre = me(server, CADRE_SUBSIDY)
    page.goto("/")
    login(page, CADRE_SUBSIDY)
    write_log(page, unique_text("走访独居老人"))
    page.get_by_test_id("nav-month").click()
    submit_month(page)
    page.get_by_test_id("nav-claims").click()
    expect(page.get_by_test_id("claims-empty")).to_be_visible()
    expect(page.get_by_test_id("claim-policy")).to_contain_text("¥60.00/天")

    with second_phone(browser, server) as reviewer:
        reviewer.goto("/")
        login(reviewer, REVIEWER_QINGSHAN)
        sheet = reviewer.locator(f'[data-testid="sheet-card"][data-cadre="{cadre["id"]}"]')
        sheet.get_by_test_id("sheet-confirm").click()
        expect(reviewer.get_by_test_id("review-notice")).to_contain_text("已确认")

    sync(page)
    page.get_by_test_id("nav-claims").click()
    subsidy = page.locator('[data-testid="claim-item"][data-type="subsidy"]')
    expect(subsidy).to_have_count(1)
    expect(subsidy).to_have_attribute("data-state", "draft")
    days = server.get(f"/api/fieldwork/presence/{cadre['id']}/{this_month()}", CADRE_SUBSIDY)
    n = days.json()["village_days"]
    expect(subsidy.get_by_test_id("claim-facts")).to_have_text(f"确认驻村 {n} 天 × ¥60.00/天")
    expect(subsidy.get_by_test_id("claim-amount")).to_have_text(f"¥{n * 60}.00")
    expect(subsidy.get_by_test_id("claim-edit")).to_have_count(0)  # nothing to fill in
    shot(page, "claims-subsidy-drafted")
    subsidy.get_by_test_id("claim-submit").click()
    expect(subsidy).to_have_attribute("data-state", "submitted")
    expect(subsidy.get_by_test_id("claim-submit")).to_have_count(0)
    shot(page, "claims-subsidy-submitted")
    mine = server.get("/api/claims/mine", CADRE_SUBSIDY).json()
    assert [(c["type"], c["state"]) for c in mine] == [("subsidy", "submitted")], mine


@pytest.mark.e2e
def test_flags_bulk_approval_stale_action_and_a_returned_claim(browser, page, server, shot):
    page.goto("/")
    login(page, CADRE_FLAGS)
    # The unit is some tens of km from the village as the crow flies: 500 km by road is flagged.
    far = new_trip(page, road="500")
    clean = new_trip(page, fare="35.5")
    other = new_trip(page, fare="20")
    for claim_id in (far, clean, other):
        expect(claim(page, claim_id)).to_have_attribute("data-computed", "true")
    flagged = claim(page, far)
    expect(flagged.get_by_test_id("claim-flag")).to_contain_text("超过直线距离")
    expect(flagged.get_by_test_id("claim-amount")).to_have_text("¥1,800.00")
    expect(claim(page, clean).get_by_test_id("claim-amount")).to_have_text("¥35.50")
    flagged.evaluate("e => e.scrollIntoView({block: 'center'})")
    shot(page, "claims-flagged")
    for claim_id in (far, clean, other):
        claim(page, claim_id).get_by_test_id("claim-submit").click()
        expect(claim(page, claim_id)).to_have_attribute("data-state", "submitted")

    with second_phone(browser, server) as reviewer:
        review_claims(reviewer, REVIEWER_QINGSHAN)
        f = card(reviewer, far)
        expect(f).to_have_attribute("data-flagged", "true")
        expect(f.get_by_test_id("claim-flag")).to_contain_text("申报里程 500 公里")
        expect(f.get_by_test_id("claim-village")).not_to_have_text(NUMERIC)  # a name
        f.evaluate("e => e.scrollIntoView({block: 'start'})")
        shot(reviewer, "claims-review-flags")

        # Someone else approves one of them first: acting on it again reloads the queue.
        version = server.get(f"/api/claims/{other}", REVIEWER_QINGSHAN).json()["version"]
        r = post(server, f"/api/claims/{other}/approve", REVIEWER_QINGSHAN, {"version": version})
        assert r.status_code == 200, r.text
        card(reviewer, other).get_by_test_id("claim-approve").click()
        expect(reviewer.get_by_test_id("claims-notice")).to_have_text("已被他人处理，已刷新。")
        expect(card(reviewer, other)).to_have_count(0)

        # Bulk approval takes the clean claims only, each answered on its own.
        reviewer.get_by_test_id("claims-bulk").click()
        reviewer.get_by_test_id("claims-bulk-yes").click()
        result = reviewer.locator(f'[data-testid="claims-bulk-result"][data-id="{clean}"]')
        expect(result).to_have_attribute("data-ok", "true")
        expect(
            reviewer.locator(f'[data-testid="claims-bulk-result"][data-id="{far}"]')
        ).to_have_count(0)
        expect(card(reviewer, clean)).to_have_count(0)
        shot(reviewer, "claims-review-bulk")

        # The flagged one goes back with a reason.
        f = card(reviewer, far)
        f.get_by_test_id("claim-return").click()
        f.get_by_test_id("claim-reason-send").click()
        expect(f.get_by_test_id("claim-card-error")).to_have_text("请填写退回原因")
        f.get_by_test_id("claim-reason-input").fill("里程与直线距离相差过大，请按导航实际里程填写")
        f.get_by_test_id("claim-reason-send").click()
        expect(reviewer.get_by_test_id("claims-notice")).to_contain_text("已退回")

    # The cadre sees why, corrects the distance and submits again.
    sync(page)
    page.get_by_test_id("nav-claims").click()
    flagged = claim(page, far)
    expect(flagged).to_have_attribute("data-state", "returned")
    expect(flagged.get_by_test_id("claim-reason")).to_contain_text("请按导航实际里程填写")
    # What waits for the cadre comes first in its month.
    expect(page.get_by_test_id("claim-item").first).to_have_attribute("data-id", far)
    flagged.evaluate("e => e.scrollIntoView({block: 'center'})")
    shot(page, "claims-returned")
    geodesic = server.get(f"/api/claims/{far}", CADRE_FLAGS).json()["geodesic_km"]
    road = round(geodesic * 1.3, 1)  # a plausible road distance, well under K = 2.5 × geodesic
    fen = (2 * round(road * 1000) * 180 + 500) // 1000
    flagged.get_by_test_id("claim-edit").click()
    expect(page.get_by_test_id("trip-road")).to_have_value("500")
    page.get_by_test_id("trip-road").fill(str(road))
    page.get_by_test_id("trip-save").click()
    expect(page.get_by_test_id("claim-flash")).to_contain_text("重新提交")
    flagged = claim(page, far)
    expect(flagged).to_have_attribute("data-computed", "true")
    expect(flagged.get_by_test_id("claim-amount")).to_have_text(f"¥{fen // 100:,}.{fen % 100:02d}")
    expect(flagged.get_by_test_id("claim-flags")).to_have_count(0)
    flagged.get_by_test_id("claim-submit").click()
    expect(flagged).to_have_attribute("data-state", "submitted")
    history = server.get(f"/api/claims/{far}/history", CADRE_FLAGS).json()
    assert [e["to_state"] for e in history] == ["draft", "submitted", "returned", "submitted"]


#: The demo seed insures every cadre but every tenth: this one is not.
CADRE_ACCIDENT = "13900000020"


@pytest.mark.e2e
def test_accident_report_forwarded_and_insurance_gaps(browser, page, server, shot):
    cadre = me(server, CADRE_ACCIDENT)
    page.goto("/")
    login(page, CADRE_ACCIDENT)
    page.get_by_test_id("nav-claims").click()
    page.get_by_test_id("open-accident").click()
    text = unique_text("入户走访途中摔伤左臂，已在乡卫生院处理")
    page.get_by_test_id("accident-text").fill(text)
    page.get_by_test_id("accident-photo").set_input_files(
        {"name": "record.jpg", "mimeType": "image/jpeg", "buffer": make_photo_jpeg()}
    )
    expect(page.get_by_test_id("accident-photo-item")).to_have_count(1)
    page.get_by_test_id("accident-save").click()
    expect(page.get_by_test_id("accident-saved")).to_be_visible()
    item = page.get_by_test_id("accident-item").filter(has_text=text)
    expect(item).to_have_attribute("data-status", "applied")
    expect(item.get_by_test_id("accident-state")).to_have_text("已报案")

    with second_phone(browser, server) as admin:
        admin.goto("/")
        login(admin, COUNTY_ADMIN)
        admin.get_by_test_id("nav-review").click()
        admin.get_by_test_id("review-tab-insurance").click()
        # The cadre has no policy: the posting's uncovered days are listed.
        gap = admin.locator(f'[data-testid="insurance-gap"][data-cadre="{cadre["id"]}"]')
        expect(gap).to_contain_text("天未覆盖")
        report = admin.get_by_test_id("incident-card").filter(has_text=text)
        expect(report).to_contain_text("事发当日没有有效保单")
        expect(report.get_by_test_id("thumb")).to_be_visible()
        shot(admin, "claims-insurance")
        report.get_by_test_id("incident-note").fill("保险公司报案号 BA-2026-118")
        report.get_by_test_id("incident-forward").click()
        expect(admin.get_by_test_id("insurance-notice")).to_contain_text("已转交")
        expect(report).to_have_count(0)

    sync(page)
    page.get_by_test_id("nav-claims").click()
    page.get_by_test_id("open-accident").click()
    item = page.get_by_test_id("accident-item").filter(has_text=text)
    expect(item).to_have_attribute("data-state", "forwarded")
    expect(item).to_contain_text("BA-2026-118")
    item.evaluate("e => e.scrollIntoView({block: 'center'})")
    shot(page, "claims-accident-forwarded")
