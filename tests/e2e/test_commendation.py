"""评优评先 end to end, by clicking: the county reads the eligibility list and records an
inspection, runs and publishes an excellent-grade quota; a township reviewer nominates within
the seats (over-nominating refused by the server, in the reader's language); the county decides
and downloads the final list and a unit's dossiers. At a phone's width and at a desk's.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.e2e.support import COUNTY_ADMIN, SHANGHAI, Server, login, logout

#: 岩脚乡 (deep) and its reviewer: the demo's previous year is on record there.
YANJIAO = "529901006"
REVIEWER_YANJIAO = "13800000106"
LONGTAN = "529901005"

VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desk": {"width": 1280, "height": 800}}


def _year() -> int:
    return datetime.now(SHANGHAI).year - 1


def _eligibility(server: Server, **params: Any) -> list[dict]:
    r = server.get("/api/commendation/eligibility", COUNTY_ADMIN,
                   params={"year": _year(), **params})
    assert r.status_code == 200, r.text
    return r.json()


def _xlsx_rows(path: str | Path) -> list[tuple]:
    book = load_workbook(io.BytesIO(Path(path).read_bytes()))
    return list(book.active.iter_rows(values_only=True))


def _open_commendation(page: Page) -> None:
    page.get_by_test_id("nav-console").click()
    page.get_by_test_id("console-nav-commendation").click()
    expect(page.get_by_test_id("commendation")).to_be_visible()


def _rows(page: Page) -> Any:
    return page.get_by_test_id("comm-elig-row")


def _county_reads_and_inspects(page: Page, server: Server, shot: Any, tag: str) -> None:
    everyone = _eligibility(server)
    eligible = [e for e in everyone if e["eligible"]]
    assert len(eligible) >= 20, "the demo year must give the county eligible cadres"
    _open_commendation(page)
    expect(page.get_by_test_id("comm-year")).to_have_value(str(_year()))
    count = page.get_by_test_id("comm-count")
    expect(count).to_have_attribute("data-total", str(len(everyone)))
    expect(count).to_have_attribute("data-eligible", str(len(eligible)))
    shot(page, f"commendation-eligibility-{tag}")

    # Filters: one township's cadres who are not eligible, each with the reason in words.
    page.get_by_test_id("comm-filter-township").select_option(YANJIAO)
    page.get_by_test_id("comm-filter-eligible").select_option("false")
    barred = _eligibility(server, township=YANJIAO, eligible="false")
    assert barred, "岩脚乡 has cadres short of days, or found absent"
    expect(_rows(page)).to_have_count(len(barred))
    for e in barred:
        row = page.locator(f'[data-testid="comm-elig-row"][data-name="{e["name"]}"]')
        expect(row.get_by_test_id("comm-verdict")).to_have_text("不符合")
        reason = e["reasons"][0].split(" / ")[0].split("/ ")[0]
        expect(row.get_by_test_id("comm-reasons")).to_contain_text(reason)
    shot(page, f"commendation-eligibility-filtered-{tag}")
    page.get_by_test_id("comm-filter-eligible").select_option("")
    page.get_by_test_id("comm-filter-tier").select_option("deep")
    deep = _eligibility(server, township=YANJIAO, tier="deep")
    expect(_rows(page)).to_have_count(len(deep))

    # An inspection finds an eligible cadre of 龙潭镇 absent: they drop out of the list.
    page.get_by_test_id("comm-filter-tier").select_option("")
    page.get_by_test_id("comm-filter-township").select_option(LONGTAN)
    page.get_by_test_id("comm-filter-eligible").select_option("true")
    before = _eligibility(server, township=LONGTAN, eligible="true")
    expect(_rows(page)).to_have_count(len(before))
    target = before[0]
    row = page.locator(f'[data-testid="comm-elig-row"][data-name="{target["name"]}"]')
    row.get_by_test_id("comm-inspect").click()
    form = page.get_by_test_id("comm-inspect-form")
    form.get_by_test_id("comm-inspect-date").fill(f"{_year()}-10-15")
    form.get_by_test_id("comm-finding-unexcused_absence").check()
    form.get_by_test_id("comm-inspect-note").fill("抽查时不在岗，未请假")
    shot(page, f"commendation-inspection-{tag}")
    form.get_by_test_id("comm-inspect-save").click()
    expect(page.get_by_test_id("comm-notice")).to_contain_text(target["name"])
    expect(_rows(page)).to_have_count(len(before) - 1)
    page.get_by_test_id("comm-filter-eligible").select_option("false")
    row = page.locator(f'[data-testid="comm-elig-row"][data-name="{target["name"]}"]')
    expect(row.get_by_test_id("comm-inspections")).to_contain_text("无故脱岗 1 次")
    expect(row.get_by_test_id("comm-reasons")).to_contain_text("督查发现无故脱岗")
    after = {e["cadre_id"]: e for e in _eligibility(server, township=LONGTAN)}
    assert not after[target["cadre_id"]]["eligible"]


def _county_runs_and_publishes(page: Page, server: Server, shot: Any, tag: str) -> dict:
    page.get_by_test_id("comm-tab-runs").click()
    form = page.get_by_test_id("comm-new-run")
    # A commendation run first: 5 awards by tier weights, looked at and left as a draft.
    form.get_by_test_id("comm-kind-commendation").click()
    form.get_by_test_id("comm-total").fill("5")
    form.get_by_test_id("comm-calculate").click()
    expect(page.get_by_test_id("comm-run-admin")).to_have_attribute("data-state", "draft")
    expect(page.get_by_test_id("comm-run-summary")).to_have_attribute("data-given", "5")
    expect(page.get_by_test_id("comm-publish")).to_be_visible()

    # Then the excellent grades at the default ratios, explained and published.
    page.get_by_test_id("comm-tab-runs").click()
    form.get_by_test_id("comm-kind-excellent").click()
    expect(form.get_by_test_id("comm-weight-deep")).to_have_value("30")
    form.get_by_test_id("comm-calculate").click()
    expect(page.get_by_test_id("comm-run-admin")).to_have_attribute("data-state", "draft")
    runs = server.get("/api/commendation/runs", COUNTY_ADMIN, params={"year": _year()}).json()
    run = runs[-1]
    assert run["kind"] == "excellent" and run["state"] == "draft"
    with_seats = [r for r in run["table"] if r["seats"]]
    assert len(with_seats) >= 3, run["table"]
    rows = page.get_by_test_id("comm-explain-row")
    expect(rows).to_have_count(len(run["table"]))
    for r in run["table"]:
        row = page.locator(f'[data-testid="comm-explain-row"][data-code="{r["code"]}"]')
        expect(row).to_have_attribute("data-seats", str(r["seats"]))
        expect(row).to_contain_text(r["share"])
        expect(row).to_contain_text(r["quotient"])
    expect(page.get_by_test_id("comm-run-summary")).to_have_attribute(
        "data-given", str(run["total_target"]))
    shot(page, f"commendation-run-draft-{tag}")
    page.once("dialog", lambda d: d.accept())
    page.get_by_test_id("comm-publish").click()
    expect(page.get_by_test_id("comm-run-admin")).to_have_attribute("data-state", "published")
    expect(page.get_by_test_id("comm-publish")).to_have_count(0)
    expect(page.get_by_test_id(f"comm-unit-seats-{YANJIAO}")).to_have_attribute(
        "data-nominated", "0")
    published = server.get("/api/commendation/runs", COUNTY_ADMIN,
                           params={"year": _year()}).json()
    run = next(r for r in published if r["id"] == run["id"])
    assert run["state"] == "published"
    return run


def _reviewer_nominates(page: Page, server: Server, shot: Any, tag: str, run: dict,
                        english: bool) -> list[str]:
    seats = next(r["seats"] for r in run["table"] if r["code"] == YANJIAO)
    assert seats >= 2
    login(page, REVIEWER_YANJIAO)
    if english:
        page.get_by_test_id("nav-settings").click()
        page.get_by_test_id("lang-switch").select_option("en")
        expect(page.locator("html")).to_have_attribute("lang", "en")
    _open_commendation(page)
    page.get_by_test_id("comm-run").first.click()
    panel = page.locator(f'[data-testid="comm-unit-panel"][data-unit="{YANJIAO}"]')
    left = panel.get_by_test_id("comm-left")
    expect(left).to_have_attribute("data-seats", str(seats))
    expect(left).to_have_attribute("data-left", str(seats))
    candidates = panel.get_by_test_id("comm-cand")
    eligible = _eligibility(server, township=YANJIAO, eligible="true")
    expect(candidates).to_have_count(len(eligible))
    assert len(eligible) > seats

    # The dossier is one tap away.
    candidates.first.get_by_test_id("comm-dossier-open").click()
    expect(candidates.first.get_by_test_id("comm-dossier")).to_be_visible()
    expect(candidates.first.get_by_test_id("comm-dossier")).to_contain_text(
        str(eligible[0]["confirmed_days"]))
    shot(page, f"commendation-reviewer-dossier-{tag}")
    candidates.first.get_by_test_id("comm-dossier-open").click()

    # One more than the seats: the count left turns, and the server refuses the lot.
    for i in range(seats + 1):
        candidates.nth(i).get_by_test_id("comm-cand-check").check()
    expect(panel.get_by_test_id("comm-over-hint")).to_be_visible()
    panel.get_by_test_id("comm-nominate").click()
    error = panel.get_by_test_id("comm-nominate-error")
    if english:
        expect(error).to_contain_text(f"More than the unit's seats ({seats})")
    else:
        expect(error).to_contain_text(f"超过本单位名额（{seats} 名）")
    left.scroll_into_view_if_needed()
    shot(page, f"commendation-reviewer-refused-{tag}")
    noms = server.get(f"/api/commendation/runs/{run['id']}/nominations", COUNTY_ADMIN).json()
    assert [n for n in noms if n["unit_code"] == YANJIAO] == []

    # Within the seats: accepted, and nothing left.
    candidates.nth(seats).get_by_test_id("comm-cand-check").uncheck()
    expect(panel.get_by_test_id("comm-over-hint")).to_have_count(0)
    panel.get_by_test_id("comm-nominate").click()
    expect(panel.get_by_test_id("comm-nominate-ok")).to_be_visible()
    expect(left).to_have_attribute("data-left", "0")
    expect(left).to_have_attribute("data-nominated", str(seats))
    expect(panel.locator('[data-testid="comm-cand"][data-nominated="nominated"]')).to_have_count(
        seats)
    shot(page, f"commendation-reviewer-nominated-{tag}")
    names = [e["name"] for e in eligible[:seats]]
    noms = server.get(f"/api/commendation/runs/{run['id']}/nominations", COUNTY_ADMIN).json()
    assert sorted(n["name"] for n in noms if n["unit_code"] == YANJIAO) == sorted(names)
    if english:
        page.get_by_test_id("nav-settings").click()
        page.get_by_test_id("lang-switch").select_option("zh")
    logout(page)
    return names


def _county_decides_and_downloads(page: Page, server: Server, shot: Any, tag: str,
                                  run: dict, names: list[str]) -> None:
    login(page, COUNTY_ADMIN)
    _open_commendation(page)
    page.get_by_test_id("comm-tab-runs").click()
    page.locator('[data-testid="comm-run"][data-state="published"]').first.click()
    expect(page.get_by_test_id("comm-run-admin")).to_have_attribute("data-state", "published")
    noms = page.locator(f'[data-testid="comm-nomination"][data-unit="{YANJIAO}"]')
    expect(noms).to_have_count(len(names))
    shot(page, f"commendation-county-nominations-{tag}")
    first, second = names[0], names[1]
    page.locator(f'[data-testid="comm-nomination"][data-name="{first}"]').get_by_test_id(
        "comm-accept").click()
    expect(page.locator(f'[data-testid="comm-nomination"][data-name="{first}"]')).to_have_attribute(
        "data-state", "accepted")
    page.locator(f'[data-testid="comm-nomination"][data-name="{second}"]').get_by_test_id(
        "comm-decline").click()
    expect(page.locator(f'[data-testid="comm-nomination"][data-name="{second}"]')).to_have_attribute(
        "data-state", "declined")
    unit = page.get_by_test_id(f"comm-unit-seats-{YANJIAO}").first
    expect(unit).to_have_attribute("data-accepted", "1")
    # A declined nomination frees its seat.
    expect(unit).to_have_attribute("data-nominated", str(len(names) - 1))
    shot(page, f"commendation-county-decided-{tag}")

    with page.expect_download() as dl:
        page.get_by_test_id("comm-final-xlsx").click()
    assert dl.value.suggested_filename.endswith(".xlsx")
    rows = _xlsx_rows(dl.value.path())
    assert rows[0][:2] == ("乡镇", "姓名") and [r[1] for r in rows[1:]] == [first], rows
    with page.expect_download() as dl:
        page.get_by_test_id(f"comm-unit-xlsx-{YANJIAO}").click()
    rows = _xlsx_rows(dl.value.path())
    assert rows[0][0] == "姓名" and {first, second} <= {r[0] for r in rows[1:]}
    with page.expect_popup() as popup:
        page.get_by_test_id(f"comm-unit-print-{YANJIAO}").click()
    printed = popup.value
    printed.wait_for_load_state()
    expect(printed.locator("section").first).to_contain_text("年度驻村工作档案")
    eligible = _eligibility(server, township=YANJIAO, eligible="true")
    expect(printed.locator("section")).to_have_count(len(eligible))
    printed.close()


@pytest.mark.e2e
@pytest.mark.parametrize("tag", list(VIEWPORTS))
def test_commendation_from_eligibility_to_the_final_list(page, server, shot, tag):
    page.set_viewport_size(VIEWPORTS[tag])
    page.goto("/")
    login(page, COUNTY_ADMIN)
    _county_reads_and_inspects(page, server, shot, tag)
    run = _county_runs_and_publishes(page, server, shot, tag)
    logout(page)
    names = _reviewer_nominates(page, server, shot, tag, run, english=tag == "desk")
    _county_decides_and_downloads(page, server, shot, tag, run, names)
