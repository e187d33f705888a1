"""The answer rules against the shared cases the PWA's rules.ts runs too."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.surveys.forms import Form, form_errors
from backend.surveys.rules import check_answers, expression_value, normalise, visible_questions

CASES = json.loads((Path(__file__).parents[2] / "fixtures" / "survey_rules.json").read_text())


def test_the_shared_form_is_a_valid_form():
    form = Form.model_validate(CASES["form"])
    assert form_errors(form) == []


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["name"] for c in CASES["cases"]])
def test_shared_case(case):
    assert visible_questions(CASES["form"], case["answers"]) == case["visible"]
    errors = [{"question": e.question, "code": e.code}
              for e in check_answers(CASES["form"], case["answers"])]
    assert errors == case["errors"]


def test_normalise_drops_unanswered_and_makes_whole_numbers_integers():
    answers = {"members": 3.0, "phone": "  ", "income": [], "housing": "brick"}
    assert normalise(CASES["form"], answers) == {"members": 3, "housing": "brick"}
    assert isinstance(normalise(CASES["form"], answers)["members"], int)


def _form(*questions):
    base = {"label": {"zh": "问", "en": "Q"}}
    return Form.model_validate({"questions": [{**base, **q} for q in questions]})


def test_form_rules_name_each_problem():
    form = _form(
        {"name": "a", "type": "integer", "constraint": {"min": 5, "max": 1}},
        {"name": "a", "type": "text", "constraint": {"min": 1}},
        {"name": "c", "type": "select_one"},
        {"name": "d", "type": "text", "relevant": [[{"q": "later", "op": "=", "value": "x"}]]},
        {"name": "e", "type": "text", "relevant": [[{"q": "a", "op": "selected", "value": "x"}]]},
        {"name": "f", "type": "integer", "fact": "members"},
        {"name": "g", "type": "integer", "fact": "members"},
        {"name": "later", "type": "text"},
    )
    assert [(i, e.field, e.code) for i, e in form_errors(form)] == [
        (0, "questions.0.constraint", "empty_range"),
        (1, "questions.1.name", "duplicate"),
        (1, "questions.1.constraint", "constraint_not_for_type"),
        (2, "questions.2.choices", "required"),
        (3, "questions.3.relevant", "refers_to_later"),
        (4, "questions.4.relevant", "op_not_for_type"),
        (6, "questions.6.fact", "duplicate"),
    ]
    village_form = _form({"name": "f", "type": "integer", "fact": "members"})
    assert [e.code for _, e in form_errors(village_form, households=False)] == [
        "fact_needs_households"]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12,
)
NAMES = st.sampled_from([q["name"] for q in CASES["form"]["questions"]] + ["zz"])


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(NAMES, JSON, max_size=8))
def test_any_answers_get_errors_never_an_exception(answers):
    errors = check_answers(CASES["form"], answers)
    visible = visible_questions(CASES["form"], answers)
    assert all(e.question in answers or e.code == "required" for e in errors)
    if not errors:
        normalise(CASES["form"], {k: v for k, v in answers.items() if k in visible})


EXPRESSIONS = CASES["expressions"]
NOW = dt.datetime.fromisoformat(EXPRESSIONS["now"])


def test_the_expression_form_is_a_valid_form():
    form = Form.model_validate(EXPRESSIONS["form"])
    assert form_errors(form) == []


@pytest.mark.parametrize("case", EXPRESSIONS["cases"],
                         ids=[c["name"] for c in EXPRESSIONS["cases"]])
def test_expression_case(case):
    """The same cases the PWA runs through Enketo's evaluator (pwa/src/surveys/rules.test.ts)."""
    form = EXPRESSIONS["form"]
    assert visible_questions(form, case["answers"], NOW) == case["visible"]
    errors = [{"question": e.question, "code": e.code}
              for e in check_answers(form, case["answers"], NOW)]
    assert errors == case["errors"]
    if "stored" in case:
        assert normalise(form, case["answers"], NOW) == case["stored"]


FUNCTIONS = EXPRESSIONS["functions"]


@pytest.mark.parametrize("case", FUNCTIONS["cases"],
                         ids=[f"{c['expr']} at {c['at'] or '/data'} in {c.get('lang', 'zh')}"
                              for c in FUNCTIONS["cases"]])
def test_every_function_and_type(case):
    """Each ODK function and type the engines support, against the value Enketo's evaluator
    gives on the phone for the same expression (pwa/src/surveys/rules.test.ts)."""
    value = expression_value(EXPRESSIONS["form"], FUNCTIONS["answers"], case["expr"], case["at"],
                             NOW, case.get("lang", "zh"))
    assert value == case["value"]


NESTED = CASES["nested"]


@pytest.mark.parametrize("case", NESTED["cases"], ids=[c["name"] for c in NESTED["cases"]])
def test_nested_case(case):
    """A repeat inside a repeat inside a repeat: every rule at every depth, as on the phone."""
    assert visible_questions(NESTED["form"], case["answers"]) == case["visible"]
    errors = [{"question": e.question, "code": e.code}
              for e in check_answers(NESTED["form"], case["answers"])]
    assert errors == case["errors"]
    if "stored" in case:
        assert normalise(NESTED["form"], case["answers"]) == case["stored"]


@pytest.mark.parametrize("case", NESTED["functions"]["cases"],
                         ids=[f"{c['expr']} at {c['at']} in {c.get('lang', 'zh')}"
                              for c in NESTED["functions"]["cases"]])
def test_nested_reference(case):
    assert expression_value(NESTED["form"], NESTED["functions"]["answers"], case["expr"],
                            case["at"], language=case.get("lang", "zh")) == case["value"]


def test_the_nested_form_is_a_valid_form():
    assert form_errors(Form.model_validate(NESTED["form"])) == []


def test_a_groups_expressions_are_checked_like_a_questions():
    """A group's relevant and a repeat's repeat_count, typed in the form editor, are refused
    when they do not parse or name no question, as a question's own expressions are."""
    base = {"label": {"zh": "问", "en": "Q"}}
    form = Form.model_validate({
        "groups": [
            {"name": "house", "xpath": {"relevant": "${size} > (1"}},
            {"name": "members", "repeat": True, "xpath": {"repeat_count": "${nobody}"}},
            {"name": "fine", "repeat": True, "xpath": {"repeat_count": "${size}",
                                                       "relevant": "${size} > 0"}},
        ],
        "questions": [{**base, "name": "size", "type": "integer"},
                      {**base, "name": "who", "type": "text", "group": "members"}],
    })
    assert [(i, e.field, e.code) for i, e in form_errors(form)] == [
        (0, "groups.0.xpath.relevant", "xlsform_expression"),
        (1, "groups.1.xpath.repeat_count", "xlsform_unknown_name"),
    ]


@pytest.mark.parametrize("case", CASES["roster_fact"]["cases"],
                         ids=[c["name"] for c in CASES["roster_fact"]["cases"]])
def test_shared_roster_fact_case(case):
    """A roster kept as a household fact: member ids, and sent only while it shows."""
    form = CASES["roster_fact"]["form"]
    assert form_errors(Form.model_validate(form)) == []
    assert visible_questions(form, case["answers"]) == case["visible"]
    assert [{"question": e.question, "code": e.code}
            for e in check_answers(form, case["answers"])] == case["errors"]
