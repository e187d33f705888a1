"""A household's members kept as a household fact (``tests/xlsforms.py`` ``member_facts``): a
cadre answers the roster in Chromium and sends it; the next survey of the same household
starts with the members pre-filled (their ids and member facts) and shown as a known list;
the cadre edits one, removes one, sends, and the fact on the server follows, member by member.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.support import (
    COUNTY_ADMIN,
    confirm_dialog,
    create_survey_draft,
    login,
    unique_text,
    wait_for_service_worker,
    wait_until,
)
from tests.e2e.test_surveys import CADRE, VILLAGE, phone
from tests.xlsforms import FORMS, workbook

HOUSEHOLD = "201006"


def _publish(page, title: str) -> str:
    survey_id = create_survey_draft(page, title, VILLAGE)
    page.get_by_test_id("survey-xlsform").set_input_files(
        {"name": "members.xlsx", "mimeType": "application/octet-stream",
         "buffer": workbook(FORMS["member_facts"])})
    page.get_by_test_id("survey-upload").click()
    expect(page.get_by_test_id("survey-question").first).to_be_visible()
    page.get_by_test_id("survey-publish").click()
    confirm_dialog(page)
    expect(page.get_by_test_id("survey-detail")).to_have_attribute("data-state", "published")
    return survey_id


def _open(page, survey_id: str) -> None:
    page.goto("/#/surveys")
    item = page.locator(f'[data-testid="survey-item"][data-survey-id="{survey_id}"]')
    wait_until(page, lambda: (page.reload(), item.count() > 0)[1], "the survey on the phone")
    item.get_by_test_id("survey-open").click()
    page.locator(f'[data-testid="survey-household"][data-external-id="{HOUSEHOLD}"] '
                 '[data-testid="survey-household-open"]').click()


def _member(page, index: int, name: str, age: str, relation: str) -> None:
    page.get_by_test_id("survey-add-members").click()
    page.get_by_test_id(f"survey-input-members.{index}.member_name").fill(name)
    page.get_by_test_id(f"survey-input-members.{index}.age").fill(age)
    page.get_by_test_id(f"survey-choice-members.{index}.relation-{relation}").check()


def _roster_fact(server) -> dict | None:
    facts = [c["data"] for c in server.pull_all(CADRE) if c["kind"] == "household_fact"
             and c["data"]["fact"] == "household_members"]
    return max(facts, key=lambda f: f["confirmed_at"]) if facts else None


@pytest.mark.e2e
def test_members_kept_as_a_fact_are_pre_filled_edited_and_removed(browser, server, shot):
    county_ctx, cadre_ctx = phone(browser, server), phone(browser, server)
    county, cadre = county_ctx.new_page(), cadre_ctx.new_page()
    errors: list[str] = []
    for pg in (county, cadre):
        pg.on("pageerror", lambda e: errors.append(str(e)))
    try:
        county.goto("/")
        login(county, COUNTY_ADMIN)
        first = _publish(county, unique_text("家庭成员登记"))
        cadre.goto("/")
        login(cadre, CADRE)
        wait_for_service_worker(cadre)
        _open(cadre, first)
        # The demo's spring survey knew this household's phone: confirmed as it is.
        cadre.get_by_test_id("survey-confirm-phone").click()
        cadre.get_by_test_id("survey-choice-lives_here-yes").check()
        _member(cadre, 0, "王秀英", "46", "head")
        _member(cadre, 1, "李强", "48", "spouse")
        _member(cadre, 2, "李小明", "12", "child")
        cadre.get_by_test_id("survey-choice-members.1.working-yes").check()
        cadre.get_by_test_id("survey-submit").click()
        expect(cadre.get_by_test_id("survey-saved")).to_be_visible()
        wait_until(cadre, lambda: (_roster_fact(server) or {}).get("survey_id") == first,
                   "the members kept as the household's fact")
        before = _roster_fact(server)
        ids = [m["id"] for m in before["value"]["members"]]
        assert [m["values"]["name"] for m in before["value"]["members"]] == [
            "王秀英", "李强", "李小明"]
        assert len(set(ids)) == 3 and all(len(i) == 36 for i in ids)

        second = _publish(county, unique_text("成员复核"))
        _open(cadre, second)
        cadre.get_by_test_id("survey-confirm-phone").click()
        cadre.get_by_test_id("survey-choice-lives_here-yes").check()
        # Pre-filled from the fact: the known list, and each member's entry with its answers.
        known = cadre.get_by_test_id("survey-known-members")
        expect(known).to_contain_text("已知成员 3 人")
        members = known.get_by_test_id("survey-known-member")
        expect(members).to_have_count(3)
        expect(members.nth(1)).to_contain_text("李强 · 48 · 配偶")
        expect(cadre.get_by_test_id("survey-input-members.0.member_name")).to_have_value("王秀英")
        expect(cadre.get_by_test_id("survey-input-members.2.age")).to_have_value("12")
        # Asked anew each time, not pre-filled: working away this month.
        expect(cadre.get_by_test_id("survey-choice-members.1.working-yes")).not_to_be_checked()
        known.scroll_into_view_if_needed()
        shot(cadre, "survey-member-facts-known")
        # Neither confirmed nor changed: sending is held.
        cadre.get_by_test_id("survey-submit").click()
        expect(cadre.get_by_test_id("survey-blocked-facts")).to_be_visible()
        # 李强 has moved away; 王秀英's age is corrected.
        cadre.get_by_test_id("survey-remove-members-1").click()
        cadre.get_by_test_id("survey-input-members.0.age").fill("47")
        expect(cadre.get_by_test_id("survey-changed-members")).to_be_visible()
        expect(cadre.get_by_test_id("survey-input-members.1.member_name")).to_have_value("李小明")
        cadre.get_by_test_id("survey-changed-members").scroll_into_view_if_needed()
        shot(cadre, "survey-member-facts-changed")
        cadre.get_by_test_id("survey-submit").click()
        expect(cadre.get_by_test_id("survey-saved")).to_be_visible()
        wait_until(cadre, lambda: (_roster_fact(server) or {}).get("survey_id") == second,
                   "the corrected members on the server")
        after = _roster_fact(server)
        assert [(m["id"], m["values"]["name"], m["values"]["age"])
                for m in after["value"]["members"]] == [
            (ids[0], "王秀英", 47), (ids[2], "李小明", 12)]
        assert after["confirmed_by_name"] and after["confirmed_at"] > before["confirmed_at"]
    finally:
        county_ctx.close()
        cadre_ctx.close()
    assert not errors, errors
