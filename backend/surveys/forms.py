"""The form a survey asks: its shape (Pydantic) and the rules a well-made form keeps.

Pure: both the JSON editor path and the XLSForm importer end here, so a form is checked the
same way whichever way it arrived. The answer rules themselves are in ``rules.py``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.core.canonical import content_hash
from backend.core.errors import FieldError
from backend.surveys.rules import QuestionType

__all__ = [
    "NAME_PATTERN",
    "Choice",
    "Condition",
    "Constraint",
    "Form",
    "Label",
    "Question",
    "QuestionType",
    "form_errors",
    "form_hash",
]

NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"
#: Choice names may be codes such as ``1`` or ``2-3`` (as XLSForms often have).
CHOICE_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,63}$"
FACT_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"

_ORDERED = {"integer", "decimal", "date"}
_SELECTS = {"select_one", "select_multiple"}
#: Which ops a condition may use on a question of each type.
_OPS: dict[str, set[str]] = {
    "text": {"=", "!="},
    "integer": {"=", "!=", ">", ">=", "<", "<="},
    "decimal": {"=", "!=", ">", ">=", "<", "<="},
    "date": {"=", "!=", ">", ">=", "<", "<="},
    "select_one": {"=", "!=", "selected", "not_selected"},
    "select_multiple": {"selected", "not_selected"},
    "yes_no": {"=", "!="},
    "geopoint": set(),
    "photo": set(),
}
#: Which constraint keys fit each type.
_BOUNDS: dict[str, set[str]] = {
    "integer": {"min", "max"}, "decimal": {"min", "max"}, "date": {"min", "max"},
    "text": {"min_length", "max_length"}, "select_multiple": {"min_count", "max_count"},
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Label(_Strict):
    zh: str = Field(min_length=1, max_length=500)
    en: str = Field(min_length=1, max_length=500)


class Choice(_Strict):
    name: str = Field(pattern=CHOICE_PATTERN)
    label: Label


class Condition(_Strict):
    q: str = Field(pattern=NAME_PATTERN)
    op: Literal["=", "!=", ">", ">=", "<", "<=", "selected", "not_selected"]
    value: str | bool | int | float


class Constraint(_Strict):
    min: int | float | str | None = None
    max: int | float | str | None = None
    min_length: int | None = Field(default=None, ge=0, le=2000)
    max_length: int | None = Field(default=None, ge=1, le=2000)
    min_count: int | None = Field(default=None, ge=0, le=500)
    max_count: int | None = Field(default=None, ge=1, le=500)


class Question(_Strict):
    name: str = Field(pattern=NAME_PATTERN)
    type: QuestionType
    label: Label
    hint: Label | None = None
    required: bool = False
    constraint: Constraint | None = None
    constraint_message: Label | None = None
    #: Shown when any group has all its conditions true; None: always shown.
    relevant: list[list[Condition]] | None = Field(default=None, max_length=20)
    choices: list[Choice] | None = Field(default=None, max_length=500)
    fact: str | None = Field(default=None, pattern=FACT_PATTERN)


class Form(_Strict):
    #: Empty while a draft has no form yet; publishing needs at least one question.
    questions: list[Question] = Field(max_length=300)


def _date_or_none(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def _constraint_problems(q: Question) -> list[tuple[str, str]]:
    if q.constraint is None:
        return []
    set_keys = {k for k, v in q.constraint.model_dump().items() if v is not None}
    wrong = set_keys - _BOUNDS.get(q.type, set())
    if wrong:
        return [("constraint", "constraint_not_for_type")]
    low, high = q.constraint.min, q.constraint.max
    for bound in (low, high):
        if bound is None:
            continue
        if q.type == "date" and not _date_or_none(bound):
            return [("constraint", "not_date")]
        if q.type in ("integer", "decimal") and (isinstance(bound, bool | str)):
            return [("constraint", "not_number")]
    pairs = [(low, high), (q.constraint.min_length, q.constraint.max_length),
             (q.constraint.min_count, q.constraint.max_count)]
    if any(a is not None and b is not None and a > b for a, b in pairs):
        return [("constraint", "empty_range")]
    return []


def _condition_problem(cond: Condition, earlier: dict[str, Question]) -> str | None:
    target = earlier.get(cond.q)
    if target is None:
        return "refers_to_later"
    if cond.op not in _OPS[target.type]:
        return "op_not_for_type"
    value = cond.value
    if target.type in _SELECTS:
        names = {c.name for c in target.choices or []}
        return None if isinstance(value, str) and value in names else "not_choice"
    if target.type == "yes_no":
        return None if isinstance(value, bool) else "not_boolean"
    if target.type in ("integer", "decimal"):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else "not_number"
    if target.type == "date":
        return None if _date_or_none(value) else "not_date"
    return None if isinstance(value, str) else "not_text"


def _question_problems(q: Question, earlier: dict[str, Question]) -> list[tuple[str, str]]:
    """(field, code) for one question, given the questions before it."""
    problems: list[tuple[str, str]] = []
    if q.name in earlier:
        problems.append(("name", "duplicate"))
    if q.type in _SELECTS:
        names = [c.name for c in q.choices or []]
        if not names:
            problems.append(("choices", "required"))
        elif len(set(names)) != len(names):
            problems.append(("choices", "duplicate"))
    elif q.choices:
        problems.append(("choices", "not_allowed"))
    problems += _constraint_problems(q)
    for group in q.relevant or []:
        if not group:
            problems.append(("relevant", "required"))
        problems += [("relevant", code) for code in
                     (_condition_problem(c, earlier) for c in group) if code]
    return problems


def form_errors(form: Form, *, households: bool = True) -> list[tuple[int, FieldError]]:
    """What is wrong with a well-typed form, as (question index, error): names used twice,
    choices missing, conditions on later questions or with the wrong kind of value, bounds
    that do not fit the type, facts on a survey of villages."""
    problems: list[tuple[int, FieldError]] = []
    earlier: dict[str, Question] = {}
    facts: set[str] = set()
    for index, q in enumerate(form.questions):
        found = _question_problems(q, earlier)
        if q.fact and not households:
            found.append(("fact", "fact_needs_households"))
        elif q.fact and q.fact in facts:
            found.append(("fact", "duplicate"))
        problems += [(index, FieldError(f"questions.{index}.{field}", code))
                     for field, code in found]
        facts.add(q.fact or "")
        earlier.setdefault(q.name, q)
    return problems


def form_hash(form: Form) -> str:
    return content_hash(form.model_dump(mode="json"))
