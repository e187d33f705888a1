"""Lines and areas answered on a phone in Chromium (``land_parcels`` in ``tests/xlsforms.py``):
points added from the current location and typed by hand, the area closed automatically, a
line of one point refused until a second is added, a roster's place recorded; the server
stores ODK's text and its GeoJSON export draws a Polygon and a LineString."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.e2e.support import (
    COUNTY_ADMIN,
    create_survey_draft,
    login,
    phone,
    publish_xlsform_survey,
    unique_text,
    wait_until,
)
from tests.e2e.test_surveys import CADRE, VILLAGE
from tests.xlsforms import FORMS, workbook


def open_household(page, survey_id: str, external_id: str = "201003") -> None:
    page.get_by_test_id("nav-surveys").click()
    page.locator(f'[data-testid="survey-item"][data-survey-id="{survey_id}"] '
                 '[data-testid="survey-open"]').click()
    page.locator(f'[data-testid="survey-household"][data-external-id="{external_id}"] '
                 '[data-testid="survey-household-open"]').click()


@pytest.mark.e2e
def test_a_parcel_and_a_track_are_answered_point_by_point(browser, server, shot):
    county_ctx, cadre_ctx = phone(browser, server), phone(browser, server)
    cadre_ctx.grant_permissions(["geolocation"], origin=server.url)
    cadre_ctx.set_geolocation({"latitude": 26.5, "longitude": 106.7, "accuracy": 5})
    county, cadre = county_ctx.new_page(), cadre_ctx.new_page()
    errors: list[str] = []
    for pg in (county, cadre):
        pg.on("pageerror", lambda e: errors.append(str(e)))
    try:
        county.goto("/")
        survey_id = publish_xlsform_survey(county, unique_text("承包地块"), VILLAGE,
                                           workbook(FORMS["land_parcels"]))
        cadre.goto("/")
        login(cadre, CADRE)
        open_household(cadre, survey_id)
        cadre.get_by_test_id("survey-input-holder").fill("杨光荣")

        # The area: two points where the phone stands and walks, one typed (no GPS there).
        shape = cadre.get_by_test_id("survey-shape-parcel")
        cadre.get_by_test_id("survey-shape-here-parcel").click()
        expect(shape).to_have_attribute("data-points", "1")
        cadre_ctx.set_geolocation({"latitude": 26.501, "longitude": 106.7, "accuracy": 5})
        cadre.get_by_test_id("survey-shape-here-parcel").click()
        expect(cadre.get_by_test_id("survey-shape-state-parcel")).to_contain_text("还需 1 个点")
        cadre.get_by_test_id("survey-shape-lat-parcel").fill("26.501")
        cadre.get_by_test_id("survey-shape-lon-parcel").fill("200")
        cadre.get_by_test_id("survey-shape-add-parcel").click()
        expect(shape).to_contain_text("请填写有效的纬度")
        expect(shape).to_have_attribute("data-points", "2")
        cadre.get_by_test_id("survey-shape-lon-parcel").fill("106.701")
        cadre.get_by_test_id("survey-shape-add-parcel").click()
        expect(cadre.get_by_test_id("survey-shape-state-parcel")).to_contain_text("已闭合")

        # The track: one typed point is no line yet; the form says so until a second is added.
        cadre.get_by_test_id("survey-shape-lat-track").fill("26.5")
        cadre.get_by_test_id("survey-shape-lon-track").fill("106.7")
        cadre.get_by_test_id("survey-shape-add-track").click()
        cadre.get_by_test_id("survey-add-wells").click()
        cadre.get_by_test_id("survey-locate-wells.0.well_at").click()
        expect(cadre.get_by_test_id("survey-fix-wells.0.well_at")).to_be_visible()
        cadre.get_by_test_id("survey-submit").click()
        expect(cadre.get_by_test_id("survey-error-track")).to_have_attribute(
            "data-code", "not_geotrace")
        cadre.get_by_test_id("survey-shape-lat-track").fill("26.502")
        cadre.get_by_test_id("survey-shape-lon-track").fill("106.702")
        cadre.get_by_test_id("survey-shape-add-track").click()
        shot(cadre, "survey-geoshape")
        cadre.get_by_test_id("survey-submit").click()
        expect(cadre.get_by_test_id("survey-saved")).to_be_visible()

        progress = f"/api/surveys/{survey_id}/progress"
        wait_until(cadre, lambda: server.get(progress, COUNTY_ADMIN).json()["done"] == 1,
                   "the response on the server")
        [response] = [c["data"] for c in server.pull_all(CADRE)
                      if c["kind"] == "survey_response" and c["data"]["survey_id"] == survey_id]
        answers = response["answers"]
        assert answers["parcel"] == ("26.5 106.7 0 5;26.501 106.7 0 5;26.501 106.701 0 0;"
                                     "26.5 106.7 0 5")
        assert answers["track"] == "26.5 106.7 0 0;26.502 106.702 0 0"
        assert answers["wells"][0]["well_at"]["lat"] == 26.501
        geo = json.loads(server.get(f"/api/surveys/{survey_id}/responses.geojson",
                                    COUNTY_ADMIN).content)
        kinds = sorted(f["geometry"]["type"] for f in geo["features"])
        assert kinds == ["LineString", "Point", "Polygon"]
    finally:
        county_ctx.close()
        cadre_ctx.close()
    assert not errors, errors


@pytest.mark.e2e
def test_the_admin_uploads_a_form_with_its_choice_csvs(browser, server):
    ctx = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900},
                              locale="zh-CN", timezone_id="Asia/Shanghai")
    ctx.set_default_timeout(20_000)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sample = FORMS["village_register"]
    try:
        page.goto("/")
        login(page, COUNTY_ADMIN)
        create_survey_draft(page, unique_text("村名册"), VILLAGE)
        page.get_by_test_id("survey-xlsform").set_input_files(
            {"name": "register.xlsx", "mimeType": "application/octet-stream",
             "buffer": workbook(sample)})
        # Without the villages' CSV: the row of the question, naming the file.
        page.get_by_test_id("survey-xlsform-files").set_input_files(
            [{"name": "crops.csv", "mimeType": "text/csv", "buffer": sample.files["crops.csv"]}])
        page.get_by_test_id("survey-upload").click()
        problem = page.get_by_test_id("xlsform-error")
        expect(problem).to_have_count(1)
        expect(problem).to_contain_text("villages.csv")
        expect(problem.locator("td").nth(1)).to_have_text("3")
        page.get_by_test_id("survey-xlsform-files").set_input_files(
            [{"name": name, "mimeType": "text/csv", "buffer": data}
             for name, data in sample.files.items()])
        page.get_by_test_id("survey-upload").click()
        expect(page.get_by_test_id("survey-question")).to_have_count(3)
        expect(page.get_by_test_id("xlsform-error")).to_have_count(0)
    finally:
        ctx.close()
    assert not errors, errors
