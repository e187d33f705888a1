"""The in-app form editor (编辑表单): the county admin, on a phone and without Excel, builds a
three-question form — bounds, choices, a question shown only for one choice — sees a mistake
the server finds shown on the question it names, saves, and publishes."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.support import COUNTY_ADMIN, confirm_dialog, create_survey_draft, login, unique_text

#: 龙潭镇's first village: no other e2e test surveys it.
VILLAGE = "529901005201"


def question(page, index: int):
    return page.locator(f'[data-testid="editor-question"][data-index="{index}"]')


@pytest.mark.e2e
def test_county_admin_builds_a_form_in_the_editor_and_publishes(page, server, shot):
    page.goto("/")
    login(page, COUNTY_ADMIN)
    survey_id = create_survey_draft(page, unique_text("住房核实"), VILLAGE)
    detail = page.get_by_test_id("survey-detail")
    expect(page.get_by_test_id("survey-no-form")).to_be_visible()

    page.get_by_test_id("survey-edit-form").click()
    editor = page.get_by_test_id("editor")
    expect(editor).to_be_visible()
    expect(page.get_by_test_id("editor-question")).to_have_count(0)

    # 1: an integer from 1 to 20, asking a household fact.
    page.get_by_test_id("editor-add").click()
    q = question(page, 0)
    q.get_by_test_id("editor-type").select_option("integer")
    q.get_by_test_id("editor-label-zh").fill("家庭人口")
    q.get_by_test_id("editor-required").check()
    q.get_by_test_id("editor-min").fill("1")
    q.get_by_test_id("editor-max").fill("20")
    q.get_by_test_id("editor-fact").select_option("members")

    # 2: a single choice, one choice a line (codes c1, c2 given automatically).
    page.get_by_test_id("editor-add").click()
    q = question(page, 1)
    q.get_by_test_id("editor-type").select_option("select_one")
    q.get_by_test_id("editor-label-zh").fill("住房情况")
    q.get_by_test_id("editor-label-en").fill("Housing")
    q.get_by_test_id("editor-choices").fill("砖混\n木结构")

    # 3: text, shown only when question 2 is the second choice. By mistake it asks the same
    # household fact as question 1: only the server sees that.
    page.get_by_test_id("editor-add").click()
    q = question(page, 2)
    q.get_by_test_id("editor-label-zh").fill("木结构房屋情况")
    q.get_by_test_id("editor-relevant-q").select_option(label="2. 住房情况")
    expect(q.get_by_test_id("editor-relevant-op")).to_have_value("=")
    q.get_by_test_id("editor-relevant-value").select_option(label="木结构")
    q.get_by_test_id("editor-fact").select_option("members")

    # A fourth, empty question: saving names what is missing; then it is deleted.
    page.get_by_test_id("editor-add").click()
    page.get_by_test_id("editor-save").click()
    error = page.locator('[data-testid="editor-error"][data-index="3"]')
    expect(error).to_contain_text("中文题目")
    question(page, 3).get_by_test_id("editor-delete").click()
    expect(page.get_by_test_id("editor-question")).to_have_count(3)

    page.get_by_test_id("editor-save").click()
    error = page.locator('[data-testid="editor-error"][data-index="2"]')
    expect(error).to_be_visible()
    expect(error).to_contain_text("农户信息")
    expect(page.locator('[data-testid="editor-error"][data-index="0"]')).to_have_count(0)
    shot(page, "survey-editor-server-error")
    question(page, 2).get_by_test_id("editor-fact").select_option("")
    page.get_by_test_id("editor-save").click()

    expect(editor).to_have_count(0)
    expect(page.get_by_test_id("survey-notice")).to_contain_text("3")
    rows = page.get_by_test_id("survey-question")
    expect(rows).to_have_count(3)
    expect(rows.nth(2)).to_contain_text("木结构")
    page.get_by_test_id("survey-publish").click()
    confirm_dialog(page)
    expect(detail).to_have_attribute("data-state", "published")
    # Published, the working form can still be edited: that makes the next version.
    expect(page.get_by_test_id("survey-edit-form")).to_be_visible()

    r = server.get(f"/api/surveys/{survey_id}", COUNTY_ADMIN)
    assert r.status_code == 200, r.text
    survey = r.json()
    assert survey["state"] == "published" and len(survey["versions"]) == 1
    members, housing, note = survey["form"]["questions"]
    assert (members["name"], members["type"], members["required"]) == ("q1", "integer", True)
    assert members["constraint"]["min"] == 1 and members["constraint"]["max"] == 20
    assert members["fact"] == "members"
    assert housing["label"] == {"zh": "住房情况", "en": "Housing"}
    assert [(c["name"], c["label"]["zh"]) for c in housing["choices"]] == [
        ("c1", "砖混"), ("c2", "木结构")]
    assert note["type"] == "text" and note["fact"] is None
    assert note["label"] == {"zh": "木结构房屋情况", "en": "木结构房屋情况"}
    assert note["relevant"] == [[{"q": "q2", "op": "=", "value": "c2"}]]
