"""The dashboard: the county sees its county, a township only its own villages; no ranking."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.review_steps import QINGSHAN, REVIEWER_QINGSHAN, this_month
from tests.e2e.support import COUNTY_ADMIN, login


def _codes(page) -> list[str]:
    return page.locator('[data-testid="dash-villages"] [data-testid="dash-row"]').evaluate_all(
        "rows => rows.map(r => r.dataset.code)"
    )


@pytest.mark.e2e
def test_dashboard_for_the_county_admin(page, server, shot):
    expected = server.get("/api/dashboard", COUNTY_ADMIN, params={"month": this_month()}).json()
    page.goto("/")
    login(page, COUNTY_ADMIN)
    page.get_by_test_id("nav-dashboard").click()
    expect(page.get_by_test_id("dashboard")).to_have_attribute("data-scope", expected["scope"])
    villages = page.locator('[data-testid="dash-villages"] [data-testid="dash-row"]')
    expect(villages).to_have_count(len(expected["villages"]))
    expect(page.locator('[data-testid="dash-townships"] [data-testid="dash-row"]')).to_have_count(
        len(expected["townships"])
    )
    expect(page.get_by_test_id("map-dot")).to_have_count(len(expected["villages"]))
    expect(page.get_by_test_id("chart-logs").locator("rect")).to_have_count(12)
    codes = _codes(page)
    assert codes == sorted(codes), "villages must be listed by code"
    shot(page, "dashboard-county")
    page.get_by_test_id("dash-map").scroll_into_view_if_needed()
    page.get_by_test_id("map-dot").first.click()
    expect(page.get_by_test_id("map-picked")).to_contain_text("确认")
    shot(page, "dashboard-county-map")

    # Filter by tier: only the deep-poverty villages.
    deep = [v["code"] for v in expected["villages"] if v["tier"] == "deep"]
    page.get_by_test_id("dash-tier").select_option("deep")
    expect(villages).to_have_count(len(deep))
    assert _codes(page) == sorted(deep)
    expect(page.locator('[data-testid="map-dot"][data-tier="deep"]')).to_have_count(len(deep))

    # Downloads go through the bearer token and arrive as files.
    with page.expect_download() as dl:
        page.get_by_test_id("dash-xlsx").click()
    assert dl.value.suggested_filename == f"dashboard-{this_month()}.xlsx"
    with page.expect_download() as dl:
        page.get_by_test_id("dash-csv-village").click()
    body = Path(dl.value.path()).read_text(encoding="utf-8-sig")
    assert body.splitlines()[0].startswith("区划代码"), body[:80]
    lines = body.strip().splitlines()
    assert [line.split(",")[0] for line in lines[1:-1]] == sorted(deep), lines  # then the total
    assert lines[-1].startswith(expected["scope"]), lines[-1]

    # Previous month, and the desktop layout.
    page.get_by_test_id("dash-prev").click()
    expect(page.get_by_test_id("dash-next")).to_be_enabled()
    page.set_viewport_size({"width": 1280, "height": 900})
    shot(page, "dashboard-desktop")


@pytest.mark.e2e
def test_dashboard_for_a_township_reviewer_shows_only_its_villages(page, server, shot):
    page.goto("/")
    login(page, REVIEWER_QINGSHAN)
    page.get_by_test_id("nav-dashboard").click()
    expect(page.get_by_test_id("dashboard")).to_have_attribute("data-scope", QINGSHAN)
    # Other browser tests may add villages to the township (the division import): count them.
    villages = server.get(f"/api/geo/divisions?parent={QINGSHAN}&level=village", REVIEWER_QINGSHAN)
    assert villages.status_code == 200, villages.text
    n = len(villages.json())
    assert n >= 7
    rows = page.locator('[data-testid="dash-villages"] [data-testid="dash-row"]')
    expect(rows).to_have_count(n)
    codes = _codes(page)
    assert all(c.startswith(QINGSHAN) for c in codes), codes
    assert codes == sorted(codes)
    expect(page.locator('[data-testid="dash-townships"] [data-testid="dash-row"]')).to_have_count(1)
    expect(page.get_by_test_id("map-dot")).to_have_count(n)
    shot(page, "dashboard-township")
