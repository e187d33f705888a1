"""Which questions a form shows and whether answers keep its rules: pure functions.

The PWA runs the same rules (``pwa/src/surveys/rules.ts``); both are tested against the cases
in ``tests/fixtures/survey_rules.json`` so the phone and the server never disagree. The rules
are written out in ``docs/surveys.md``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeGuard

from backend.core.ids import is_sha256
from backend.surveys.geoshapes import shape_error
from backend.surveys.xpath import (
    ROOT,
    TZ,
    ChoiceLabels,
    ExpressionError,
    Instance,
    add_node,
    as_boolean,
    as_number,
    as_string,
    evaluate,
    new_instance,
    number_text,
    parse,
)

__all__ = [
    "MEMBER_ID",
    "META_TYPES",
    "UNANSWERED_TYPES",
    "AnswerError",
    "QuestionType",
    "Walk",
    "answer_text",
    "check_answers",
    "expression_value",
    "is_answered",
    "kept_choices",
    "layout",
    "normalise",
    "repeat_chain",
    "repeat_of",
    "roster_shown",
    "type_error",
    "visible_questions",
    "walk",
    "xpath_text",
]

QuestionType = Literal[
    "text", "integer", "decimal", "date", "select_one", "select_multiple", "yes_no",
    "geopoint", "photo", "time", "datetime", "range", "acknowledge", "barcode", "note",
    "calculate", "geotrace", "geoshape", "start", "end", "today", "deviceid", "username",
]
#: Types nobody answers: a note is read, a calculation is computed.
UNANSWERED_TYPES = {"note", "calculate"}
#: Metadata the phone fills in itself.
META_TYPES = {"start", "end", "today", "deviceid", "username"}
TEXT_MAX = 2000
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_GEO_KEYS = {"lat", "lon", "accuracy_m", "captured_at"}
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,3})?)?$")
#: The key of a roster entry's lasting member id, in a roster kept as a household fact: a
#: UUID the phone makes when the entry is added (never a question name, which has no ``@``).
MEMBER_ID = "@id"
_MEMBER_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$")


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


def _number(value: Any) -> TypeGuard[int | float]:
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


def _is_datetime(value: Any) -> bool:
    return isinstance(value, str) and bool(_DATETIME.match(value)) and _is_date(value[:10])


def _range_error(question: Mapping[str, Any], value: Any) -> str | None:
    if not _number(value):
        return "not_number"
    bounds = question.get("range") or {}
    start, end = bounds.get("start", 0), bounds.get("end", 10)
    low, high = min(start, end), max(start, end)
    if value < low:
        return "below_min"
    if value > high:
        return "above_max"
    steps = (value - start) / (bounds.get("step") or 1)
    return None if abs(steps - round(steps)) < 1e-9 else "off_step"


_TEXTUAL = {"text", "barcode", "deviceid", "username"}
_ODK_CHECKS: dict[str, Any] = {
    "time": lambda q, v: None if isinstance(v, str) and _TIME.match(v) else "not_time",
    "datetime": lambda q, v: None if _is_datetime(v) else "not_datetime",
    "start": lambda q, v: None if _is_datetime(v) else "not_datetime",
    "end": lambda q, v: None if _is_datetime(v) else "not_datetime",
    "today": lambda q, v: None if _is_date(v) else "not_date",
    "range": _range_error,
    "acknowledge": lambda q, v: None if v == "OK" else "not_acknowledged",
}


def type_error(question: Mapping[str, Any], value: Any) -> str | None:
    """The code for an answer not of the question's type, or None when it is."""
    kind = question["type"]
    names = {c["name"] for c in question.get("choices") or []}
    if kind in _TEXTUAL or kind == "calculate":
        return None if isinstance(value, str) else "not_text"
    if kind in _ODK_CHECKS:
        return _ODK_CHECKS[kind](question, value)
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
    if kind in ("geotrace", "geoshape"):
        return shape_error(kind, value)
    if kind == "photo":
        return None if is_sha256(value) else "not_photo"
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
    if _number(left) and _number(right):
        return _order(op, left, right)
    if isinstance(left, str) and isinstance(right, str):
        return _order(op, left, right)
    return False


def _order(op: str, left: Any, right: Any) -> bool:
    """``op`` on two numbers or two ISO dates (the caller checked they are of one kind)."""
    return {">": left > right, ">=": left >= right, "<": left < right,
            "<=": left <= right}.get(op, False)


_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def repeat_of(form: Mapping[str, Any], name: str | None) -> str | None:
    """The repeat a question (or group) is inside, following the groups outwards."""
    if not name or not form.get("groups"):
        return None
    groups = {g["name"]: g for g in form["groups"]}
    seen: set[str] = set()
    while name and name in groups and name not in seen:
        seen.add(name)
        if groups[name].get("repeat"):
            return name
        name = groups[name].get("parent")
    return None


def repeat_chain(form: Mapping[str, Any], repeat: str | None) -> list[str]:
    """The repeats from the outermost down to ``repeat`` (``[household, jobs]``)."""
    groups = {g["name"]: g for g in form.get("groups") or []}
    chain: list[str] = []
    while repeat and repeat not in chain:
        chain.append(repeat)
        group = groups.get(repeat)
        repeat = repeat_of(form, group.get("parent")) if group else None
    return chain[::-1]


def xpath_text(form: Mapping[str, Any], text: str, here: str | None,
               holder: bool = False) -> str:
    """An expression with ``${name}`` written as the path of that question: ``/data/q``
    outside repeats, ``/data/roster/q`` for every entry of a roster, and relative to the
    nearest entry it shares with ``here`` (the innermost repeat the expression is evaluated
    in) as pyxform writes it: ``../q`` in the same entry, ``../../q`` in the entry around it,
    ``../jobs/q`` for the entries of a roster inside it. The context is a question's node,
    or with ``holder`` the entry itself (a ``repeat_count``)."""
    if "${" not in text:
        return text
    groups = {g["name"]: g for g in form.get("groups") or []}
    around = repeat_chain(form, here)

    def path(match: re.Match[str]) -> str:
        name = match.group(1)
        group = groups.get(name)
        if group is not None and group.get("repeat"):
            target = repeat_chain(form, name)
        else:
            question = next((q for q in form["questions"] if q["name"] == name), None)
            repeat = repeat_of(form, question.get("group")) if question else None
            target = [*repeat_chain(form, repeat), name]
        shared = 0
        while (shared < len(around) and shared < len(target) - 1
               and around[shared] == target[shared]):
            shared += 1
        if shared == 0:
            return "/".join(["", ROOT, *target])
        ups = len(around) - shared + (0 if holder else 1)
        return "/".join([".."] * ups + target[shared:]) if ups else "./" + "/".join(
            target[shared:])

    return _REF.sub(path, text)


def answer_text(question: Mapping[str, Any] | None, value: Any) -> str:
    """An answer as the text of its node (what XPath sees)."""
    if value is None or question is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if _number(value):
        return number_text(float(value))
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    if isinstance(value, dict):
        if not _geopoint_error(value):
            accuracy = value.get("accuracy_m")
            return " ".join(number_text(float(v)) for v in (
                value["lat"], value["lon"], 0, accuracy if accuracy is not None else 0))
        return ""
    return str(value)


@dataclass
class Walk:
    """What a form shows for some answers: shown questions by path (``q``,
    ``roster.0.q``), values computed by calculations, and the built instance."""

    shown: list[str]
    calculated: dict[str, str]
    nodes: dict[str, ET.Element]
    instance: Instance


def _entries(answers: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    value = answers.get(name)
    if not isinstance(value, list):
        return []
    return [e if isinstance(e, dict) else {} for e in value]


Item = tuple[Literal["question", "repeat"], Any]


def layout(form: Mapping[str, Any]) -> dict[str | None, list[Item]]:
    """What each level holds in form order (None: the form itself, else a repeat's entry):
    its own questions, and each repeat inside it where that repeat's first question stands."""
    out: dict[str | None, list[Item]] = {None: []}
    placed: set[str] = set()
    for question in form["questions"]:
        chain = repeat_chain(form, repeat_of(form, question.get("group")))
        for depth in range(len(chain) + 1):
            scope = chain[depth - 1] if depth else None
            items = out.setdefault(scope, [])
            if depth == len(chain):
                items.append(("question", question))
            elif chain[depth] not in placed:
                placed.add(chain[depth])
                items.append(("repeat", chain[depth]))
    return out


def _inner_repeats(form: Mapping[str, Any], scope: str | None) -> set[str]:
    """The repeats directly inside ``scope`` (None: at the top of the form)."""
    return {g["name"] for g in form.get("groups") or [] if g.get("repeat")
            and repeat_of(form, g.get("parent")) == scope}


def choice_labels(form: Mapping[str, Any]) -> Callable[[str], ChoiceLabels]:
    """A select question's choices by name with their labels (what ``jr:choice-name``
    reads), looked up when an expression asks."""

    def labels(name: str) -> ChoiceLabels:
        question = next((q for q in form["questions"] if q["name"] == name), None)
        return {c["name"]: c["label"] for c in (question or {}).get("choices") or []}

    return labels


def build_instance(form: Mapping[str, Any], answers: Mapping[str, Any],
                   now: dt.datetime, language: str = "zh"
                   ) -> tuple[Instance, dict[str, ET.Element]]:
    """The answers as ``/data/...`` nodes in form order; a roster's entries where its first
    question stands, a roster inside an entry within that entry's node, at any depth.
    ``language`` is the one the form is answered in (``jr:choice-name``, ``format-date``)."""
    root = new_instance()
    nodes: dict[str, ET.Element] = {"": root}
    levels = layout(form)

    def fill(holder: ET.Element, scope: str | None, values: Mapping[str, Any],
             prefix: str) -> None:
        for kind, item in levels.get(scope, []):
            if kind == "question":
                nodes[prefix + item["name"]] = add_node(
                    holder, item["name"], answer_text(item, values.get(item["name"])))
                continue
            for index, entry in enumerate(_entries(values, item)):
                path = f"{prefix}{item}.{index}"
                nodes[path] = add_node(holder, item, "")
                fill(nodes[path], item, entry, path + ".")

    fill(root, None, answers, "")
    return Instance(root, root, now, language, choice_labels(form)), nodes


def _true(form: Mapping[str, Any], text: str | None, instance: Instance, node: ET.Element,
          here: str | None, holder: bool = False) -> bool:
    if not text:
        return True
    try:
        tree = parse(xpath_text(form, text, here, holder))
        return as_boolean(evaluate(tree, instance.at(node)))
    except ExpressionError:
        return False


def _value(form: Mapping[str, Any], text: str, instance: Instance, node: ET.Element,
           here: str | None, holder: bool = False) -> str:
    try:
        return as_string(evaluate(parse(xpath_text(form, text, here, holder)),
                                  instance.at(node)))
    except ExpressionError:
        return ""


def _groups_shown(form: Mapping[str, Any], group: str | None, instance: Instance, node: ET.Element,
                  here: str | None) -> bool:
    groups = {g["name"]: g for g in form.get("groups") or []}
    seen: set[str] = set()
    while group and group in groups and group not in seen:
        seen.add(group)
        expr = (groups[group].get("xpath") or {}).get("relevant")
        if not _true(form, expr, instance, node, here):
            return False
        group = groups[group].get("parent")
    return True


def _in_order(form: Mapping[str, Any], answers: Mapping[str, Any]
              ) -> list[tuple[Mapping[str, Any], str, Mapping[str, Any], str | None]]:
    """(question, path, the answers it sits among, its innermost repeat) in form order, a
    roster's entries one after the other where its first question stands, at any depth."""
    out: list[tuple[Mapping[str, Any], str, Mapping[str, Any], str | None]] = []
    levels = layout(form)

    def visit(scope: str | None, values: Mapping[str, Any], prefix: str) -> None:
        for kind, item in levels.get(scope, []):
            if kind == "question":
                out.append((item, prefix + item["name"], values, scope))
                continue
            for index, entry in enumerate(_entries(values, item)):
                visit(item, entry, f"{prefix}{item}.{index}.")

    visit(None, answers, "")
    return out


def walk(form: Mapping[str, Any], answers: Mapping[str, Any],
         now: dt.datetime | None = None, language: str = "zh") -> Walk:
    """Which questions show, in form order, computing calculations as it goes (a later
    expression sees an earlier calculation; a hidden question counts as empty)."""
    moment = now or dt.datetime.now(TZ)
    instance, nodes = build_instance(form, answers, moment, language)
    by_name = {q["name"]: q for q in form["questions"]}
    shown: list[str] = []
    shown_names: set[str] = set()
    calculated: dict[str, str] = {}

    def holds(cond: Mapping[str, Any], values: Mapping[str, Any]) -> bool:
        name = cond["q"]
        value = values.get(name)
        if name not in shown_names or not is_answered(value):
            return False
        if type_error(by_name[name], value):
            return False
        return _compare(cond["op"], value, cond["value"])

    def visit(question: Mapping[str, Any], path: str, values: Mapping[str, Any],
              here: str | None) -> None:
        node = nodes[path]
        groups = question.get("relevant")
        structured = not groups or any(all(holds(c, values) for c in g) for g in groups)
        expr = (question.get("xpath") or {})
        visible = (structured
                   and _groups_shown(form, question.get("group"), instance, node, here)
                   and _true(form, expr.get("relevant"), instance, node, here))
        if not visible:
            node.text = ""
            return
        shown.append(path)
        if here is None:
            shown_names.add(question["name"])
        if question["type"] == "calculate" and expr.get("calculation"):
            node.text = _value(form, expr["calculation"], instance, node, here)
            calculated[path] = node.text

    for question, path, values, here in _in_order(form, answers):
        visit(question, path, values, here)
    return Walk(shown, calculated, nodes, instance)


def visible_questions(form: Mapping[str, Any], answers: Mapping[str, Any],
                      now: dt.datetime | None = None, language: str = "zh") -> list[str]:
    """The questions shown for these answers, in form order (``roster.0.q`` in a roster)."""
    return walk(form, answers, now, language).shown


def _holder(path: str) -> str:
    """The path of the node a question's node sits in: the roster entry, or the root."""
    return path.rpartition(".")[0]


#: The element a choice stands in while a ``choice_filter`` is evaluated (as on the phone).
CHOICE_ITEM = "zc__choice"


def kept_choices(form: Mapping[str, Any], question: Mapping[str, Any], path: str,
                 state: Walk, here: str | None) -> set[str]:
    """The names of the choices a ``choice_filter`` keeps for the answers (a cascade:
    township → village). Each choice stands in the instance, beside the question, as an
    element whose children are its name and its other columns, and is kept when the filter
    is true with that element as ``.``: ``town = ${town}`` reads the choice's ``town``
    column and the answer to ``town``."""
    choices = question.get("choices") or []
    text = (question.get("xpath") or {}).get("choice_filter")
    if not text:
        return {c["name"] for c in choices}
    holder = state.nodes[_holder(path)]
    items = []
    for choice in choices:
        item = add_node(holder, CHOICE_ITEM, "")
        add_node(item, "name", choice["name"])
        for column, value in (choice.get("filters") or {}).items():
            add_node(item, column, value)
        items.append((choice["name"], item))
    try:
        # The items change the tree's shape: a fresh instance reads them.
        instance = state.instance.rebuilt(holder)
        return {name for name, item in items if _true(form, text, instance, item, here)}
    finally:
        for _, item in items:
            holder.remove(item)


def expression_value(form: Mapping[str, Any], answers: Mapping[str, Any], text: str,
                     path: str = "", now: dt.datetime | None = None,
                     language: str = "zh") -> str:
    """An expression's text value for these answers, at the question ``path`` (``q``,
    ``roster.0.q``; the root when empty): what the phone shows for ``${q}`` in a label and
    fills in for a ``default`` written as an expression."""
    state = walk(form, answers, now, language)
    node = state.nodes.get(path, state.instance.root)
    parts = path.split(".")
    here = parts[-3] if len(parts) >= 3 else None
    return _value(form, text, state.instance, node, here)


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


def _question_error(form: Mapping[str, Any], question: Mapping[str, Any], value: Any,
                    path: str, state: Walk, here: str | None) -> str | None:
    """The one error of a question at ``path`` (None when its answer keeps every rule)."""
    shown = path in state.shown
    expr = question.get("xpath") or {}
    node = state.nodes[path]
    if question["type"] in UNANSWERED_TYPES:
        return "read_only" if question["type"] == "note" and is_answered(value) else None
    if not is_answered(value):
        needed = question.get("required") or (
            expr.get("required") and _true(form, expr["required"], state.instance, node, here))
        return "required" if shown and needed and question["type"] not in META_TYPES else None
    if not shown:
        return "not_relevant"
    code = type_error(question, value) or _constraint_error(question, value)
    if code is None and expr.get("choice_filter"):
        kept = kept_choices(form, question, path, state, here)
        chosen = value if isinstance(value, list) else [value]
        if any(c not in kept for c in chosen):
            code = "filtered_choice"
    if code is None and expr.get("constraint") and not _true(
            form, expr["constraint"], state.instance, node, here):
        code = "constraint"
    return code


def roster_shown(form: Mapping[str, Any], repeat: str, values: Mapping[str, Any], prefix: str,
                 state: Walk, scope: str | None) -> bool:
    """Whether a roster shows: one of its entries has a shown question, or, before it has
    any entry, the roster and the groups around it (up to the entry it sits in) are
    relevant there (the form itself at the top)."""
    if _entries(values, repeat):
        at = f"{prefix}{repeat}."
        return any(path.startswith(at) for path in state.shown)
    holder = state.nodes[prefix[:-1]]
    groups = {g["name"]: g for g in form.get("groups") or []}
    name: str | None = repeat
    seen: set[str] = set()
    while name and name in groups and name != scope and name not in seen:
        seen.add(name)
        expr = (groups[name].get("xpath") or {}).get("relevant")
        if not _true(form, expr, state.instance, holder, scope, holder=True):
            return False
        name = groups[name].get("parent")
    return True


def _member_errors(entries: list[Any], at: str) -> dict[int, str]:
    """Per entry of a roster kept as a fact: its member id missing, not a UUID, or the id
    of an earlier entry."""
    seen: set[str] = set()
    out: dict[int, str] = {}
    for index, entry in enumerate(entries):
        member = entry.get(MEMBER_ID)
        if member is None:
            out[index] = "member_id_missing"
        elif not isinstance(member, str) or not _MEMBER_ID.match(member):
            out[index] = "member_id_invalid"
        elif member in seen:
            out[index] = "member_id_duplicate"
        if isinstance(member, str):
            seen.add(member)
    return out


def _repeat_errors(form: Mapping[str, Any], repeat: Mapping[str, Any],
                   values: Mapping[str, Any], prefix: str, state: Walk,
                   scope: str | None) -> list[AnswerError]:
    name = repeat["name"]
    value = values.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(e, dict) for e in value):
        return [AnswerError(prefix + name, "not_list")]
    if len(value) > repeat.get("max_entries", 50):
        return [AnswerError(prefix + name, "too_many_entries")]
    members: dict[int, str] = {}
    if repeat.get("fact"):
        # A roster kept as a fact is sent only when it shows: it then replaces the fact.
        if not roster_shown(form, name, values, prefix, state, scope):
            return [AnswerError(prefix + name, "not_relevant")]
        members = _member_errors(value, prefix + name)
    errors: list[AnswerError] = []
    count = (repeat.get("xpath") or {}).get("repeat_count")
    if count:
        # Evaluated in the entry the roster sits in (the form itself at the top).
        holder = state.nodes[prefix[:-1]]
        wanted = as_number(_value(form, count, state.instance, holder, scope, holder=True))
        if wanted == wanted and len(value) != int(wanted):
            errors.append(AnswerError(prefix + name, "repeat_count"))
    for index, entry in enumerate(value):
        if index in members:
            errors.append(AnswerError(f"{prefix}{name}.{index}", members[index]))
        errors += _level_errors(form, name, entry, f"{prefix}{name}.{index}.", state)
    return errors


def _level_errors(form: Mapping[str, Any], scope: str | None, values: Mapping[str, Any],
                  prefix: str, state: Walk) -> list[AnswerError]:
    """The errors of the form (scope None) or of one roster entry: its questions and the
    rosters inside it in form order, then names it does not know, by name."""
    groups = {g["name"]: g for g in form.get("groups") or []}
    errors: list[AnswerError] = []
    known = _inner_repeats(form, scope)
    if scope is not None and groups[scope].get("fact"):
        known.add(MEMBER_ID)
    for kind, item in layout(form).get(scope, []):
        if kind == "repeat":
            errors += _repeat_errors(form, groups[item], values, prefix, state, scope)
            continue
        known.add(item["name"])
        code = _question_error(form, item, values.get(item["name"]), prefix + item["name"],
                               state, scope)
        if code:
            errors.append(AnswerError(prefix + item["name"], code))
    errors.extend(AnswerError(prefix + k, "unknown_question") for k in sorted(set(values) - known))
    return errors


def check_answers(form: Mapping[str, Any], answers: Mapping[str, Any],
                  now: dt.datetime | None = None, language: str = "zh") -> list[AnswerError]:
    """Every broken rule: form order, one error a question (a roster's entries where the
    roster stands, a roster inside an entry within it), then unknown names by name."""
    return _level_errors(form, None, answers, "", walk(form, answers, now, language))


def _normal(question: Mapping[str, Any], value: Any) -> Any:
    return int(value) if question["type"] == "integer" else value


def normalise(form: Mapping[str, Any], answers: Mapping[str, Any],
              now: dt.datetime | None = None, language: str = "zh") -> dict[str, Any]:
    """Valid answers as stored: unanswered keys dropped, whole decimals kept, 3.0 → 3, and
    every calculation as this server computes it (in rosters at any depth too), in the
    language the form was answered in."""
    by_name = {q["name"]: q for q in form["questions"]}
    state = walk(form, answers, now, language)

    def level(scope: str | None, values: Mapping[str, Any]) -> dict[str, Any]:
        inner = _inner_repeats(form, scope)
        out: dict[str, Any] = {}
        for name, value in values.items():
            if name in inner:
                out[name] = [level(name, entry) for entry in value]
            elif name == MEMBER_ID:
                out[name] = value
            elif is_answered(value) and (scope is not None
                                         or by_name[name]["type"] != "calculate"):
                out[name] = _normal(by_name[name], value)
        return out

    out = level(None, answers)
    for path, text in state.calculated.items():
        if not text:
            continue
        parts = path.split(".")
        place: Any = out
        for repeat, index in zip(parts[:-1:2], parts[1:-1:2], strict=True):
            place = place[repeat][int(index)]
        place[parts[-1]] = text
    return out
