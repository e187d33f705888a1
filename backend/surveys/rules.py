"""Which questions a form shows and whether answers keep its rules: pure functions.

The PWA runs the same rules (``pwa/src/surveys/rules.ts``); both are tested against the cases
in ``tests/fixtures/survey_rules.json`` so the phone and the server never disagree. The rules
are written out in ``docs/surveys.md``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "AnswerError",
    "QuestionType",
    "check_answers",
    "is_answered",
    "normalise",
    "type_error",
    "visible_questions",
]

QuestionType = Literal[
    "text", "integer", "decimal", "date", "select_one", "select_multiple", "yes_no",
    "geopoint", "photo",
]
TEXT_MAX = 2000
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_GEO_KEYS = {"lat", "lon", "accuracy_m", "captured_at"}


@dataclass(frozen=True)
class AnswerError:
    question: str
    code: str


def is_answered(value: Any) -> bool:
    """None, a blank string and an empty list are no answer."""
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    if isinstance(value, list):
        return len(value) > 0
    return True


def _number(value: Any) -> bool:
    """A finite JSON number, as JavaScript reads it (a larger integer would be Infinity)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _is_date(value: Any) -> bool:
    if not isinstance(value, str) or not _DATE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _geopoint_error(value: Any) -> bool:
    if not isinstance(value, dict) or not set(value) <= _GEO_KEYS:
        return True
    lat, lon = value.get("lat"), value.get("lon")
    if not (_number(lat) and _number(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return True
    accuracy = value.get("accuracy_m")
    if accuracy is not None and not (_number(accuracy) and accuracy >= 0):
        return True
    return value.get("captured_at") is not None and not isinstance(value["captured_at"], str)


def type_error(question: Mapping[str, Any], value: Any) -> str | None:
    """The code for an answer not of the question's type, or None when it is."""
    kind = question["type"]
    names = {c["name"] for c in question.get("choices") or []}
    if kind in ("text",):
        return None if isinstance(value, str) else "not_text"
    if kind == "integer":
        # Beyond 2^53 a number is no longer exact (the phone refuses it the same way).
        ok = _number(value) and float(value).is_integer() and abs(value) <= 2**53
        return None if ok else "not_integer"
    if kind == "decimal":
        return None if _number(value) else "not_number"
    if kind == "date":
        return None if _is_date(value) else "not_date"
    if kind == "select_one":
        return None if isinstance(value, str) and value in names else "not_choice"
    if kind == "select_multiple":
        ok = (isinstance(value, list) and all(isinstance(v, str) and v in names for v in value)
              and len(set(value)) == len(value))
        return None if ok else "not_choice"
    if kind == "yes_no":
        return None if isinstance(value, bool) else "not_boolean"
    if kind == "geopoint":
        return "not_geopoint" if _geopoint_error(value) else None
    if kind == "photo":
        return None if isinstance(value, str) and _SHA256.match(value) else "not_photo"
    return "unknown_type"


def _compare(op: str, left: Any, right: Any) -> bool:
    if op == "=":
        return bool(left == right)
    if op == "!=":
        return bool(left != right)
    if op in ("selected", "not_selected"):
        chosen = left if isinstance(left, list) else [left]
        return (right in chosen) == (op == "selected")
    # Ordering compares numbers with numbers and ISO dates with ISO dates only.
    if isinstance(left, bool) or isinstance(right, bool):
        return False
    if not ((_number(left) and _number(right))
            or (isinstance(left, str) and isinstance(right, str))):
        return False
    return {">": left > right, ">=": left >= right, "<": left < right,
            "<=": left <= right}.get(op, False)


def visible_questions(form: Mapping[str, Any], answers: Mapping[str, Any]) -> list[str]:
    """The names of the questions shown for these answers, in form order."""
    by_name = {q["name"]: q for q in form["questions"]}
    shown: set[str] = set()
    order: list[str] = []

    def holds(cond: Mapping[str, Any]) -> bool:
        name = cond["q"]
        value = answers.get(name)
        if name not in shown or not is_answered(value) or type_error(by_name[name], value):
            return False
        return _compare(cond["op"], value, cond["value"])

    for question in form["questions"]:
        groups = question.get("relevant")
        if not groups or any(all(holds(c) for c in group) for group in groups):
            shown.add(question["name"])
            order.append(question["name"])
    return order


def _constraint_error(question: Mapping[str, Any], value: Any) -> str | None:
    rule = question.get("constraint") or {}
    kind = question["type"]
    if kind in ("integer", "decimal", "date"):
        if rule.get("min") is not None and value < rule["min"]:
            return "below_min"
        if rule.get("max") is not None and value > rule["max"]:
            return "above_max"
    if kind == "text":
        length = len(value)
        if rule.get("min_length") is not None and length < rule["min_length"]:
            return "too_short"
        if length > min(rule.get("max_length") or TEXT_MAX, TEXT_MAX):
            return "too_long"
    if kind == "select_multiple":
        if rule.get("min_count") is not None and len(value) < rule["min_count"]:
            return "too_few"
        if rule.get("max_count") is not None and len(value) > rule["max_count"]:
            return "too_many"
    return None


def check_answers(form: Mapping[str, Any], answers: Mapping[str, Any]) -> list[AnswerError]:
    """Every broken rule: form order, one error a question, then unknown names by name."""
    shown = set(visible_questions(form, answers))
    errors: list[AnswerError] = []
    for question in form["questions"]:
        name = question["name"]
        value = answers.get(name)
        if not is_answered(value):
            if name in shown and question.get("required"):
                errors.append(AnswerError(name, "required"))
            continue
        if name not in shown:
            errors.append(AnswerError(name, "not_relevant"))
            continue
        code = type_error(question, value) or _constraint_error(question, value)
        if code:
            errors.append(AnswerError(name, code))
    known = {q["name"] for q in form["questions"]}
    errors.extend(AnswerError(name, "unknown_question")
                  for name in sorted(set(answers) - known))
    return errors


def normalise(form: Mapping[str, Any], answers: Mapping[str, Any]) -> dict[str, Any]:
    """Valid answers as stored: unanswered keys dropped, whole decimals kept, 3.0 → 3."""
    by_name = {q["name"]: q for q in form["questions"]}
    out: dict[str, Any] = {}
    for name, value in answers.items():
        if not is_answered(value):
            continue
        if by_name[name]["type"] == "integer":
            value = int(value)
        out[name] = value
    return out
