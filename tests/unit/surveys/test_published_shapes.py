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
    result = read_xlsform(workbook(FORMS[name]))
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
        ["text", "b", "B"], ["end repeat"], ["end repeat"]]}))
    assert result.form is None
    assert [(e.row, e.field, e.code) for e in result.errors] == [
        (3, "type", "xlsform_type_unanswerable"), (4, "type", "xlsform_type_unanswerable"),
        (5, "type", "xlsform_from_file"), (7, "type", "xlsform_nested_repeat")]
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


def test_a_fact_in_a_roster_is_refused_at_its_row():
    result = read_xlsform(_sheet({"survey": [
        ["type", "name", "label", "fact"], ["begin repeat", "members", "Members"],
        ["integer", "age", "Age", "age"], ["end repeat"]]}))
    assert [(e.row, e.field, e.code) for e in result.errors] == [(3, "fact", "fact_in_repeat")]


@pytest.mark.parametrize("name", sorted(FORMS))
def test_an_imported_form_goes_back_to_xlsform_and_comes_in_unchanged(name):
    form = _imported(name).form
    again = read_xlsform(write_xlsform(form, "title"))
    assert again.errors == [], [(e.row, e.field, e.code, e.params) for e in again.errors]
    assert again.form.model_dump(mode="json") == form.model_dump(mode="json")
