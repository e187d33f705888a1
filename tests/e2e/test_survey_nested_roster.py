"""A repeat inside a repeat (households → members → each member's jobs, ``tests/xlsforms.py``
``livelihoods_nested``) answered offline in Chromium at 360 px: an inner roster inside each
entry with add and remove, the inner repeat_count, the cascade reading the member's age, the
response sent and shown read-only, and the XLSX export read back (a sheet per repeat)."""

from __future__ import annotations

import io
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


def _tall_enough(locator) -> None:
    box = locator.bounding_box()
    assert box and box["height"] >= 44, box


@pytest.mark.e2e
def test_a_roster_inside_a_roster_offline_sent_and_exported(browser, server, shot):
    with survey_answered_offline(browser, server, title=unique_text("生计调查"),
                                 xlsx=workbook(FORMS["livelihoods_nested"]), village=VILLAGE,
                                 cadre_phone=CADRE, household="201003") as run:
        county, cadre, cadre_ctx, survey_id = run.county, run.cadre, run.cadre_ctx, run.survey_id

        cadre.get_by_test_id("survey-input-village_name").fill("东村")
        cadre.get_by_test_id("survey-add-households").click()
        home = cadre.get_by_test_id("survey-entry-households-0")
        home.get_by_test_id("survey-input-households.0.head").fill("王秀英")
        home.get_by_test_id("survey-input-households.0.n_members").fill("1")
        # The members roster inside the household's entry.
        add_member = home.get_by_test_id("survey-add-households.0.members")
        _tall_enough(add_member)
        add_member.click()
        add_member.click()
        member = home.get_by_test_id("survey-entry-households.0.members-1")
        remove = member.get_by_test_id("survey-remove-households.0.members-1")
        _tall_enough(remove)
        remove.click()
        expect(home.get_by_test_id("survey-entry-households.0.members-1")).to_have_count(0)
        p = "households.0.members.0"
        cadre.get_by_test_id(f"survey-input-{p}.m_name").fill("王秀英")
        cadre.get_by_test_id(f"survey-input-{p}.age").fill("17")
        # The jobs roster inside the member's entry, titled with her name.
        jobs = cadre.get_by_test_id(f"survey-repeat-{p}.jobs")
        expect(jobs.locator("legend")).to_contain_text("王秀英的工作")
        cadre.get_by_test_id(f"survey-add-{p}.jobs").click()
        cadre.get_by_test_id(f"survey-add-{p}.jobs").click()
        # The cascade reads the member's own age: a 17-year-old cannot be a miner.
        expect(cadre.get_by_test_id(f"survey-choice-{p}.jobs.0.job-mine")).to_have_count(0)
        cadre.get_by_test_id(f"survey-input-{p}.age").fill("46")
        cadre.get_by_test_id(f"survey-choice-{p}.jobs.0.job-farm").check()
        cadre.get_by_test_id(f"survey-input-{p}.jobs.0.income").fill("12000")
        cadre.get_by_test_id(f"survey-choice-{p}.jobs.1.job-mine").check()
        cadre.get_by_test_id("survey-submit").click()
        # The second job's income is required (its job is not none), shown at its row.
        expect(cadre.get_by_test_id(f"survey-error-{p}.jobs.1.income")).to_have_attribute(
            "data-code", "required")
        # Nothing wider than the phone.
        width = cadre.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, width
        expect(cadre.get_by_test_id("survey-draft-saved")).to_be_visible()
        cadre.reload()
        expect(cadre.get_by_test_id(f"survey-input-{p}.m_name")).to_have_value("王秀英")
        cadre.get_by_test_id(f"survey-input-{p}.jobs.1.income").fill("30000")
        shot(cadre, "survey-nested-roster")
        cadre.get_by_test_id("survey-submit").click()
        expect(cadre.get_by_test_id("survey-saved")).to_be_visible()

        cadre_ctx.set_offline(False)
        progress = f"/api/surveys/{survey_id}/progress"
        wait_until(cadre, lambda: server.get(progress, COUNTY_ADMIN).json()["done"] == 1,
                   "the response on the server")
        [response] = [c["data"] for c in server.pull_all(CADRE)
                      if c["kind"] == "survey_response" and c["data"]["survey_id"] == survey_id]
        [home_answers] = response["answers"]["households"]
        [wang] = home_answers["members"]
        assert [(j["job"], j["income"]) for j in wang["jobs"]] == [
            ("farm", 12000), ("mine", 30000)]
        assert [j["job_key"] for j in wang["jobs"]] == ["王秀英/王秀英/1", "王秀英/王秀英/2"]
        assert home_answers["hh_income"] == "42000" and response["answers"]["total_jobs"] == "2"

        # The read-only view shows the rosters within each other.
        cadre.locator('[data-testid="survey-household"][data-external-id="201003"] '
                      '[data-testid="survey-household-open"]').click()
        sent = cadre.get_by_test_id("survey-response")
        jobs_sent = sent.get_by_test_id(f"survey-repeat-{p}.jobs")
        expect(jobs_sent.locator(f'[data-name="{p}.jobs.1.income"]')).to_contain_text("30")

        county.reload()
        with county.expect_download() as dl:
            county.get_by_test_id("survey-export-xlsx").click()
        book = load_workbook(io.BytesIO(Path(dl.value.path()).read_bytes()))
        assert book.sheetnames == ["答卷", "农户", "成员", "jobs"]
        people = list(book["成员"].iter_rows(values_only=True))
        work = list(book["jobs"].iter_rows(values_only=True))
        person = dict(zip(people[0], people[1], strict=True))
        assert person["姓名"] == "王秀英"
        assert [(dict(zip(work[0], w, strict=True))["工作"],
                 dict(zip(work[0], w, strict=True))["上级编号"]) for w in work[1:]] == [
            ("务农", person["编号"]), ("矿工", person["编号"])]
