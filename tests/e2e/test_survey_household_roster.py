"""The household census XLSForm (groups, a cascade, a member roster, calculations, notes and
metadata: ``tests/xlsforms.py``) published by the county, answered offline end to end in
Chromium, sent once online, and its XLSX export read back: a sheet of responses and a sheet
of members joined by the response id."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.support import (
    COUNTY_ADMIN,
    survey_answered_offline,
    unique_text,
    wait_until,
)
from tests.e2e.test_surveys import CADRE, VILLAGE
from tests.xlsforms import FORMS, workbook


def _member(page, index: int, name: str, age: str, sex: str) -> None:
    page.get_by_test_id("survey-add-members").click()
    entry = page.get_by_test_id(f"survey-entry-members-{index}")
    entry.get_by_test_id(f"survey-input-members.{index}.member_name").fill(name)
    entry.get_by_test_id(f"survey-input-members.{index}.age").fill(age)
    entry.get_by_test_id(f"survey-choice-members.{index}.sex-{sex}").check()


@pytest.mark.e2e
def test_household_census_with_roster_offline_and_exported(browser, server, shot):
    with survey_answered_offline(browser, server, title=unique_text("农户普查"),
                                 xlsx=workbook(FORMS["household_census"]), village=VILLAGE,
                                 cadre_phone=CADRE, household="201003") as run:
        county, cadre, cadre_ctx, survey_id = run.county, run.cadre, run.cadre_ctx, run.survey_id

        # A note, a group as a section, and the cascade: the villages of the chosen township.
        expect(cadre.locator('[data-testid="survey-note"][data-name="intro"]')).to_contain_text(
            "请逐户核实")
        expect(cadre.get_by_test_id("survey-group-where")).to_be_visible()
        cadre.get_by_test_id("survey-choice-township-t2").check()
        expect(cadre.get_by_test_id("survey-choice-village-v21")).to_have_count(1)
        expect(cadre.get_by_test_id("survey-choice-village-v11")).to_have_count(0)
        cadre.get_by_test_id("survey-choice-township-t1").check()
        expect(cadre.get_by_test_id("survey-choice-village-v21")).to_have_count(0)
        cadre.get_by_test_id("survey-choice-village-v12").check()
        # A default written as an expression (today()) is filled when the sheet starts.
        expect(cadre.get_by_test_id("survey-input-visit_date")).to_have_value(
            re.compile(r"^\d{4}-\d{2}-\d{2}$"))
        cadre.get_by_test_id("survey-input-head").fill("王秀英")
        cadre.get_by_test_id("survey-input-size").fill("2")
        cadre.get_by_test_id("survey-choice-housing-brick").check()

        # The roster: two members; the school question shows for the child only.
        _member(cadre, 0, "王秀英", "46", "f")
        _member(cadre, 1, "李小明", "12", "m")
        expect(cadre.locator('[data-name="members.0.in_school"]')).to_have_count(0)
        # Its label names the member's own answer (${member_name}).
        expect(cadre.locator('[data-name="members.1.in_school"] .q-label')).to_contain_text(
            "李小明是否在校")
        cadre.get_by_test_id("survey-choice-members.1.in_school-yes").check()
        # The note shows the calculations as they stand.
        expect(cadre.locator('[data-testid="survey-note"][data-name="summary"]')).to_contain_text(
            "共 2 人，成人 1 人")
        cadre.get_by_test_id("survey-input-members.1.age").fill("130")
        cadre.get_by_test_id("survey-choice-size_ok-yes").check()
        cadre.get_by_test_id("survey-submit").click()
        expect(cadre.get_by_test_id("survey-error-members.1.age")).to_have_attribute(
            "data-code", "constraint")
        # A reload (still offline) loses nothing of the roster.
        expect(cadre.get_by_test_id("survey-draft-saved")).to_be_visible()
        cadre.reload()
        expect(cadre.get_by_test_id("survey-input-members.1.member_name")).to_have_value("李小明")
        cadre.get_by_test_id("survey-input-members.1.age").fill("12")
        shot(cadre, "survey-household-roster")
        cadre.get_by_test_id("survey-submit").click()
        expect(cadre.get_by_test_id("survey-saved")).to_be_visible()
        cadre.reload()
        expect(cadre.locator('[data-testid="survey-household"][data-external-id="201003"]')
               ).to_have_attribute("data-done", "true")
        progress = f"/api/surveys/{survey_id}/progress"
        assert server.get(progress, COUNTY_ADMIN).json()["done"] == 0

        cadre_ctx.set_offline(False)
        wait_until(cadre, lambda: server.get(progress, COUNTY_ADMIN).json()["done"] == 1,
                   "the response on the server")
        # What was sent, read-only: the groups as sections, the roster's entries nested, each
        # member's answers inside their entry; nothing to add or remove.
        cadre.reload()
        cadre.locator('[data-testid="survey-household"][data-external-id="201003"] '
                      '[data-testid="survey-household-open"]').click()
        sent = cadre.get_by_test_id("survey-response")
        expect(sent).to_be_visible()
        expect(sent.get_by_test_id("survey-group-where")).to_have_text("位置")
        expect(sent.locator('[data-testid="survey-answer"][data-name="village"]')).to_contain_text(
            "西村")
        roster = sent.get_by_test_id("survey-repeat-members")
        expect(roster.locator("legend")).to_have_text("家庭成员")
        child = roster.get_by_test_id("survey-entry-members-1")
        expect(child.locator('[data-testid="survey-answer"][data-name="members.1.member_name"]')
               ).to_contain_text("李小明")
        expect(child.locator('[data-testid="survey-answer"][data-name="members.1.sex"]')
               ).to_contain_text("男")
        expect(child.locator('[data-testid="survey-answer"][data-name="members.1.in_school"]')
               ).to_contain_text("是")
        adult = roster.get_by_test_id("survey-entry-members-0")
        expect(adult.locator('[data-testid="survey-answer"][data-name="members.0.age"]')
               ).to_contain_text("46")
        expect(adult.locator('[data-name="members.0.in_school"]')).to_have_count(0)
        expect(sent.get_by_test_id("survey-add-members")).to_have_count(0)
        expect(sent.locator('[data-testid^="survey-remove-"]')).to_have_count(0)
        shot(cadre, "survey-sent-roster")

        [response] = [c["data"] for c in server.pull_all(CADRE)
                      if c["kind"] == "survey_response" and c["data"]["survey_id"] == survey_id]
        answers = response["answers"]
        assert [m["member_name"] for m in answers["members"]] == ["王秀英", "李小明"]
        assert answers["members"][1]["in_school"] == "yes"
        assert (answers["n_members"], answers["n_adults"]) == ("2", "1")
        assert [m["is_adult"] for m in answers["members"]] == ["1", "0"]
        assert answers["deviceid"].startswith("zhucun:") and answers["username"]
        assert answers["start"] <= answers["end"] and len(answers["today"]) == 10
        assert answers["visit_date"] == answers["today"]

        county.reload()
        with county.expect_download() as dl:
            county.get_by_test_id("survey-export-xlsx").click()
        book = load_workbook(io.BytesIO(Path(dl.value.path()).read_bytes()))
        main = list(book["答卷"].iter_rows(values_only=True))
        row = dict(zip(main[0], main[1], strict=True))
        assert row["户编号"] == "201003" and row["户主姓名"] == "王秀英"
        assert row["村（village）"] == "西村"  # the question 村 beside the village column
        members = list(book["家庭成员"].iter_rows(values_only=True))
        assert members[0][:4] == ("答卷编号", "序号", "姓名", "年龄")
        assert [(m[0], m[1], m[2], m[3]) for m in members[1:]] == [
            (row["答卷编号"], 1, "王秀英", 46), (row["答卷编号"], 2, "李小明", 12)]
