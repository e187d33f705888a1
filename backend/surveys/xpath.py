"""ODK expressions on the server: XPath 1.0 with the ODK functions real forms use.

Parsing and path selection (steps, ``..``, predicates, unary minus, precedence) are
elementpath's XPath 1.0 parser; this module subclasses it with the value rules and the ODK
functions of Enketo's ``openrosa-xpath-evaluator``, which the phone runs over the same XML
instance (``<data><q>…</q><roster><q>…</q></roster></data>``, ``pwa/src/surveys/xpath.ts``):
XPath 1.0 casts, dates as days since 1970 counted from local midnight in Asia/Shanghai,
``selected`` on space-separated lists. ``tests/fixtures/survey_rules.json`` runs every
function and type on both sides.

Two functions depend on who reads the form, as in ODK Collect (which uses the device's
language): ``jr:choice-name`` gives a choice's label and ``format-date``'s ``%a`` / ``%b`` the
names of days and months, both in the language the form is answered in (the app's language,
zh or en: the phone sends it with the response, and the server evaluates in it). Both
evaluators register ``jr:choice-name`` as a function of their own (Enketo's evaluator has
none); the labels come from the form the instance was built from.

``parse`` turns text into elementpath's token tree (raising ``ExpressionError`` with where it
stopped, so a form is refused at import), ``evaluate`` runs it over an ``Instance``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from elementpath import XPath1Parser, XPathContext
from elementpath.exceptions import ElementPathError, MissingContextError
from elementpath.xpath_nodes import ElementNode, XPathNode
from elementpath.xpath_tokens import XPathToken

__all__ = [
    "FUNCTIONS",
    "JAVAROSA",
    "LANGUAGES",
    "ROOT",
    "TZ",
    "ChoiceLabels",
    "Date",
    "ExpressionError",
    "Instance",
    "Nodes",
    "add_node",
    "as_boolean",
    "as_number",
    "as_string",
    "choice_name_paths",
    "evaluate",
    "new_instance",
    "number_text",
    "odk_text",
    "parse",
    "references",
]

TZ = ZoneInfo("Asia/Shanghai")
ROOT = "data"
MAX_LENGTH = 4000
#: The languages a form is answered in (the app's): ``format-date`` names and choice labels.
LANGUAGES = ("zh", "en")
#: The namespace of ODK's ``jr:`` functions.
JAVAROSA = "http://openrosa.org/javarosa"


class ExpressionError(ValueError):
    """An expression that cannot be read or evaluated; ``near`` is where it went wrong."""

    def __init__(self, code: str, near: str = "") -> None:
        super().__init__(f"{code}: {near}")
        self.code = code
        self.near = near[:40]


# --- values ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Nodes:
    """A node-set, in document order."""

    nodes: tuple[ET.Element, ...]

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple(_text(n) for n in self.nodes)


@dataclass(frozen=True)
class Date:
    """A date or time value: milliseconds since 1970, and whether it is a whole day."""

    ms: float
    day: bool


Value = Nodes | str | float | bool | Date

_DATE_STRING = re.compile(
    r"^\d\d\d\d-\d{1,2}-\d{1,2}(?:T\d\d:\d\d:\d\d\.?\d?\d?(?:Z|[+-]\d\d:\d\d)|.*)?$", re.S)
_JS_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")


def _text(node: ET.Element) -> str:
    return "".join(node.itertext())


def number_text(value: float) -> str:
    """A number as JavaScript's ``String(n)`` writes it (``3`` not ``3.0``, ``1e-7``,
    ``123456789012345680000``): the shortest digits that read back, placed by its rules."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    mantissa, _, exponent = f"{abs(value)!r}".partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction.rstrip("0")).lstrip("0") or "0"
    # n: where the decimal point falls after the first significant digit, as in ECMA-262.
    point = len(whole) + int(exponent or 0) if whole != "0" else (
        int(exponent or 0) - (len(fraction) - len(fraction.lstrip("0"))))
    digits = digits.rstrip("0") or "0"
    count = len(digits)
    if count <= point <= 21:
        return sign + digits + "0" * (point - count)
    if 0 < point <= 21:
        return f"{sign}{digits[:point]}.{digits[point:]}"
    if -6 < point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    power = point - 1
    tail = f".{digits[1:]}" if count > 1 else ""
    return f"{sign}{digits[0]}{tail}e{'+' if power > 0 else '-'}{abs(power)}"


def _js_number(text: str) -> float:
    """JavaScript's ``+text`` for a trimmed, non-empty string."""
    if _JS_NUMBER.match(text):
        return float(text)
    if text in ("Infinity", "+Infinity"):
        return math.inf
    if text == "-Infinity":
        return -math.inf
    if re.fullmatch(r"0[xX][0-9a-fA-F]+", text):
        return float(int(text, 16))
    return math.nan


def _days_of(text: str) -> float:
    """Days since 1970 of a date string, counted from local midnight (as the phone counts)."""
    try:
        if "T" in text[1:]:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=TZ)
            return moment.timestamp() / 86400
        year, month, day = (int(part) for part in text.split("-")[:3])
        return dt.datetime(year, month, day, tzinfo=TZ).timestamp() / 86400
    except (ValueError, OverflowError):
        return math.nan


def _local(ms: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(ms / 1000, TZ)


def _iso_local(ms: float) -> str:
    moment = _local(ms)
    offset = moment.strftime("%z")
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}" + (
        f"{offset[:3]}:{offset[3:]}")


def as_string(value: Value) -> str:
    if isinstance(value, Nodes):
        return _text(value.nodes[0]) if value.nodes else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | int):
        return number_text(float(value))
    if isinstance(value, Date):
        if math.isnan(value.ms):
            return ""
        text = _iso_local(value.ms)
        return text[:10] if text[10:23] == "T00:00:00.000" else text
    return value


def as_number(value: Value) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float | int):
        return float(value)
    if isinstance(value, Date):
        return value.ms / 86400000
    text = as_string(value).strip()
    if text == "":
        return math.nan
    if _DATE_STRING.match(text):
        return _days_of(text)
    return _js_number(text)


def as_boolean(value: Value) -> bool:
    if isinstance(value, Nodes):
        return bool(value.nodes)
    if isinstance(value, Date):
        return not math.isnan(value.ms)
    if isinstance(value, float | int) and not isinstance(value, bool):
        return not (value == 0 or math.isnan(value))
    return bool(value)


def _as_date(value: Value) -> Date:
    """Enketo's ``asDate``: a number of days, or a date string read at local midnight."""
    if isinstance(value, Date):
        return value
    if isinstance(value, float | int) and not isinstance(value, bool):
        return Date(float(value) * 86400000, False)
    text = as_string(value).strip()
    days = _days_of(text) if _DATE_STRING.match(text) else math.nan
    return Date(days * 86400000, "T" not in text)


# --- the instance ---------------------------------------------------------------------------


def new_instance() -> ET.Element:
    """A new, empty instance document (``<data/>``)."""
    return ET.Element(ROOT)


def add_node(parent: ET.Element, name: str, text: str) -> ET.Element:
    node = ET.SubElement(parent, name)
    node.text = text or None
    return node


#: A select question's choices by name, each with its label by language.
ChoiceLabels = Mapping[str, Mapping[str, str]]


def _no_choices(_: str) -> ChoiceLabels:
    return {}


@dataclass
class Instance:
    """The answers as XML (``/data/q``, ``/data/roster/q`` for each entry), the node ``.``
    stands for, the clock ``today()`` / ``now()`` read, the language the form is answered in
    and the choices of its select questions by question name (``jr:choice-name``). A node's
    text may change between evaluations (a calculation filled in); its place may not (build a
    new Instance)."""

    root: ET.Element
    current: ET.Element
    now: dt.datetime
    language: str = "zh"
    choices: Callable[[str], ChoiceLabels] = _no_choices
    _context: list[XPathContext] = field(default_factory=list, repr=False)

    def at(self, node: ET.Element) -> Instance:
        return replace(self, current=node)

    def rebuilt(self, node: ET.Element) -> Instance:
        """The same answers read afresh at ``node``, after nodes were added or removed."""
        return replace(self, current=node, _context=[])

    def context(self) -> XPathContext:
        if not self._context:
            context = XPathContext(self.root, current_dt=self.now)
            context.odk = self
            self._context.append(context)
        context = self._context[0]
        context.item = context.root.elements[self.current]
        context.position, context.size, context.axis = 1, 1, None
        return context


def _now(context: XPathContext) -> dt.datetime:
    return context.current_dt


def _odk(context: XPathContext) -> Instance:
    return context.odk


# --- the parser: elementpath's XPath 1.0 with Enketo's values and ODK functions -------------


class OdkParser(XPath1Parser):
    """XPath 1.0 as ODK forms write it. Its own symbol table, so elementpath's stays as is."""

    symbol_table = dict(XPath1Parser.symbol_table)
    DEFAULT_NAMESPACES = {**XPath1Parser.DEFAULT_NAMESPACES, "jr": JAVAROSA}


def _value(result: Any) -> Value:
    """An elementpath result as a value of this module."""
    if isinstance(result, Nodes | Date | str | bool):
        return result
    if isinstance(result, list):
        return Nodes(tuple(n.elem for n in result if isinstance(n, ElementNode)))
    if isinstance(result, XPathNode):
        return Nodes((result.elem,)) if isinstance(result, ElementNode) else result.string_value
    if isinstance(result, int | float):
        return float(result)
    try:
        return float(result)
    except (TypeError, ValueError):
        return str(result)


def _arg(token: XPathToken, context: XPathContext) -> Value:
    return _value(token.evaluate(context))


def _compare(op: str, left: Value, right: Value) -> bool:
    tests: dict[str, Callable[[Any, Any], bool]] = {
        "=": lambda a, b: a == b, "!=": lambda a, b: a != b,
        "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
    }
    test = tests[op]
    if op in ("=", "!="):
        if isinstance(left, Nodes) and isinstance(right, Nodes):
            return any(test(a, b) for a in left.texts for b in right.texts)
        if isinstance(left, bool) or isinstance(right, bool):
            return test(as_boolean(left), as_boolean(right))
        if isinstance(left, Nodes) or isinstance(right, Nodes):
            nodes, other, flip = (left, right, False) if isinstance(left, Nodes) else (
                right, left, True)
            assert isinstance(nodes, Nodes)
            numeric = isinstance(other, float | int | Date)
            cast: Callable[[Value], Any] = as_number if numeric else as_string
            value = cast(other)
            return any(test(value, cast(t)) if flip else test(cast(t), value)
                       for t in nodes.texts)
        if isinstance(left, float | int | Date) or isinstance(right, float | int | Date):
            return test(as_number(left), as_number(right))
        if _DATE_STRING.match(left.strip()) or _DATE_STRING.match(right.strip()):
            return test(as_number(left), as_number(right))
        return test(left, right)
    lefts = [as_number(t) for t in left.texts] if isinstance(left, Nodes) else [as_number(left)]
    rights = ([as_number(t) for t in right.texts] if isinstance(right, Nodes)
              else [as_number(right)])
    return any(test(a, b) for a in lefts for b in rights)


def _arithmetic(op: str, left: float, right: float) -> float:
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    if op == "div":
        if right == 0:
            if left == 0 or math.isnan(left):
                return math.nan
            return math.copysign(math.inf, left) * math.copysign(1, right)
        return left / right
    if right == 0 or math.isinf(left) or math.isnan(left) or math.isnan(right):
        return math.nan
    if math.isinf(right):
        return left
    return math.fmod(left, right)


def _override(symbol: str, evaluate: Callable[[XPathToken, XPathContext], Value]) -> None:
    """Our subclass of elementpath's token for ``symbol``, with Enketo's evaluation; other
    shapes of the same symbol (``*`` as a name test) keep elementpath's."""
    base = OdkParser.symbol_table[symbol]

    def run(self: XPathToken, context: Any = None) -> Any:
        if context is None:
            raise self.missing_context()
        result = evaluate(self, context)
        if result is NotImplemented:
            return base.evaluate(self, context)
        return result

    OdkParser.symbol_table[symbol] = type(base.__name__, (base,), {"evaluate": run})


for _symbol in ("(integer)", "(decimal)", "(float)"):
    base_literal = OdkParser.symbol_table[_symbol]
    OdkParser.symbol_table[_symbol] = type(base_literal.__name__, (base_literal,), {
        "evaluate": lambda self, context=None: float(self.value)})


def _binary(op: str) -> Callable[[XPathToken, XPathContext], Value]:
    def run(self: XPathToken, context: XPathContext) -> Value:
        if len(self) == 1 and op == "-":
            return -as_number(_arg(self[0], context))
        if len(self) != 2:
            return NotImplemented
        left = _arg(self[0], context)
        if op == "or":
            return as_boolean(left) or as_boolean(_arg(self[1], context))
        if op == "and":
            return as_boolean(left) and as_boolean(_arg(self[1], context))
        right = _arg(self[1], context)
        if op in ("=", "!=", "<", "<=", ">", ">="):
            return _compare(op, left, right)
        return _arithmetic(op, as_number(left), as_number(right))
    return run


for _op in ("or", "and", "=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "div", "mod"):
    _override(_op, _binary(_op))


# --- functions (as openrosa-xpath-evaluator defines them) ----------------------------------

Function = Callable[[XPathContext, list[Value]], Value]


def _js_round(value: float) -> float:
    """Enketo's rounding: half away from zero."""
    if math.isnan(value) or math.isinf(value):
        return value
    return math.copysign(math.floor(abs(value) + 0.5), value)


def _integer(value: Value) -> float:
    number = as_number(value)
    if math.isnan(number) or math.isinf(number):
        return number
    return float(math.trunc(number))


def _round(_: XPathContext, args: list[Value]) -> float:
    number = as_number(args[0])
    digits = _integer(args[1]) if len(args) == 2 else 0
    if not digits or math.isnan(digits):
        return _js_round(number)
    power = 10 ** abs(int(digits))
    if digits > 0:
        return _js_round(number * power) / power
    return power * _js_round(number / power)


def _nodes(value: Value, name: str) -> Nodes:
    if not isinstance(value, Nodes):
        raise ExpressionError("expression_type", name)
    return value


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _utf16_slice(text: str, start: int, end: int | None = None) -> str:
    units = text.encode("utf-16-le")
    length = len(units) // 2
    start = max(0, min(length, start if start >= 0 else length + start))
    stop = length if end is None else max(0, min(length, end if end >= 0 else length + end))
    return units[2 * start:2 * max(start, stop)].decode("utf-16-le", errors="replace")


def _today(context: XPathContext, _: list[Value]) -> Date:
    day = _now(context).astimezone(TZ).date()
    return Date(dt.datetime(day.year, day.month, day.day, tzinfo=TZ).timestamp() * 1000, True)


def _now_value(context: XPathContext, _: list[Value]) -> Date:
    return Date(_now(context).timestamp() * 1000, False)


def _max_min(pick: Callable[..., float]) -> Function:
    def run(_: XPathContext, args: list[Value]) -> float:
        numbers = [as_number(t) for a in args
                   for t in (a.texts if isinstance(a, Nodes) else (a,))]
        if not numbers or any(math.isnan(n) for n in numbers):
            return math.nan
        return pick(numbers)
    return run


def _position(context: XPathContext, args: list[Value]) -> float:
    """``position(..)``: the place of a repeat entry among its kind; ``position()``: the place
    in the current step, as XPath 1.0."""
    if not args:
        return float(context.position)
    nodes = _nodes(args[0], "position").nodes
    if not nodes:
        raise ExpressionError("expression_arguments", "position")
    node = nodes[0]
    parent = context.root.elements[node].parent
    siblings = [c for c in parent.elem if c.tag == node.tag] if parent is not None else [node]
    return float(next(i for i, c in enumerate(siblings, 1) if c is node))


def _regex(_: XPathContext, args: list[Value]) -> bool:
    try:
        return re.search(as_string(args[1]), as_string(args[0])) is not None
    except re.error as exc:
        raise ExpressionError("expression_regex", as_string(args[1])) from exc


def _substr(_: XPathContext, args: list[Value]) -> str:
    """Enketo's ``substr(s, start, end)``: JavaScript's ``substring``-like slice by index."""
    text = as_string(args[0])
    start = as_number(args[1])
    end = as_number(args[2]) if len(args) > 2 else None
    first = 0 if math.isnan(start) else int(_integer(start))
    last = None if end is None or math.isnan(end) else int(_integer(end))
    return _utf16_slice(text, first, last)


def _substring(_: XPathContext, args: list[Value]) -> str:
    """XPath 1.0 ``substring``: 1-based, rounded positions."""
    text = as_string(args[0])
    start = _js_round(as_number(args[1]))
    length = _js_round(as_number(args[2])) if len(args) > 2 else math.inf
    end = start + length
    if math.isnan(start) or math.isnan(end):
        return ""
    units = text.encode("utf-16-le")
    picked = [units[2 * i:2 * i + 2] for i in range(len(units) // 2)
              if start <= i + 1 < end]
    return b"".join(picked).decode("utf-16-le", errors="replace")


def _translate(_: XPathContext, args: list[Value]) -> str:
    text, source, target = (as_string(a) for a in args)
    table: dict[str, str] = {}
    for index, char in enumerate(source):
        table.setdefault(char, target[index] if index < len(target) else "")
    return "".join(table.get(c, c) for c in text)


def _selected_at(_: XPathContext, args: list[Value]) -> str:
    parts = as_string(args[0]).split(" ")
    index = _integer(args[1])
    return parts[int(index)] if 0 <= index < len(parts) else ""


#: ``%a`` and ``%b`` by language, as the phone's browser writes them (``toLocaleDateString``
#: with ``zh-CN`` / ``en-US``, which ``xpath.ts`` gives Enketo's evaluator): Monday first.
_DATE_NAMES = {
    "zh": (("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
           tuple(f"{m}月" for m in range(1, 13))),
    "en": (("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
           ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
            "Dec")),
}


def _format_date(context: XPathContext, args: list[Value]) -> str:
    """Enketo's ``format-date``: %Y %y %m %n %d %e %H %h %M %S %3, and %a %b in the
    language the form is answered in."""
    date = _as_date(args[0])
    form = as_string(args[1])
    if math.isnan(date.ms):
        return ""
    moment = _local(date.ms)
    days, months = _DATE_NAMES.get(_odk(context).language, _DATE_NAMES["zh"])
    codes: dict[str, Callable[[], str]] = {
        "%": lambda: "%", "Y": lambda: f"{moment.year:04d}",
        "y": lambda: f"{moment.year:04d}"[2:], "m": lambda: f"{moment.month:02d}",
        "n": lambda: str(moment.month), "d": lambda: f"{moment.day:02d}",
        "e": lambda: str(moment.day), "H": lambda: f"{moment.hour:02d}",
        "h": lambda: str(moment.hour), "M": lambda: f"{moment.minute:02d}",
        "S": lambda: f"{moment.second:02d}",
        "3": lambda: f"{moment.microsecond // 1000:03d}",
        "a": lambda: days[moment.weekday()], "b": lambda: months[moment.month - 1],
    }
    out, index = [], 0
    while index < len(form):
        char = form[index]
        if char != "%":
            out.append(char)
            index += 1
            continue
        if index + 1 >= len(form) or form[index + 1] not in codes:
            raise ExpressionError("expression_format", form[index:index + 2])
        out.append(codes[form[index + 1]]())
        index += 2
    return "".join(out)


def _decimal_date_time(_: XPathContext, args: list[Value]) -> float:
    value = args[0]
    if isinstance(value, float | int) and not isinstance(value, bool):
        return float(value)
    return _days_of(as_string(value))


def _pow(base: float, exponent: float) -> float:
    try:
        result = base ** exponent
    except (OverflowError, ZeroDivisionError):
        return math.inf
    return math.nan if isinstance(result, complex) else float(result)


def _math(run: Callable[[float], float]) -> Function:
    def checked(_: XPathContext, args: list[Value]) -> float:
        try:
            return float(run(as_number(args[0])))
        except (ValueError, OverflowError):
            return math.nan
    return checked


def _current_text(context: XPathContext) -> str:
    item = context.item
    return _text(item.elem) if isinstance(item, ElementNode) else ""


def _choice_name(context: XPathContext, args: list[Value]) -> str:
    """ODK's ``jr:choice-name(value, '${q}')``: the label of q's choice named value, in the
    language the form is answered in; empty for no such choice (a select_multiple's whole
    answer names none: ``jr:choice-name(selected-at(${q}, 0), '${q}')`` names its first).
    The question is the last step of the path (question names are unique in a form)."""
    odk = _odk(context)
    question = as_string(args[1]).strip().rstrip("/").rpartition("/")[2]
    label = odk.choices(question).get(as_string(args[0]))
    if not label:
        return ""
    return label.get(odk.language) or label.get("zh") or ""


def _join(_: XPathContext, args: list[Value]) -> str:
    return as_string(args[0]).join(
        t for x in args[1:] for t in (x.texts if isinstance(x, Nodes) else (as_string(x),)))


#: name → (fewest arguments, most (None: any), the function).
FUNCTIONS: dict[str, tuple[int, int | None, Function]] = {
    "selected": (2, 2, lambda _, a: as_string(a[1]).strip() in as_string(a[0]).split(" ")),
    "count-selected": (1, 1, lambda _, a: float(
        len([p for p in as_string(a[0]).split(" ") if p]))),
    "selected-at": (2, 2, _selected_at),
    "string-length": (0, 1, lambda c, a: float(_utf16_length(
        as_string(a[0]) if a else _current_text(c)))),
    "string": (0, 1, lambda c, a: as_string(a[0]) if a else _current_text(c)),
    "number": (0, 1, lambda c, a: as_number(a[0]) if a else as_number(_current_text(c))),
    "boolean": (1, 1, lambda _, a: as_boolean(a[0])),
    "boolean-from-string": (1, 1, lambda _, a: as_string(a[0]) in ("1", "true")),
    "not": (1, 1, lambda _, a: not as_boolean(a[0])),
    "true": (0, 0, lambda _, a: True),
    "false": (0, 0, lambda _, a: False),
    "if": (3, 3, lambda _, a: a[1] if as_boolean(a[0]) else a[2]),
    "concat": (0, None, lambda _, a: "".join(as_string(x) for x in a)),
    "join": (1, None, _join),
    "coalesce": (2, 2, lambda _, a: as_string(a[0]) or as_string(a[1])),
    "contains": (2, 2, lambda _, a: as_string(a[1]) in as_string(a[0])),
    "starts-with": (2, 2, lambda _, a: as_string(a[0]).startswith(as_string(a[1]))),
    "ends-with": (2, 2, lambda _, a: as_string(a[0]).endswith(as_string(a[1]))),
    "substr": (2, 3, _substr),
    "substring": (2, 3, _substring),
    "substring-before": (2, 2, lambda _, a: as_string(a[0]).partition(as_string(a[1]))[0]
                         if as_string(a[1]) in as_string(a[0]) else ""),
    "substring-after": (2, 2, lambda _, a: as_string(a[0]).partition(as_string(a[1]))[2]),
    "translate": (3, 3, _translate),
    "normalize-space": (0, 1, lambda c, a: " ".join(
        (as_string(a[0]) if a else _current_text(c)).split())),
    "regex": (2, 2, _regex),
    "today": (0, 0, _today),
    "now": (0, 0, _now_value),
    "date": (1, 1, lambda _, a: _as_date(a[0])),
    "date-time": (1, 1, lambda _, a: _as_date(a[0])),
    "decimal-date-time": (1, 1, _decimal_date_time),
    "format-date": (2, 2, _format_date),
    "format-date-time": (2, 2, _format_date),
    "int": (1, 1, lambda _, a: _integer(a[0])),
    "round": (1, 2, _round),
    "floor": (1, 1, _math(lambda n: math.floor(n) if math.isfinite(n) else n)),
    "ceiling": (1, 1, _math(lambda n: math.ceil(n) if math.isfinite(n) else n)),
    "abs": (1, 1, _math(abs)),
    "pow": (2, 2, lambda _, a: _pow(as_number(a[0]), as_number(a[1]))),
    "sqrt": (1, 1, _math(lambda n: math.sqrt(n) if n >= 0 else math.nan)),
    "exp": (1, 1, _math(math.exp)),
    "log": (1, 1, _math(lambda n: math.log(n) if n > 0 else (-math.inf if n == 0 else math.nan))),
    "log10": (1, 1, _math(lambda n: math.log10(n) if n > 0 else (
        -math.inf if n == 0 else math.nan))),
    "max": (1, None, _max_min(max)),
    "min": (1, None, _max_min(min)),
    "count": (1, 1, lambda _, a: float(len(_nodes(a[0], "count").nodes))),
    "count-non-empty": (1, 1, lambda _, a: float(
        len([t for t in _nodes(a[0], "count-non-empty").texts if t]))),
    "sum": (1, 1, lambda _, a: float(sum(as_number(t) for t in _nodes(a[0], "sum").texts))),
    "position": (0, 1, _position),
    "jr:choice-name": (2, 2, _choice_name),
}


def _register(qualified: str, fewest: int, most: int | None, run: Function) -> None:
    prefix, _, name = qualified.rpartition(":")
    if not prefix and name in OdkParser.symbol_table:
        OdkParser.unregister(name)

    def evaluate(self: XPathToken, context: Any = None) -> Any:
        if context is None:
            raise self.missing_context()
        return run(context, [_arg(token, context) for token in self])

    token = OdkParser.function(name, prefix=prefix or None, nargs=(fewest, most))
    token.evaluate = evaluate  # type: ignore[method-assign]


for _name, (_fewest, _most, _run) in FUNCTIONS.items():
    _register(_name, _fewest, _most, _run)
# XPath 1.0 functions Enketo's evaluator does not offer (or that need namespaces) are refused.
for _name in ("id", "lang", "local-name", "name", "namespace-uri", "last"):
    OdkParser.unregister(_name)
OdkParser.build()


# --- the text of an expression --------------------------------------------------------------

_CURLY = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "＇": "'", "＂": '"'})
_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_.\-]*)\}")


def odk_text(text: str) -> str:
    """An expression as both evaluators read it: quotes pasted from Word made straight."""
    return text.translate(_CURLY)


def references(text: str) -> list[str]:
    """The question names an expression refers to with ``${name}``."""
    return _REF.findall(text)


def choice_name_paths(tree: XPathToken) -> list[str | None]:
    """The second argument of each ``jr:choice-name`` call in a parsed expression: the
    path of the question whose choice it names, or None when it is not written as a string."""
    return [str(token[1].value) if token[1].symbol == "(string)" else None
            for token in tree.iter()
            if token.symbol == "choice-name" and getattr(token, "namespace", None) == JAVAROSA]


@lru_cache(maxsize=4096)
def _parse(text: str) -> XPathToken:
    try:
        return OdkParser().parse(text)
    except MissingContextError:  # pragma: no cover - parse catches it itself
        raise
    except ElementPathError as exc:
        raise ExpressionError(_code(exc), _near(text, exc)) from exc
    except RecursionError as exc:
        raise ExpressionError("expression_too_deep", text[:20]) from exc


def _code(exc: ElementPathError) -> str:
    message = str(exc)
    if "XPST0017" in message:
        return "expression_function"
    return "expression_syntax"


def _near(text: str, exc: ElementPathError) -> str:
    match = re.search(r"column (\d+)", str(exc))
    if match:
        return text[max(0, int(match.group(1)) - 1):]
    return text


def parse(text: str) -> XPathToken:
    """The tree of an expression (``${q}`` already written as a path, see ``references``)."""
    if len(text) > MAX_LENGTH:
        raise ExpressionError("expression_too_long", text[:20])
    return _parse(odk_text(text))


def evaluate(tree: XPathToken, instance: Instance) -> Value:
    try:
        return _value(tree.evaluate(instance.context()))
    except ExpressionError:
        raise
    except (ElementPathError, TypeError, ValueError, KeyError, AttributeError) as exc:
        raise ExpressionError("expression_evaluate", str(exc)[:40]) from exc
    except RecursionError as exc:
        raise ExpressionError("expression_too_deep", "") from exc
