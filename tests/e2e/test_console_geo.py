"""The county runs geography, policy and registers from the console (#12), by clicking, on a
phone (360×740) and at a desk (1280×800): tiers and fences saved and read back, policy
versions growing, bad files refused whole with every bad row named, nothing half-imported."""

from __future__ import annotations

import io
import math

import pytest
from playwright.sync_api import expect

from tests.e2e.review_steps import QINGSHAN, REVIEWER_QINGSHAN
from tests.e2e.support import CADRE_A, CADRE_B, COUNTY_ADMIN, login
from tests.sheets import xlsx

COUNTY = "529901"
SIZES = [pytest.param((360, 740), id="phone"), pytest.param((1280, 800), id="desk")]




def _open(page, size, phone, section):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto("/")
    login(page, phone)
    nav = page.get_by_test_id("nav-console")
    if nav.is_visible():
        nav.click()
    else:  # a phone's bottom bar may keep the console under "more"
        page.goto("/#/console")
    page.get_by_test_id(f"console-nav-{section}").click()


def _pick_file(page, panel, name, body, mime):
    page.get_by_test_id(f"import-{panel}-file").set_input_files(
        {"name": name, "mimeType": mime, "buffer": body}
    )


def _division(server, code):
    r = server.get(f"/api/geo/divisions/{code}", COUNTY_ADMIN)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.e2e
@pytest.mark.parametrize("size", SIZES)
def test_geography_tier_fence_and_division_import(page, server, shot, size):
    tag = "phone" if size[0] < 600 else "desk"
    village = f"{QINGSHAN}20{3 if tag == 'phone' else 4}"
    _open(page, size, COUNTY_ADMIN, "geography")
    expect(page.get_by_test_id("division-table")).to_be_visible()
    shot(page, f"console-geography-{tag}")

    # Tier: changed in the table, shown with the county's label, read back from the server.
    before = _division(server, village)["tier"]
    new_tier = "deep" if before != "deep" else "key"
    page.get_by_test_id(f"tier-select-{village}").select_option(new_tier)
    row = page.locator(f'[data-testid="division-row"][data-code="{village}"]')
    expect(row).to_have_attribute("data-tier", new_tier)
    expect(page.get_by_test_id("tier-saved")).to_be_visible()
    assert _division(server, village)["tier"] == new_tier
    label = _division(server, village)["tier_label"]
    expect(page.get_by_test_id("tier-saved")).to_contain_text(label)

    # Fence: pick the village, click the map for the centre, type the radius, save, read back.
    card = page.get_by_test_id("fence-card")
    card.scroll_into_view_if_needed()
    page.get_by_test_id("fence-village").select_option(village)
    old = _division(server, village)["fence"]
    box = page.get_by_test_id("fence-map").bounding_box()
    page.get_by_test_id("fence-map").click(
        position={"x": box["width"] * 0.4, "y": box["height"] * 0.6}
    )
    lat = float(page.get_by_test_id("fence-lat").input_value())
    lon = float(page.get_by_test_id("fence-lon").input_value())
    expect(page.get_by_test_id("fence-pending")).to_be_visible()
    radius = 1234 if tag == "phone" else 1777
    page.get_by_test_id("fence-radius").fill(str(radius))
    shot(page, f"console-geography-fence-{tag}")
    page.get_by_test_id("fence-save").click()
    expect(page.get_by_test_id("fence-message")).to_contain_text(str(radius))
    fence = _division(server, village)["fence"]
    assert fence["radius_m"] == radius
    assert abs(fence["center_lat"] - lat) < 1e-6 and abs(fence["center_lon"] - lon) < 1e-6
    assert (fence["center_lat"], fence["center_lon"]) != (old["center_lat"], old["center_lon"])
    shot(page, f"console-geography-fence-saved-{tag}")

    # Typed from an AMap (GCJ-02): the server stores WGS-84, a few hundred metres away.
    page.get_by_test_id("fence-crs").select_option("gcj02")
    page.get_by_test_id("fence-lat").fill("26.45")
    page.get_by_test_id("fence-lon").fill("107.95")
    page.get_by_test_id("fence-radius").fill("50000000")
    page.get_by_test_id("fence-save").click()
    expect(card.locator(".err")).to_have_count(1)  # the radius, refused before sending
    page.get_by_test_id("fence-radius").fill(str(radius))
    page.get_by_test_id("fence-save").click()
    expect(page.get_by_test_id("fence-message")).to_contain_text("WGS-84")
    fence = _division(server, village)["fence"]
    shift_m = math.dist((fence["center_lat"] * 111_320, fence["center_lon"] * 99_600),
                        (26.45 * 111_320, 107.95 * 99_600))
    assert 100 < shift_m < 1000, shift_m

    # Division import: a bad row and an unknown parent both named; nothing imported.
    new_code = f"{QINGSHAN}{'291' if tag == 'phone' else '292'}"
    bad = (
        "区划代码,名称,级别,上级代码,帮扶类别\n"
        f"{new_code},新村{tag},村,,一般\n"
        f"{QINGSHAN}29,短码村,村,,一般\n"
        f"{COUNTY}099201,孤村,村,,一般\n"
    ).encode()
    panel = page.get_by_test_id("import-divisions")
    panel.scroll_into_view_if_needed()
    _pick_file(page, "divisions", "divisions.csv", bad, "text/csv")
    errors = panel.get_by_test_id("import-error")
    expect(errors).to_have_count(2)
    assert errors.evaluate_all("rs => rs.map(r => Number(r.dataset.row))") == [3, 4]
    expect(panel.get_by_test_id("import-divisions-errors")).to_contain_text("上级代码")
    expect(panel.get_by_test_id("import-divisions-commit")).to_have_count(0)
    shot(page, f"console-geography-import-refused-{tag}")
    assert server.get(f"/api/geo/divisions/{new_code}", COUNTY_ADMIN).status_code == 404

    good = xlsx([["区划代码", "名称", "级别", "帮扶类别", "纬度", "经度"],
                  [new_code, f"新村{tag}", "村", "重点", 26.47, 107.96]])
    _pick_file(page, "divisions", "divisions.xlsx", good,
               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    report = panel.get_by_test_id("import-divisions-report")
    expect(report).to_have_attribute("data-dry-run", "true")
    assert server.get(f"/api/geo/divisions/{new_code}", COUNTY_ADMIN).status_code == 404
    panel.get_by_test_id("import-divisions-commit").click()
    expect(report).to_have_attribute("data-dry-run", "false")
    expect(page.locator(f'[data-testid="division-row"][data-code="{new_code}"]')).to_be_visible()
    assert _division(server, new_code)["tier"] == "key"


@pytest.mark.e2e
@pytest.mark.parametrize("size", SIZES)
def test_policy_versions_grow_and_bad_values_are_refused(page, server, shot, size):
    tag = "phone" if size[0] < 600 else "desk"
    _open(page, size, COUNTY_ADMIN, "policy")
    expect(page.get_by_test_id("policy-rule")).to_contain_text("已经批准的申请")
    # Next year (the select offers last, this and next year): no other test reads it.
    years = page.get_by_test_id("policy-year").locator("option").evaluate_all(
        "os => os.map(o => o.value)"
    )
    year = int(years[2])
    page.get_by_test_id("policy-year").select_option(str(year))
    history = server.get(f"/api/policy/{COUNTY}/{year}/history", COUNTY_ADMIN).json()
    rows = page.get_by_test_id("policy-history-row")
    expect(rows).to_have_count(len(history))

    # A bad amount and a bad factor are named; nothing is saved.
    page.get_by_test_id("policy-subsidy_daily").fill("60.555")
    page.get_by_test_id("policy-road_factor").fill("0.5")
    page.get_by_test_id("policy-save").click()
    expect(page.get_by_test_id("policy-error-subsidy_daily")).to_be_visible()
    expect(page.get_by_test_id("policy-error-road_factor")).to_be_visible()
    shot(page, f"console-policy-refused-{tag}")
    assert len(server.get(f"/api/policy/{COUNTY}/{year}/history", COUNTY_ADMIN).json()) == len(
        history
    )

    # Money typed in yuan is stored in fen; each save adds a version.
    for n, amount in enumerate(("75.50", "80")):
        page.get_by_test_id("policy-subsidy_daily").fill(amount)
        page.get_by_test_id("policy-road_factor").fill("2.5")
        page.get_by_test_id("policy-car_per_km").fill("1.6")
        page.get_by_test_id("policy-note").fill(f"调整 {n}")
        page.get_by_test_id("policy-save").click()
        expect(rows).to_have_count(len(history) + n + 1)
    now = server.get(f"/api/policy/{COUNTY}/{year}", COUNTY_ADMIN).json()
    assert (now["subsidy_daily_fen"], now["car_fen_per_km"]) == (8000, 160)
    assert now["version"] == len(history) + 2
    expect(page.get_by_test_id("policy-version")).to_have_attribute(
        "data-version", str(now["version"])
    )
    expect(rows.first).to_contain_text("¥80.00")
    shot(page, f"console-policy-saved-{tag}")
    page.get_by_test_id("policy-history").scroll_into_view_if_needed()
    shot(page, f"console-policy-history-{tag}")


@pytest.mark.e2e
@pytest.mark.parametrize("size", SIZES)
def test_registers_import_households_and_policies(page, server, shot, size):
    tag = "phone" if size[0] < 600 else "desk"
    village = f"{QINGSHAN}20{5 if tag == 'phone' else 6}"
    _open(page, size, COUNTY_ADMIN, "registers")
    page.get_by_test_id("reg-village").select_option(village)

    def count():
        r = server.get(f"/api/fieldwork/villages/{village}/households", COUNTY_ADMIN)
        return len(r.json())

    before = count()
    # A bad workbook: a duplicate number and a missing head, both named; nothing imported.
    prefix = f"E2E{tag}"
    bad = xlsx([["户编号", "户主", "人口", "村民组"],
                 [f"{prefix}01", "王一", 3, "一组"],
                 [f"{prefix}01", "王二", 2, "一组"],
                 [f"{prefix}03", None, "多", "二组"]])
    panel = page.get_by_test_id("import-households")
    _pick_file(page, "households", "农户.xlsx", bad,
               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    errors = panel.get_by_test_id("import-error")
    expect(errors).to_have_count(3)
    assert errors.evaluate_all("rs => rs.map(r => Number(r.dataset.row))") == [3, 4, 4]
    expect(panel).to_contain_text("户主")
    shot(page, f"console-registers-refused-{tag}")
    assert count() == before

    # 25 households (CSV): preview, commit, then the paged list.
    csv = "户编号,户主,人口,村民组,标签\n" + "".join(
        f"{prefix}{i:02d},户主{i:02d},{1 + i % 5},{1 + i % 3}组,脱贫户\n" for i in range(25)
    )
    _pick_file(page, "households", "农户.csv", csv.encode(), "text/csv")
    report = panel.get_by_test_id("import-households-report")
    expect(report).to_have_attribute("data-dry-run", "true")
    expect(report).to_contain_text("25")
    assert count() == before
    panel.get_by_test_id("import-households-commit").click()
    expect(report).to_have_attribute("data-dry-run", "false")
    assert count() == before + 25
    page.get_by_test_id("reg-search").fill(prefix)
    expect(page.get_by_test_id("household-row")).to_have_count(20)
    page.get_by_test_id("households-next").click()
    expect(page.get_by_test_id("household-row")).to_have_count(5)
    shot(page, f"console-registers-households-{tag}")

    # Policies: an unknown phone refuses the whole file; the good file imports and lists.
    page.get_by_test_id("reg-tab-policies").click()
    policies = page.get_by_test_id("import-policies")
    number = f"E2E-{tag}"
    header = "姓名,手机号,保险公司,保单号,保险金额（元）,起保日期,止保日期\n"
    cadre = CADRE_A if tag == "phone" else CADRE_B
    good_row = f"甲,{cadre},人保财险,{number},300000,2026-01-01,2026-12-31\n"
    bad = header + good_row + f"乙,13912345678,人保财险,{number}-x,100,2026-01-01,2026-12-31\n"
    _pick_file(page, "policies", "保单.csv", bad.encode(), "text/csv")
    expect(policies.get_by_test_id("import-error")).to_have_count(1)
    expect(policies.get_by_test_id("import-error")).to_have_attribute("data-row", "3")
    listed = server.get("/api/insurance/policies", COUNTY_ADMIN).json()
    assert not [p for p in listed if p["policy_number"] == number]
    _pick_file(page, "policies", "保单.csv", (header + good_row).encode(), "text/csv")
    expect(policies.get_by_test_id("import-policies-report")).to_have_attribute(
        "data-dry-run", "true"
    )
    policies.get_by_test_id("import-policies-commit").click()
    expect(policies.get_by_test_id("import-policies-report")).to_have_attribute(
        "data-dry-run", "false"
    )
    listed = server.get("/api/insurance/policies", COUNTY_ADMIN).json()
    assert [p["sum_insured_fen"] for p in listed if p["policy_number"] == number] == [30_000_000]
    shot(page, f"console-registers-policies-{tag}")

    # The template downloads with Chinese headers.
    with page.expect_download() as dl:
        policies.get_by_test_id("import-policies-template").click()
    from openpyxl import load_workbook

    assert dl.value.suggested_filename == "保单导入模板.xlsx"
    with open(dl.value.path(), "rb") as f:
        book = load_workbook(io.BytesIO(f.read()), read_only=True)
    assert next(book.worksheets[0].iter_rows(values_only=True))[:2] == ("姓名", "手机号")


@pytest.mark.e2e
def test_township_reviewer_reads_geography_and_console_says_it_needs_the_network(
    page, context, server, shot
):
    _open(page, (360, 740), REVIEWER_QINGSHAN, "geography")
    rows = page.get_by_test_id("division-row")
    expect(rows.first).to_be_visible()
    codes = rows.evaluate_all("rs => rs.map(r => r.dataset.code)")
    assert codes[0] == COUNTY and len(codes) > 2, codes  # the county above, for context
    assert all(c.startswith(QINGSHAN) for c in codes[1:]), codes
    expect(page.get_by_test_id("geo-readonly")).to_be_visible()
    expect(page.locator('[data-testid^="tier-select-"]')).to_have_count(0)
    expect(page.get_by_test_id("fence-save")).to_have_count(0)
    expect(page.get_by_test_id("import-divisions")).to_have_count(0)
    page.get_by_test_id("fence-card").scroll_into_view_if_needed()
    expect(page.get_by_test_id("fence-readout")).to_contain_text("WGS-84")
    shot(page, "console-geography-reviewer-phone")
    context.set_offline(True)
    page.evaluate("window.dispatchEvent(new Event('offline'))")
    expect(page.get_by_test_id("console-offline")).to_contain_text("需要联网")
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "console-offline-phone")
    context.set_offline(False)
