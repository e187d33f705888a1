"""Field surveys end to end: the county publishes an XLSForm survey; a cadre, offline, answers
two households — one with a known fact pre-filled that they confirm, one with a photo —
reloads, goes online, and the county sees 2 done and reads the answers back from the XLSX."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.support import (
    COUNTY_ADMIN,
    confirm_dialog,
    create_survey_draft,
    login,
    make_photo_jpeg,
    phone,
    unique_text,
    wait_for_service_worker,
    wait_until,
)
from tests.unit.surveys.test_xlsform import workbook

#: 清水乡's first village: the demo's spring survey left facts on its households 201001–201008
#: (confirmed by its first cadre, 13900000064); its teammate answers here.
VILLAGE = "529901004201"
CADRE = "13900000065"
HEADER = ["type", "name", "label::Chinese (zh)", "label::English (en)", "required",
          "constraint", "relevant", "fact"]
FORM = [
    ["integer", "members", "家庭人口", "Household members", "yes", ". >= 1 and . <= 20", "",
     "members"],
    ["select_one housing", "housing", "住房情况", "Housing", "yes", "", "", "housing"],
    ["yes_no", "needs_help", "是否需要帮扶", "Needs help", "yes", "", "", ""],
    ["text", "help_note", "帮扶需求", "What help", "yes", "", "${needs_help} = 'yes'", ""],
    ["image", "door", "门牌照片", "Door photo", "", "", "", ""],
]
CHOICES = [["list_name", "name", "label::Chinese (zh)", "label::English (en)"],
           ["housing", "brick", "砖混", "Brick"], ["housing", "wood", "木结构", "Wood"],
           ["housing", "other", "其他", "Other"]]


def publish(page, title: str) -> str:
    """The county admin creates the survey, uploads the XLSForm, reads the preview, publishes."""
    login(page, COUNTY_ADMIN)
    survey_id = create_survey_draft(page, title, VILLAGE)
    detail = page.get_by_test_id("survey-detail")

    # First a form with an unsupported type: every problem listed, nothing imported.
    bad = workbook([*FORM, ["calculate", "total", "合计", "Total", "", "", "", ""]],
                   header=HEADER, choices=CHOICES)
    page.get_by_test_id("survey-xlsform").set_input_files(
        {"name": "bad.xlsx", "mimeType": "application/octet-stream", "buffer": bad})
    page.get_by_test_id("survey-upload").click()
    problem = page.get_by_test_id("xlsform-error")
    expect(problem).to_have_count(1)
    expect(problem).to_contain_text("survey")
    expect(problem).to_contain_text("7")
    expect(page.get_by_test_id("survey-no-form")).to_be_visible()

    good = workbook(FORM, header=HEADER, choices=CHOICES)
    page.get_by_test_id("survey-xlsform").set_input_files(
        {"name": "survey.xlsx", "mimeType": "application/octet-stream", "buffer": good})
    page.get_by_test_id("survey-upload").click()
    expect(page.get_by_test_id("survey-question")).to_have_count(len(FORM))
    # Before publishing: members and housing are already known for 8 of the 20 households.
    fact = page.locator('[data-testid="preview-fact"][data-fact="members"]')
    expect(fact.get_by_test_id("preview-known")).to_contain_text("8")
    page.get_by_test_id("survey-publish").click()
    confirm_dialog(page)
    expect(detail).to_have_attribute("data-state", "published")
    return survey_id


@pytest.mark.e2e
def test_county_publishes_cadre_answers_offline_county_reads_back(browser, server, shot):
    county_ctx, cadre_ctx = phone(browser, server), phone(browser, server)
    county, cadre = county_ctx.new_page(), cadre_ctx.new_page()
    errors: list[str] = []
    for pg in (county, cadre):
        pg.on("pageerror", lambda e: errors.append(str(e)))
    try:
        county.goto("/")
        title = unique_text("入户核实")
        survey_id = publish(county, title)
        shot(county, "survey-admin-published")

        # The cadre syncs once while online: the survey and the facts arrive.
        cadre.goto("/")
        login(cadre, CADRE)
        wait_for_service_worker(cadre)
        cadre.get_by_test_id("nav-surveys").click()
        item = cadre.locator(f'[data-testid="survey-item"][data-survey-id="{survey_id}"]')
        expect(item).to_be_visible()
        cadre_ctx.set_offline(True)
        cadre.reload()
        item.get_by_test_id("survey-open").click()
        household = cadre.get_by_test_id("survey-household")
        expect(household).to_have_count(20)

        # Household 1: the known facts come pre-filled; the cadre confirms, never retypes.
        cadre.locator('[data-testid="survey-household"][data-external-id="201001"] '
                      '[data-testid="survey-household-open"]').click()
        expect(cadre.get_by_test_id("survey-known-members")).to_be_visible()
        cadre.get_by_test_id("survey-submit").click()
        expect(cadre.get_by_test_id("survey-blocked")).to_be_visible()
        cadre.get_by_test_id("survey-confirm-members").click()
        cadre.get_by_test_id("survey-confirm-housing").click()
        cadre.get_by_test_id("survey-no-needs_help").click()
        shot(cadre, "survey-form-known-facts")
        cadre.get_by_test_id("survey-submit").click()
        expect(cadre.get_by_test_id("survey-saved")).to_be_visible()

        # Household 12: nothing known; relevance and the constraint as on the server.
        cadre.locator('[data-testid="survey-household"][data-external-id="201012"] '
                      '[data-testid="survey-household-open"]').click()
        expect(cadre.locator('[data-testid="survey-known-members"]')).to_have_count(0)
        cadre.get_by_test_id("survey-input-members").fill("25")
        cadre.get_by_test_id("survey-choice-housing-wood").check()
        expect(cadre.locator('[data-testid="survey-q"][data-name="help_note"]')).to_have_count(0)
        cadre.get_by_test_id("survey-yes-needs_help").click()
        expect(cadre.locator('[data-testid="survey-q"][data-name="help_note"]')).to_have_count(1)
        cadre.get_by_test_id("survey-photo-door").set_input_files(
            {"name": "IMG_0002.jpg", "mimeType": "image/jpeg", "buffer": make_photo_jpeg()})
        expect(cadre.get_by_test_id("survey-photo-door-item")).to_have_count(1)
        sha = cadre.get_by_test_id("survey-photo-door-item").get_attribute("data-sha256")
        # The draft is on the phone: a reload (still offline) loses nothing.
        expect(cadre.get_by_test_id("survey-draft-saved")).to_be_visible()
        cadre.reload()
        expect(cadre.get_by_test_id("survey-input-members")).to_have_value("25")
        expect(cadre.get_by_test_id("survey-photo-door-item")).to_have_count(1)
        cadre.get_by_test_id("survey-submit").click()
        error = cadre.get_by_test_id("survey-error-members")
        expect(error).to_have_attribute("data-code", "above_max")
        expect(cadre.get_by_test_id("survey-error-help_note")).to_have_attribute(
            "data-code", "required")
        cadre.get_by_test_id("survey-input-members").fill("3")
        cadre.get_by_test_id("survey-input-help_note").fill("房屋漏雨，需要维修")
        shot(cadre, "survey-form-photo")
        cadre.get_by_test_id("survey-submit").click()
        expect(cadre.get_by_test_id("survey-saved")).to_be_visible()

        # Reload offline: both are kept, marked done, and nothing has reached the server.
        cadre.reload()
        for number in ("201001", "201012"):
            expect(cadre.locator(f'[data-testid="survey-household"][data-external-id='
                                 f'"{number}"]')).to_have_attribute("data-done", "true")
        shot(cadre, "survey-households-offline")
        progress = f"/api/surveys/{survey_id}/progress"
        assert server.get(progress, COUNTY_ADMIN).json()["done"] == 0

        # Online again: sent once; the county sees 2 of 20 done.
        cadre_ctx.set_offline(False)
        wait_until(cadre, lambda: server.get(progress, COUNTY_ADMIN).json()["done"] == 2,
                   "two responses on the server")
        county.reload()
        row = county.locator(f'[data-testid="progress-row"][data-code="{VILLAGE}"]')
        expect(row.get_by_test_id("progress-count")).to_have_text("2 / 20")
        shot(county, "survey-admin-progress")
        responses = [c for c in server.pull_all(CADRE) if c["kind"] == "survey_response"
                     and c["data"]["survey_id"] == survey_id]
        assert len(responses) == 2, responses
        first = next(r["data"] for r in responses if not r["data"]["answers"].get("door"))
        assert sorted(first["confirmed"]) == ["housing", "members"]

        with county.expect_download() as dl:
            county.get_by_test_id("survey-export-xlsx").click()
        sheet = load_workbook(io.BytesIO(Path(dl.value.path()).read_bytes())).active
        rows = list(sheet.iter_rows(values_only=True))
        table = {r[2]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
        assert set(table) == {"201001", "201012"}
        assert table["201012"]["家庭人口"] == 3 and table["201012"]["住房情况"] == "木结构"
        assert table["201012"]["是否需要帮扶"] == "是"
        assert table["201012"]["帮扶需求"] == "房屋漏雨，需要维修"
        assert table["201012"]["门牌照片"] == sha
        assert table["201001"]["是否需要帮扶"] == "否" and table["201001"]["家庭人口"] >= 1
    finally:
        county_ctx.close()
        cadre_ctx.close()
    assert not errors, errors
