"""A reviewer returns a claim; the cadre's inbox shows the reason after sync (issue 7)."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.review_steps import REVIEWER_QINGSHAN, me, post, sync, today
from tests.e2e.support import login

#: A cadre of 青山镇 that no other browser test uses.
CADRE = "13900000011"


@pytest.mark.e2e
def test_returned_claim_reason_reaches_the_cadres_inbox(page, server, shot):
    village = me(server, CADRE)["postings"][0]["village_code"]
    claim_id = str(uuid.uuid4())
    trip = {"village_code": village, "date": today(), "mode": "public", "fare_fen": 3200,
            "note": "到县里参加培训", "evidence": []}
    r = post(server, "/api/sync/push", CADRE, {"items": [
        {"kind": "travel_claim", "id": claim_id, "base_version": None, "data": trip}]})
    assert r.json()["results"][0]["status"] == "applied", r.text
    assert post(server, f"/api/claims/{claim_id}/submit", CADRE, {"version": 1}).status_code == 200
    version = server.get(f"/api/claims/{claim_id}", REVIEWER_QINGSHAN).json()["version"]
    reason = "车票日期与培训日期不一致，请核对后重新提交"
    r = post(server, f"/api/claims/{claim_id}/return", REVIEWER_QINGSHAN,
             {"version": version, "reason": reason})
    assert r.status_code == 200, r.text

    page.goto("/")
    login(page, CADRE)
    sync(page)
    expect(page.get_by_test_id("inbox-count")).to_have_text("1")
    page.get_by_test_id("nav-inbox").click()
    notice = page.get_by_test_id("inbox-item").filter(has_text=reason)
    expect(notice).to_have_count(1)
    expect(notice).to_have_attribute("data-unread", "true")
    shot(page, "inbox-claim-returned")
