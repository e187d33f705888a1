"""The form a survey asks: its shape (Pydantic) and the rules a well-made form keeps.

Pure: both the JSON editor path and the XLSForm importer end here, so a form is checked the
same way whichever way it arrived. The answer rules themselves are in ``rules.py``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from backend.core.canonical import content_hash
from backend.core.errors import FieldError
from backend.surveys import rules
from backend.surveys.rules import QuestionType
from backend.surveys.xpath import ExpressionError, choice_name_paths, parse, references

_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_.\-]*)\}")

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
#: The most choices a question has (a county's villages from an attached CSV fit).
MAX_CHOICES = 2000

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


LANGUAGE_PATTERN = re.compile(r"^[a-z][a-z0-9_\-]{0,31}$")


class Label(BaseModel):
    """Chinese and English always; any other language of the form (``ug``, ``bo``, ``sw``…)
    as further keys, so a three-language XLSForm keeps every label."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)
    #: The further languages: text as it came (``_languages`` checks them), typed for the OpenAPI.
    __pydantic_extra__: dict[str, Annotated[str, StringConstraints(strip_whitespace=False)]] = (
        Field(init=False))
    zh: str = Field(min_length=1, max_length=2000)
    en: str = Field(min_length=1, max_length=2000)

    @model_validator(mode="after")
    def _languages(self) -> Label:
        extra = self.model_extra or {}
        if len(extra) > 8:
            raise ValueError("too many languages")
        for key, text in extra.items():
            if not LANGUAGE_PATTERN.match(key) or not isinstance(text, str) or not (
                    0 < len(text) <= 2000):
                raise ValueError(f"label language {key}")
        return self


class Choice(_Strict):
    name: str = Field(pattern=CHOICE_PATTERN)
    label: Label
    #: Other columns of the choice row, which a ``choice_filter`` reads (``town='a'``).
    filters: dict[str, str] | None = Field(default=None, max_length=10)


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


_EXPRESSION = Field(default=None, max_length=4000)


class Expressions(_Strict):
    """ODK expressions (XPath with ``${name}``), evaluated the same on the phone and here
    (``xpath.py``): shown when ``relevant`` is true, refused when ``constraint`` is false,
    needed when ``required`` is true, a value computed by ``calculation``, the choices kept
    by ``choice_filter``; on a repeat, ``repeat_count`` fixes how many entries."""

    relevant: str | None = _EXPRESSION
    constraint: str | None = _EXPRESSION
    required: str | None = _EXPRESSION
    calculation: str | None = _EXPRESSION
    choice_filter: str | None = _EXPRESSION
    repeat_count: str | None = _EXPRESSION


class Range(_Strict):
    start: float = 0
    end: float = 10
    step: float = Field(default=1, gt=0)


class Group(_Strict):
    """A group of questions (a page with ``field-list``) or a repeat (a roster)."""

    name: str = Field(pattern=NAME_PATTERN)
    label: Label | None = None
    parent: str | None = Field(default=None, pattern=NAME_PATTERN)
    repeat: bool = False
    appearance: str | None = Field(default=None, max_length=200)
    xpath: Expressions | None = None
    #: The most entries a repeat takes (bounds what a phone may send).
    max_entries: int = Field(default=50, ge=1, le=200)
    #: On a top-level repeat: the household fact the roster is kept as (its members, each
    #: with a lasting id and the answers to the questions inside marked with a ``fact``).
    fact: str | None = Field(default=None, pattern=FACT_PATTERN)


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
    choices: list[Choice] | None = Field(default=None, max_length=MAX_CHOICES)
    #: The household fact it asks; inside a roster kept as a fact, the member fact.
    fact: str | None = Field(default=None, pattern=FACT_PATTERN)
    #: The innermost group (or repeat) the question is in.
    group: str | None = Field(default=None, pattern=NAME_PATTERN)
    xpath: Expressions | None = None
    required_message: Label | None = None
    default: str | None = Field(default=None, max_length=500)
    appearance: str | None = Field(default=None, max_length=200)
    read_only: bool = False
    range: Range | None = None
    #: metadata (start, end, today, deviceid, username): filled by the phone, not asked.
    meta: bool = False


class Form(_Strict):
    #: Empty while a draft has no form yet; publishing needs at least one question.
    questions: list[Question] = Field(max_length=1000)
    groups: list[Group] = Field(default_factory=list, max_length=200)


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
    # Each pair's bounds were checked above to be of one kind (dates, numbers or counts).
    pairs: list[tuple[Any, Any]] = [(low, high), (q.constraint.min_length, q.constraint.max_length),
             (q.constraint.min_count, q.constraint.max_count)]
    if any(a is not None and b is not None and a > b for a, b in pairs):
        return [("constraint", "empty_range")]
    return []


def _condition_problem(cond: Condition, earlier: dict[str, Question]) -> str | None:
    target = earlier.get(cond.q)
    if target is None:
        return "refers_to_later"
    if cond.op not in _OPS.get(target.type, set()):
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


def _expression_problems(xpath: Expressions | None, names: set[str], repeats: set[str],
                         selects: set[str]) -> list[tuple[str, str]]:
    """Expressions (of a question or a group) that cannot be evaluated alike on the phone
    and here, that name no question of the form, or whose ``jr:choice-name`` names no
    select question (``jr:choice-name(${q}, '${q}')``, as pyxform's forms write it)."""
    problems: list[tuple[str, str]] = []
    for key, text in (xpath.model_dump() if xpath else {}).items():
        if not text:
            continue
        if any(name not in names | repeats for name in references(text)):
            problems.append((f"xpath.{key}", "xlsform_unknown_name"))
            continue
        try:
            tree = parse(_REF.sub(lambda m: f"/data/{m.group(1)}", text))
        except ExpressionError:
            problems.append((f"xpath.{key}", "xlsform_expression"))
            continue
        if any(path is None or path.rstrip("/").rpartition("/")[2] not in selects
               for path in choice_name_paths(tree)):
            problems.append((f"xpath.{key}", "xlsform_choice_name"))
    return problems


def _group_problems(form: Form, names: set[str], repeats: set[str], selects: set[str]
                    ) -> list[tuple[int, FieldError]]:
    groups = {g.name: g for g in form.groups}
    problems: list[tuple[int, FieldError]] = []
    for index, g in enumerate(form.groups):
        if g.parent is not None and g.parent not in groups:
            problems.append((index, FieldError(f"groups.{index}.parent", "not_found")))
        problems += [(index, FieldError(f"groups.{index}.{field}", code))
                     for field, code in _expression_problems(g.xpath, names, repeats,
                                                             selects)]
    for index, q in enumerate(form.questions):
        if q.group is not None and q.group not in groups:
            problems.append((index, FieldError(f"questions.{index}.group", "not_found")))
    return problems


def _roster_fact_problems(form: Form, households: bool) -> list[tuple[int, FieldError]]:
    """A ``fact`` on a group: only a repeat at the top of the form (not inside another repeat)
    of a household survey, with at least one member fact inside, each fact named once."""
    repeat_of = _repeats(form)
    member_facts = {g.name: [q.fact for q in form.questions
                             if q.fact and repeat_of(q.group) == g.name]
                    for g in form.groups if g.fact}
    problems: list[tuple[int, FieldError]] = []
    seen: set[str] = set()
    for index, g in enumerate(form.groups):
        if not g.fact:
            continue
        code = None
        if not households:
            code = "fact_needs_households"
        elif not g.repeat:
            code = "fact_on_group"
        elif repeat_of(g.parent) is not None:
            code = "fact_in_nested_repeat"
        elif not member_facts[g.name]:
            code = "roster_fact_empty"
        elif g.fact in seen:
            code = "duplicate"
        seen.add(g.fact)
        if code:
            problems.append((index, FieldError(f"groups.{index}.fact", code)))
    return problems


def _repeats(form: Form) -> Callable[[str | None], str | None]:
    """The repeat a question (or group) is inside, as the answer rules find it."""
    shape = {"groups": [g.model_dump() for g in form.groups]}
    return lambda group: rules.repeat_of(shape, group)


def _fact_problem(form: Form, q: Question, households: bool, facts: set[str],
                  member_facts: dict[str, set[str]],
                  repeat_of: Callable[[str | None], str | None]) -> str | None:
    """What is wrong with a question's ``fact``: outside repeats a household fact (named
    once among them and the rosters'), inside a roster kept as a fact a member fact (named
    once in that roster); anywhere else refused."""
    if not q.fact:
        return None
    if not households:
        return "fact_needs_households"
    repeat = repeat_of(q.group)
    if repeat is None:
        return "duplicate" if q.fact in facts else None
    groups = {g.name: g for g in form.groups}
    if repeat_of(groups[repeat].parent) is not None:
        return "fact_in_nested_repeat"
    if not groups[repeat].fact:
        return "fact_in_repeat"
    return "duplicate" if q.fact in member_facts.setdefault(repeat, set()) else None


def form_errors(form: Form, *, households: bool = True) -> list[tuple[int, FieldError]]:
    """What is wrong with a well-typed form, as (question index, error): names used twice,
    choices missing, conditions on later questions or with the wrong kind of value, bounds
    that do not fit the type, facts on a survey of villages or where they cannot be kept
    (group errors name ``groups.N`` and their group's index)."""
    names = {q.name for q in form.questions}
    repeats = {g.name for g in form.groups if g.repeat}
    selects = {q.name for q in form.questions if q.type in _SELECTS}
    problems: list[tuple[int, FieldError]] = _group_problems(form, names, repeats, selects)
    problems += _roster_fact_problems(form, households)
    earlier: dict[str, Question] = {}
    facts: set[str] = {g.fact for g in form.groups if g.fact}
    member_facts: dict[str, set[str]] = {}
    repeat_of = _repeats(form)
    for index, q in enumerate(form.questions):
        found = _question_problems(q, earlier)
        fact_code = _fact_problem(form, q, households, facts, member_facts, repeat_of)
        if fact_code:
            found.append(("fact", fact_code))
        elif q.fact:
            repeat = repeat_of(q.group)
            (facts if repeat is None else member_facts[repeat]).add(q.fact)
        found += _expression_problems(q.xpath, names, repeats, selects)
        problems += [(index, FieldError(f"questions.{index}.{field}", code))
                     for field, code in found]
        earlier.setdefault(q.name, q)
    return problems


def form_hash(form: Form) -> str:
    return content_hash(form.model_dump(mode="json"))
