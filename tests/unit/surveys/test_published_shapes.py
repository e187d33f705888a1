"""Twenty-odd XLSForms in the shapes ODK and Kobo users publish (``tests/xlsforms.py``): each
imports through pyxform, and each is answered — answers that keep its rules pass, answers
that break them give the errors they must."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.surveys.rules import check_answers, normalise
from backend.surveys.xlsform import read_xlsform
from backend.surveys.xlsform_out import write_xlsform
from backend.surveys.xpath import TZ
from tests.xlsforms import FORMS, workbook

NOW = dt.datetime(2026, 12, 3, 10, 0, tzinfo=TZ)


def _imported(name: str) -> dict:
    result = read_xlsform(workbook(FORMS[name]), attachments=FORMS[name].files)
    assert result.errors == [], [(e.sheet, e.row, e.field, e.code, e.params)
                                 for e in result.errors]
    return result


def test_there_are_at_least_twenty_forms():
    assert len(FORMS) >= 20


@pytest.mark.parametrize("name", sorted(FORMS))
def test_each_form_imports_and_is_answered(name):
    result = _imported(name)
    form = result.form.model_dump(mode="json")
    sample = FORMS[name]
    assert check_answers(form, sample.good, NOW) == []
    stored = normalise(form, sample.good, NOW)
    assert set(sample.good) <= set(stored)
    for answers, expected in sample.bad:
        got = [(e.question, e.code) for e in check_answers(form, answers, NOW)]
        assert got == expected
    warned = " ".join(str((w.params or {}).get("type") or (w.params or {}).get("appearance"))
                      for w in result.warnings)
    for word in sample.warnings:
        assert word in warned


def test_the_household_census_keeps_groups_roster_cascade_and_calculations():
    form = _imported("household_census").form
    groups = {g.name: g for g in form.groups}
    assert groups["where"].appearance == "field-list" and not groups["where"].repeat
    assert groups["members"].repeat
    by_name = {q.name: q for q in form.questions}
    assert by_name["member_name"].group == "members"
    assert by_name["village"].xpath.choice_filter == "township = ${township}"
    assert by_name["village"].choices[0].filters == {"township": "t1"}
    assert by_name["start"].meta and by_name["start"].type == "start"
    assert by_name["intro"].type == "note"
    stored = normalise(form.model_dump(mode="json"), FORMS["household_census"].good, NOW)
    assert (stored["n_members"], stored["n_adults"]) == ("3", "2")
    assert [m["is_adult"] for m in stored["members"]] == ["1", "1", "0"]


def test_languages_beyond_chinese_and_english_are_kept():
    ug = _imported("three_languages_ug").form.questions[0].label.model_dump()
    assert ug == {"zh": "户主", "en": "Head", "ug": "ئائىلە باشلىقى"}
    bo = _imported("tibetan_mongolian").form.questions[0].label.model_dump()
    assert bo["bo"] == "གཡག་གི་གྲངས།" and bo["mn"] == "сарлагийн тоо" and bo["en"] == "牦牛头数"
    sw = _imported("swahili").form.questions[0].label.model_dump()
    assert sw == {"zh": "Has a latrine", "en": "Has a latrine", "sw": "Ana choo"}


def test_old_header_spellings_read_as_the_current_ones():
    form = _imported("old_headers").form
    plots = form.questions[0]
    assert plots.label.zh == "地块数" and plots.hint.en == "All plots"
    assert plots.constraint_message.en == "At most 30"


def test_or_other_and_choice_name_and_quotes():
    agri = {q.name: q for q in _imported("agriculture").form.questions}
    assert "other" in [c.name for c in agri["crop"].choices]
    assert agri["crop_other"].xpath.relevant == "selected(../crop, 'other')"
    poverty = normalise(_imported("poverty_monitoring").form.model_dump(mode="json"),
                        FORMS["poverty_monitoring"].good, NOW)
    assert poverty["line"] == "low/无风险/6/无"
    curly = {q.name: q for q in _imported("curly_quotes").form.questions}
    assert [[c.model_dump() for c in g] for g in curly["toilet_other"].relevant] == [
        [{"q": "toilet", "op": "=", "value": "other"}]]
    assert curly["code"].xpath.constraint == 'regex(., "^[0-9]{6}$")'


def _sheet(rows):
    from tests.xlsforms import Sample
    return workbook(Sample(sheets=rows, good={}))


def test_what_the_phone_cannot_answer_is_refused_with_the_reason_and_its_row():
    header = ["type", "name", "label"]
    result = read_xlsform(_sheet({"survey": [
        header, ["text", "a", "A"], ["video", "clip", "Clip"], ["audio", "voice", "Voice"],
        ["select_one_from_file towns.csv", "town", "Town"],
        ["begin repeat", "outer", "Outer"], ["begin repeat", "inner", "Inner"],
        ["text", "b", "B"], ["end repeat"], ["end repeat"], ["audio", "voice2", "Voice"]]}))
    assert result.form is None
    assert [(e.row, e.field, e.code) for e in result.errors] == [
        (3, "type", "xlsform_type_unanswerable"), (4, "type", "xlsform_type_unanswerable"),
        (5, "type", "xlsform_attachment_missing"), (11, "type", "xlsform_type_unanswerable")]
    assert result.errors[0].params == {"type": "video"}


def test_what_pyxform_refuses_is_located_with_its_words():
    result = read_xlsform(_sheet({"survey": [
        ["type", "name", "label", "relevant"], ["text", "a", "A"],
        ["text", "b", "B", "${nowhere} = 1"]]}))
    assert result.form is None
    [error] = result.errors
    assert (error.sheet, error.row, error.field, error.code) == (
        "survey", 3, "relevant", "xlsform_pyxform")
    assert "nowhere" in error.params["detail"]


def test_a_fact_in_a_roster_needs_the_roster_kept_as_a_fact():
    result = read_xlsform(_sheet({"survey": [
        ["type", "name", "label", "fact"], ["begin repeat", "members", "Members"],
        ["integer", "age", "Age", "age"], ["end repeat"]]}))
    assert [(e.row, e.field, e.code) for e in result.errors] == [(3, "fact", "fact_in_repeat")]
    # The reason in words: where to mark the roster, and why (a lasting id for each member).
    from backend.surveys.messages import Fields
    zh, en = Fields.fact_in_repeat
    assert "begin repeat" in zh and "固定编号" in zh and "lasting id" in en


def test_what_a_roster_fact_cannot_be_is_refused_at_its_row():
    """Only a repeat at the top of the form, with member facts inside, each named once; a
    repeat inside it keeps no facts (its entries have no lasting id of their own)."""
    result = read_xlsform(_sheet({"survey": [
        ["type", "name", "label", "fact"],
        ["begin group", "where", "Where", "place"], ["text", "a", "A"], ["end group"],
        ["begin repeat", "members", "Members", "members"],
        ["text", "m_name", "Name", "name"], ["integer", "m_age", "Age", "name"],
        ["begin repeat", "jobs", "Jobs", "jobs"], ["text", "job", "Job", "job"], ["end repeat"],
        ["end repeat"],
        ["begin repeat", "plots", "Plots", "plots"], ["decimal", "mu", "Mu"], ["end repeat"],
        ["text", "phone", "Phone", "members"]]}))
    assert [(e.row, e.field, e.code) for e in result.errors] == [
        (2, "fact", "fact_on_group"), (7, "fact", "duplicate"),
        (8, "fact", "fact_in_nested_repeat"), (9, "fact", "fact_in_nested_repeat"),
        (12, "fact", "roster_fact_empty"), (15, "fact", "duplicate")]
    from backend.surveys.messages import Fields
    assert "最外层" in Fields.fact_in_nested_repeat.zh
    assert "only a roster at the top" in Fields.fact_in_nested_repeat.en
    village = read_xlsform(workbook(FORMS["member_facts"]), households=False)
    assert {e.code for e in village.errors} == {"fact_needs_households"}


def test_a_roster_kept_as_a_fact_is_read_and_written_back():
    form = _imported("member_facts").form
    [members] = [g for g in form.groups if g.repeat]
    assert members.fact == "household_members"
    facts = {q.name: q.fact for q in form.questions}
    assert (facts["member_name"], facts["age"], facts["working"]) == ("name", "age", None)
    assert read_xlsform(write_xlsform(form, "t")).form == form


@pytest.mark.parametrize("name", sorted(FORMS))
def test_an_imported_form_goes_back_to_xlsform_and_comes_in_unchanged(name):
    form = _imported(name).form
    again = read_xlsform(write_xlsform(form, "title"))
    assert again.errors == [], [(e.row, e.field, e.code, e.params) for e in again.errors]
    assert again.form.model_dump(mode="json") == form.model_dump(mode="json")


def test_choices_from_an_attached_csv_keep_labels_and_filter_columns():
    form = _imported("village_register").form
    village, crops = form.questions[1], form.questions[2]
    assert [(c.name, c.label.zh, c.label.en, c.filters) for c in village.choices] == [
        ("v11", "东村", "East village", {"township": "t1"}),
        ("v12", "西村", "West village", {"township": "t1"}),
        ("v21", "河口村", "Hekou", {"township": "t2"})]
    assert village.xpath.choice_filter == "township=${township}"
    # parameters value=code, label=title; the CSV saved by Excel in China (GB18030).
    assert [(c.name, c.label.zh, c.filters) for c in crops.choices] == [
        ("rice", "水稻", None), ("tea", "茶叶", None), ("rape", "油菜", None)]
    # Written back, the lists are in the choices sheet: no attachment needed to re-import.
    again = read_xlsform(write_xlsform(form, "t"))
    assert again.form.model_dump(mode="json") == form.model_dump(mode="json")


def _from_file(files, parameters=""):
    return read_xlsform(_sheet({"survey": [
        ["type", "name", "label", "parameters"], ["text", "a", "A"],
        ["select_one_from_file places.csv", "place", "Place", parameters]]}), attachments=files)


def test_an_attached_list_that_cannot_be_read_is_refused_at_the_question_row():
    def codes(result):
        assert result.form is None
        return [(e.row, e.field, e.code, e.params) for e in result.errors]

    assert codes(_from_file({})) == [
        (3, "type", "xlsform_attachment_missing", {"file": "places.csv"})]
    assert codes(_from_file({"places.csv": b"code,label\na,A\n"})) == [
        (3, "parameters", "xlsform_attachment_column", {"file": "places.csv", "header": "name"})]
    assert codes(_from_file({"places.csv": b"name,title\na,A\n"})) == [
        (3, "parameters", "xlsform_attachment_column", {"file": "places.csv",
                                                        "header": "label"})]
    assert codes(_from_file({"places.csv": b"name,label\na,A\nb c,B\n"})) == [
        (3, "type", "xlsform_attachment_value", {"file": "places.csv", "line": 3,
                                                 "value": "b c"})]
    assert codes(_from_file({"places.csv": b"\x00\x01binary"})) == [
        (3, "type", "xlsform_attachment_unreadable", {"file": "places.csv"})]
    big = "name,label\n" + "".join(f"p{i},P{i}\n" for i in range(2001))
    assert codes(_from_file({"places.csv": big.encode()})) == [
        (3, "type", "xlsform_attachment_too_many", {"file": "places.csv", "max": 2000})]
    ok = _from_file({"places.csv": b"id,name_zh\n1,A\n"}, "value=id label=name_zh")
    assert ok.errors == [] and [c.name for c in ok.form.questions[1].choices] == ["1"]


def test_a_choice_file_that_is_not_a_csv_is_refused_with_the_reason():
    result = read_xlsform(_sheet({"survey": [
        ["type", "name", "label"], ["select_one_from_file places.xml", "place", "Place"]]}),
        attachments={"places.xml": b"<root/>"})
    assert [(e.row, e.code, e.params) for e in result.errors] == [
        (2, "xlsform_from_file", {"file": "places.xml"})]
