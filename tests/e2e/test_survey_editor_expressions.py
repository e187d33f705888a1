"""The form editor (编辑表单) beyond simple questions, on a 360 px phone: ODK expressions
(relevant, constraint with its message, required, calculation, default), a roster whose count
is an expression, questions added inside it; a wrong expression shown on its question; deleting
and discarding asked in the app's dialog; the edited form exported as an XLSForm and imported
again unchanged. And an XLSForm's warnings (accepted, no effect) shown in words."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.support import COUNTY_ADMIN, confirm_dialog, create_survey_draft, login, unique_text
from tests.xlsforms import FORMS, workbook

#: 龙潭镇's first village, as the editor's other test (drafts only: nothing is published here).
VILLAGE = "529901005201"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def question(page, index: int):
    return page.locator(f'[data-testid="editor-question"][data-index="{index}"]')


def add_question(page, index: int, type_: str, label: str, name: str):
    page.get_by_test_id("editor-add").click()
    q = question(page, index)
    q.get_by_test_id("editor-type").select_option(type_)
    q.get_by_test_id("editor-label-zh").fill(label)
    q.get_by_test_id("editor-name").fill(name)
    return q


def advanced(q):
    """Open a question's 更多规则 (expressions) and return it."""
    details = q.get_by_test_id("editor-advanced")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    return details


@pytest.mark.e2e
def test_editor_edits_expressions_groups_and_repeats(page, server, shot):
    page.goto("/")
    login(page, COUNTY_ADMIN)
    survey_id = create_survey_draft(page, unique_text("收入与成员"), VILLAGE)
    page.get_by_test_id("survey-edit-form").click()
    expect(page.get_by_test_id("editor")).to_be_visible()

    members = add_question(page, 0, "integer", "家庭人口", "members")
    members.get_by_test_id("editor-required").check()
    income = add_question(page, 1, "decimal", "年收入（万元）", "income")
    more = advanced(income)
    more.get_by_test_id("editor-expr-relevant").fill("${members} > 0")
    # A mistake only the server's parser sees; then the bound as XLSForms write it.
    more.get_by_test_id("editor-expr-constraint").fill(". >> 0")
    more.get_by_test_id("editor-message-zh").fill("须大于 0、小于 100")
    more.get_by_test_id("editor-default").fill("1")
    per_head = add_question(page, 2, "calculate", "人均收入", "per_head")
    # A calculation opens its expressions itself: its formula is what it is.
    expect(per_head.get_by_test_id("editor-advanced")).to_have_attribute("open", "")
    expect(per_head.get_by_test_id("editor-required")).to_have_count(0)
    per_head.get_by_test_id("editor-expr-calculation").fill("${income} div ${members}")

    # A roster of the members, as many entries as 家庭人口 says, two questions inside it.
    page.get_by_test_id("editor-add-repeat").click()
    roster = page.locator('[data-testid="editor-group-item"]').first
    roster.get_by_test_id("editor-group-label").fill("家庭成员")
    # A count the server's parser refuses, named by the group when saved.
    roster.get_by_test_id("editor-group-repeat-count").fill("${members} +")
    roster.get_by_test_id("editor-group-add").click()
    name = question(page, 3)
    expect(name.get_by_test_id("editor-group")).to_have_value("roster_1")
    name.get_by_test_id("editor-label-zh").fill("姓名")
    name.get_by_test_id("editor-name").fill("member_name")
    roster.get_by_test_id("editor-group-add").click()
    age = question(page, 4)
    age.get_by_test_id("editor-type").select_option("integer")
    age.get_by_test_id("editor-label-zh").fill("年龄")
    age.get_by_test_id("editor-name").fill("age")
    advanced(age).get_by_test_id("editor-expr-constraint").fill(". < 120")
    expect(roster).to_contain_text("2 道题")
    # The roster's questions change places inside it.
    age.get_by_test_id("editor-up").click()
    expect(question(page, 3).get_by_test_id("editor-name")).to_have_value("age")

    # Deleting a question with a label asks in the app's dialog, not the browser's confirm().
    add_question(page, 5, "text", "多余的题", "extra")
    question(page, 5).get_by_test_id("editor-delete").click()
    assert "多余的题" in confirm_dialog(page)
    expect(page.get_by_test_id("editor-question")).to_have_count(5)

    page.get_by_test_id("editor-save").click()
    error = page.locator('[data-testid="editor-error"][data-index="1"]')
    expect(error).to_contain_text("表达式")
    expect(income.get_by_test_id("editor-advanced")).to_have_attribute("open", "")
    expect(page.locator('[data-field$="groups.0.xpath.repeat_count"]')).to_contain_text(
        "分组「家庭成员」的条数")
    shot(page, "survey-editor-expressions")
    income.get_by_test_id("editor-expr-constraint").fill(". > 0 and . < 100")
    roster.get_by_test_id("editor-group-repeat-count").fill("${members}")
    page.get_by_test_id("editor-save").click()
    expect(page.get_by_test_id("editor")).to_have_count(0)
    expect(page.get_by_test_id("survey-notice")).to_contain_text("5")
    # The question list says in words that a rule is an expression; the expression itself
    # only behind the maintainers' toggle.
    row = page.locator('[data-testid="survey-question"][data-name="income"]')
    expect(row).to_contain_text("按表达式")
    expect(row.get_by_test_id("survey-question-expr")).to_have_count(0)
    page.get_by_test_id("survey-show-raw").check()
    expect(row.locator('[data-testid="survey-question-expr"][data-key="constraint"]')).to_contain_text(
        ". > 0 and . < 100")
    shot(page, "survey-admin-expressions")

    r = server.get(f"/api/surveys/{survey_id}", COUNTY_ADMIN)
    assert r.status_code == 200, r.text
    form = r.json()["form"]
    by_name = {q["name"]: q for q in form["questions"]}
    assert [q["name"] for q in form["questions"]] == [
        "members", "income", "per_head", "age", "member_name"]
    assert by_name["income"]["xpath"] == {
        "relevant": "${members} > 0", "constraint": ". > 0 and . < 100", "required": None,
        "calculation": None, "choice_filter": None, "repeat_count": None}
    assert by_name["income"]["constraint_message"]["zh"] == "须大于 0、小于 100"
    assert by_name["income"]["default"] == "1"
    assert by_name["per_head"]["type"] == "calculate"
    assert by_name["per_head"]["xpath"]["calculation"] == "${income} div ${members}"
    assert by_name["age"]["group"] == by_name["member_name"]["group"] == "roster_1"
    [group] = form["groups"]
    assert group["repeat"] and group["label"]["zh"] == "家庭成员"
    assert group["xpath"]["repeat_count"] == "${members}"

    # Exported as an XLSForm and imported again, the form means the same: the importer reads
    # the simple `${members} > 0` as the structured condition the editor shows as 只在…时显示;
    # every other expression comes back as typed, and a second round trip changes nothing.
    def round_trip() -> dict:
        with server.http() as c:
            auth = {"Authorization": f"Bearer {server.token(COUNTY_ADMIN)}"}
            xlsx = c.get(f"/api/surveys/{survey_id}/xlsform", headers=auth)
            assert xlsx.status_code == 200, xlsx.text
            again = c.put(f"/api/surveys/{survey_id}/xlsform", content=xlsx.content, headers={
                **auth, "Content-Type": XLSX})
            assert again.status_code == 200, again.text
            return again.json()["form"]

    back = round_trip()
    assert back["groups"] == form["groups"]
    expected = [dict(q) for q in form["questions"]]
    expected[1]["relevant"] = [[{"q": "members", "op": ">", "value": 0}]]
    expected[1]["xpath"] = {**expected[1]["xpath"], "relevant": None}
    for before, after in zip(expected, back["questions"], strict=True):
        assert after == before, {k: (before.get(k), after.get(k)) for k in before | after
                                 if before.get(k) != after.get(k)}
    assert round_trip() == back
    form = back

    # Editing again and leaving with changes asks before discarding them.
    page.reload()
    page.get_by_test_id("survey-edit-form").click()
    question(page, 0).get_by_test_id("editor-label-zh").fill("家庭常住人口")
    page.get_by_test_id("editor-cancel").click()
    expect(page.get_by_test_id("ask-dialog")).to_contain_text("放弃")
    page.get_by_test_id("ask-cancel").click()
    expect(page.get_by_test_id("editor")).to_be_visible()
    page.get_by_test_id("editor-cancel").click()
    confirm_dialog(page)
    expect(page.get_by_test_id("editor")).to_have_count(0)
    assert server.get(f"/api/surveys/{survey_id}", COUNTY_ADMIN).json()["form"] == form


@pytest.mark.e2e
def test_xlsform_warnings_are_shown_in_words(page, server, shot):
    page.goto("/")
    login(page, COUNTY_ADMIN)
    create_survey_draft(page, unique_text("外观警告"), VILLAGE)
    page.get_by_test_id("survey-xlsform").set_input_files(
        {"name": "warnings.xlsx", "mimeType": "application/octet-stream",
         "buffer": workbook(FORMS["accepted_with_warnings"])})
    page.get_by_test_id("survey-upload").click()
    warnings = page.get_by_test_id("xlsform-warning")
    expect(warnings).to_have_count(3)
    box = page.get_by_test_id("xlsform-warnings")
    expect(box).to_contain_text("已导入")
    expect(box).to_contain_text("w4 quickcompact")
    expect(box).to_contain_text("已忽略")
    expect(box).to_contain_text("phonenumber")
    expect(box).to_contain_text("第 5 行")
    expect(page.get_by_test_id("survey-question").first).to_be_visible()
    shot(page, "survey-xlsform-warnings")
