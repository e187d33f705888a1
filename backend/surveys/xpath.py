"""ODK expressions on the server: XPath 1.0 with the ODK functions real forms use.

The phone evaluates the same text with Enketo's ``openrosa-xpath-evaluator`` over an XML copy
of the answers (``pwa/src/surveys/xpath.ts``); this module gives the same results from the
answers as they are stored, following that library's conversions (XPath 1.0 casts, dates as
days since 1970 counted from local midnight in Asia/Shanghai, ``selected`` on space-separated
lists). ``tests/fixtures/survey_rules.json`` runs every function and type on both sides.

Pure: ``parse`` turns text into a tree (raising ``ExpressionError`` with where it stopped),
``evaluate`` walks the tree over an ``Instance``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

__all__ = [
    "FUNCTIONS",
    "ExpressionError",
    "Instance",
    "as_boolean",
    "as_number",
    "as_string",
    "evaluate",
    "number_text",
    "parse",
    "references",
]

TZ = ZoneInfo("Asia/Shanghai")
ROOT = "data"
MAX_LENGTH = 4000
MAX_DEPTH = 60


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

    nodes: tuple[Node, ...]

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


def number_text(value: float) -> str:
    """A number as JavaScript's ``String(n)`` writes it (``3`` not ``3.0``, ``1e-7``)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == int(value) and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        sign = "-" if exponent.startswith("-") else "+"
        text = f"{mantissa.removesuffix('.0')}e{sign}{exponent.lstrip('+-').lstrip('0') or '0'}"
    elif abs(value) < 1e-6:
        text = repr(value)
    return text


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


def _iso_local(ms: float) -> str:
    moment = dt.datetime.fromtimestamp(ms / 1000, TZ)
    offset = moment.strftime("%z")
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}" + (
        f"{offset[:3]}:{offset[3:]}")


def as_string(value: Value) -> str:
    if isinstance(value, Nodes):
        return value.texts[0] if value.texts else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | int):
        return number_text(float(value))
    if isinstance(value, Date):
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
        return bool(value.texts)
    if isinstance(value, Date):
        return not math.isnan(value.ms)
    if isinstance(value, float | int) and not isinstance(value, bool):
        return not (value == 0 or math.isnan(value))
    return bool(value)


# --- the tree -------------------------------------------------------------------------------

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<num>\d+(?:\.\d*)?|\.\d+)
  | (?P<str>'[^']*'|"[^"]*")
  | (?P<op>!=|<=|>=|=|<|>|\+|-|\*|\||\(|\)|\[|\]|,|//|/|\.\.|\.)
  | (?P<name>[A-Za-z_][A-Za-z0-9_.\-]*(?::[A-Za-z_][A-Za-z0-9_.\-]*)?)
""", re.X)
_OPERAND_END = {"num", "str", "name", ")", ".", "..", "]", "path"}
_WORD_OPS = {"and", "or", "div", "mod"}
_BINARY = [("or",), ("and",), ("=", "!="), ("<", "<=", ">", ">="), ("+", "-"),
           ("*", "div", "mod")]


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match:
            raise ExpressionError("expression_syntax", text[pos:])
        pos = match.end()
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "space":
            continue
        previous = out[-1][0] if out else ""
        operand_before = previous in _OPERAND_END
        if kind == "name" and value in _WORD_OPS and operand_before:
            kind = "op"
        elif kind == "op" and value == "*" and not operand_before:
            kind = "name"  # a name test `*`, not multiplication
        elif kind == "op":
            kind = value if value in ("(", ")", ".", "..", "]") else "op"
        out.append((kind, value))
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        if len(text) > MAX_LENGTH:
            raise ExpressionError("expression_too_long", text[:20])
        self.text = text
        self.tokens = _tokens(text)
        self.pos = 0
        self.depth = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("end", "")

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token[0] == "end" or (value is not None and token[1] != value):
            raise ExpressionError("expression_syntax", token[1] or "end")
        self.pos += 1
        return token

    def parse(self) -> tuple:
        tree = self.binary(0)
        if self.peek()[0] != "end":
            raise ExpressionError("expression_syntax", self.peek()[1])
        return tree

    def binary(self, level: int) -> tuple:
        if level == len(_BINARY):
            return self.unary()
        left = self.binary(level + 1)
        while self.peek()[0] == "op" and self.peek()[1] in _BINARY[level]:
            op = self.take()[1]
            left = ("bin", op, left, self.binary(level + 1))
        return left

    def unary(self) -> tuple:
        if self.peek() == ("op", "-"):
            # Enketo's evaluator takes a minus sign before a number only (``-3``, not ``-${q}``:
            # write ``0 - ${q}``), so the server refuses the rest the same way.
            self.take()
            kind, value = self.take()
            if kind != "num":
                raise ExpressionError("expression_minus", f"-{value}")
            return ("num", -float(value))
        left = self.path_expr()
        while self.peek() == ("op", "|"):
            self.take()
            left = ("union", left, self.path_expr())
        return left

    def path_expr(self) -> tuple:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError("expression_too_deep", self.peek()[1])
        try:
            return self._path_expr()
        finally:
            self.depth -= 1

    def _path_expr(self) -> tuple:
        kind, value = self.peek()
        if kind == "num":
            self.take()
            return ("num", float(value))
        if kind == "str":
            self.take()
            return ("str", value[1:-1])
        if kind == "(":
            self.take()
            inner = self.binary(0)
            self.take(")")
            return inner
        following = self.tokens[self.pos + 1][0] if self.pos + 1 < len(self.tokens) else ""
        if kind == "name" and following == "(":
            return self.call()
        return self.location()

    def call(self) -> tuple:
        name = self.take()[1]
        self.take("(")
        args: list[tuple] = []
        if self.peek()[0] != ")":
            args.append(self.binary(0))
            while self.peek() == ("op", ","):
                self.take()
                args.append(self.binary(0))
        self.take(")")
        if name not in FUNCTIONS:
            raise ExpressionError("expression_function", name)
        return ("call", name, tuple(args))

    def location(self) -> tuple:
        absolute = False
        steps: list[str] = []
        if self.peek() == ("op", "/"):
            self.take()
            absolute = True
        elif self.peek() == ("op", "//"):
            raise ExpressionError("expression_path", "//")
        while True:
            kind, value = self.peek()
            if kind in (".", "..") or kind == "name":
                self.take()
                steps.append(value)
            else:
                raise ExpressionError("expression_syntax", value or "end")
            if self.peek()[0] == "[":
                raise ExpressionError("expression_path", "[")
            if self.peek() != ("op", "/"):
                break
            self.take()
        return ("path", absolute, tuple(steps))


def parse(text: str) -> tuple:
    """The tree of an expression (``${q}`` already written as a path, see ``references``)."""
    return _Parser(text).parse()


_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_.\-]*)\}")


def references(text: str) -> list[str]:
    """The question names an expression refers to with ``${name}``."""
    return _REF.findall(text)


# --- the instance ---------------------------------------------------------------------------


@dataclass
class Node:
    name: str
    text: str = ""
    children: list[Node] = field(default_factory=list)
    parent: Node | None = None

    def add(self, child: Node) -> Node:
        child.parent = self
        self.children.append(child)
        return child


@dataclass
class Instance:
    """The answers as an XML-like tree (``/data/q``, ``/data/roster/q`` for each repeat),
    the node ``.`` stands for, and the clock ``today()`` / ``now()`` read."""

    root: Node
    current: Node
    now: dt.datetime

    def at(self, node: Node) -> Instance:
        return Instance(self.root, node, self.now)


def _select(instance: Instance, absolute: bool, steps: Sequence[str]) -> list[Node]:
    nodes = [instance.root] if absolute else [instance.current]
    for index, step in enumerate(steps):
        found: list[Node] = []
        for node in nodes:
            if step == ".":
                found.append(node)
            elif step == "..":
                if node.parent is not None:
                    found.append(node.parent)
            elif absolute and index == 0:
                if node.name == step:
                    found.append(node)
            else:
                found += [c for c in node.children if step in ("*", c.name)]
        nodes = _unique(found)
    return nodes


def _unique(nodes: list[Node]) -> list[Node]:
    seen: set[int] = set()
    out = []
    for node in nodes:
        if id(node) not in seen:
            seen.add(id(node))
            out.append(node)
    return out


def _text(node: Node) -> str:
    if not node.children:
        return node.text
    return "".join(_text(c) for c in node.children)


# --- evaluation -----------------------------------------------------------------------------


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
            numeric = isinstance(other, float | int)
            cast: Callable[[Value], Any] = as_number if numeric else as_string
            value = cast(other)
            return any(test(value, cast(t)) if flip else test(cast(t), value)
                       for t in nodes.texts)
        if isinstance(left, float | int | Date) or isinstance(right, float | int | Date):
            return test(as_number(left), as_number(right))
        return test(as_string(left), as_string(right))
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


def evaluate(tree: tuple, instance: Instance) -> Value:
    kind = tree[0]
    if kind == "num":
        return float(tree[1])
    if kind == "str":
        return str(tree[1])
    if kind == "path":
        return Nodes(tuple(_select(instance, tree[1], tree[2])))
    if kind == "union":
        left, right = evaluate(tree[1], instance), evaluate(tree[2], instance)
        if not (isinstance(left, Nodes) and isinstance(right, Nodes)):
            raise ExpressionError("expression_type", "|")
        return Nodes(tuple(_unique([*left.nodes, *right.nodes])))
    if kind == "neg":
        return -as_number(evaluate(tree[1], instance))
    if kind == "call":
        return FUNCTIONS[tree[1]](instance, [evaluate(a, instance) for a in tree[2]])
    op, left_tree, right_tree = tree[1], tree[2], tree[3]
    left = evaluate(left_tree, instance)
    if op == "or":
        return as_boolean(left) or as_boolean(evaluate(right_tree, instance))
    if op == "and":
        return as_boolean(left) and as_boolean(evaluate(right_tree, instance))
    right = evaluate(right_tree, instance)
    if op in ("=", "!=", "<", "<=", ">", ">="):
        return _compare(op, left, right)
    return _arithmetic(op, as_number(left), as_number(right))


# --- functions (as openrosa-xpath-evaluator defines them) ----------------------------------


def _js_round(value: float) -> float:
    """JavaScript's rounding as the library uses it (half away from zero)."""
    if math.isnan(value) or math.isinf(value):
        return value
    return math.copysign(math.floor(abs(value) + 0.5), value)


def _integer(value: Value) -> float:
    number = as_number(value)
    if math.isnan(number) or math.isinf(number):
        return number
    return float(math.trunc(number))


def _round(_: Instance, args: list[Value]) -> float:
    if not args or len(args) > 2:
        raise ExpressionError("expression_arguments", "round")
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


def _today(instance: Instance, _: list[Value]) -> Date:
    day = instance.now.astimezone(TZ).date()
    return Date(dt.datetime(day.year, day.month, day.day, tzinfo=TZ).timestamp() * 1000, True)


def _date(_: Instance, args: list[Value]) -> Value:
    value = args[0]
    if isinstance(value, float | int) and not isinstance(value, bool):
        return Date(float(value) * 86400000, False)
    text = as_string(value).strip()
    days = _days_of(text) if _DATE_STRING.match(text) else math.nan
    return Date(days * 86400000, "T" not in text)


def _max_min(pick: Callable[..., float]) -> Callable[[Instance, list[Value]], float]:
    def run(_: Instance, args: list[Value]) -> float:
        numbers = [as_number(t) for a in args
                   for t in (a.texts if isinstance(a, Nodes) else (a,))]
        if not numbers or any(math.isnan(n) for n in numbers):
            return math.nan
        return pick(numbers)
    return run


def _position(_: Instance, args: list[Value]) -> float:
    """The place of a repeat entry among its kind (``position(..)`` inside a repeat)."""
    nodes = _nodes(args[0] if args else "", "position").nodes
    if not nodes:
        raise ExpressionError("expression_arguments", "position")
    node = nodes[0]
    siblings = [c for c in node.parent.children if c.name == node.name] if node.parent else [node]
    return float(next(i for i, c in enumerate(siblings, 1) if c is node))


def _regex(_: Instance, args: list[Value]) -> bool:
    try:
        return re.search(as_string(args[1]), as_string(args[0])) is not None
    except re.error as exc:
        raise ExpressionError("expression_regex", as_string(args[1])) from exc


def _substr(_: Instance, args: list[Value]) -> str:
    text = as_string(args[0])
    start = int(_integer(args[1])) if not math.isnan(as_number(args[1])) else 0
    end = int(_integer(args[2])) if len(args) > 2 and not math.isnan(as_number(args[2])) else None
    return text[start:end]


def _need(count: int, name: str, run: Callable[[Instance, list[Value]], Value]
          ) -> Callable[[Instance, list[Value]], Value]:
    def checked(instance: Instance, args: list[Value]) -> Value:
        if len(args) < count:
            raise ExpressionError("expression_arguments", name)
        return run(instance, args)
    return checked


def _sum(_: Instance, args: list[Value]) -> float:
    nodes = _nodes(args[0] if args else "", "sum")
    return float(sum(as_number(t) for t in nodes.texts))


def _now(instance: Instance, _: list[Value]) -> Date:
    return Date(instance.now.timestamp() * 1000, False)


FUNCTIONS: dict[str, Callable[[Instance, list[Value]], Value]] = {
    "selected": _need(2, "selected", lambda _, a: as_string(a[1]).strip() in as_string(
        a[0]).split(" ")),
    "count-selected": _need(1, "count-selected", lambda _, a: float(
        len([p for p in as_string(a[0]).split(" ") if p]))),
    "selected-at": _need(2, "selected-at", lambda _, a: (
        as_string(a[0]).split(" ")[int(_integer(a[1]))]
        if 0 <= _integer(a[1]) < len(as_string(a[0]).split(" ")) else "")),
    "string-length": lambda i, a: float(_utf16_length(
        as_string(a[0]) if a else _text(i.current))),
    "string": lambda i, a: as_string(a[0]) if a else _text(i.current),
    "number": lambda i, a: as_number(a[0]) if a else as_number(Nodes((_text(i.current),))),
    "boolean": _need(1, "boolean", lambda _, a: as_boolean(a[0])),
    "boolean-from-string": _need(1, "boolean-from-string", lambda _, a: as_string(a[0]) in (
        "1", "true")),
    "not": _need(1, "not", lambda _, a: not as_boolean(a[0])),
    "true": lambda _, a: True,
    "false": lambda _, a: False,
    "if": _need(3, "if", lambda _, a: a[1] if as_boolean(a[0]) else a[2]),
    "concat": lambda _, a: "".join(as_string(x) for x in a),
    "join": _need(1, "join", lambda _, a: as_string(a[0]).join(
        t for x in a[1:] for t in (x.texts if isinstance(x, Nodes) else (as_string(x),)))),
    "coalesce": _need(2, "coalesce", lambda _, a: as_string(a[0]) or as_string(a[1])),
    "contains": _need(2, "contains", lambda _, a: as_string(a[1]) in as_string(a[0])),
    "starts-with": _need(2, "starts-with", lambda _, a: as_string(a[0]).startswith(
        as_string(a[1]))),
    "ends-with": _need(2, "ends-with", lambda _, a: as_string(a[0]).endswith(as_string(a[1]))),
    "substr": _need(2, "substr", _substr),
    "normalize-space": lambda i, a: " ".join(
        (as_string(a[0]) if a else _text(i.current)).split()),
    "regex": _need(2, "regex", _regex),
    "today": _today,
    "now": _now,
    "date": _need(1, "date", _date),
    "decimal-date-time": _need(1, "decimal-date-time", lambda _, a: (
        as_number(a[0]) if isinstance(a[0], float) else _days_of(as_string(a[0])))),
    "int": _need(1, "int", lambda _, a: _integer(a[0])),
    "round": _round,
    "floor": _need(1, "floor", lambda _, a: float(math.floor(as_number(a[0])))
                   if math.isfinite(as_number(a[0])) else as_number(a[0])),
    "ceiling": _need(1, "ceiling", lambda _, a: float(math.ceil(as_number(a[0])))
                     if math.isfinite(as_number(a[0])) else as_number(a[0])),
    "abs": _need(1, "abs", lambda _, a: abs(as_number(a[0]))),
    "pow": _need(2, "pow", lambda _, a: _pow(as_number(a[0]), as_number(a[1]))),
    "max": _max_min(max),
    "min": _max_min(min),
    "count": _need(1, "count", lambda _, a: float(len(_nodes(a[0], "count").texts))),
    "count-non-empty": _need(1, "count-non-empty", lambda _, a: float(
        len([t for t in _nodes(a[0], "count-non-empty").texts if t]))),
    "sum": _need(1, "sum", _sum),
    "position": _position,
}


def _pow(base: float, exponent: float) -> float:
    try:
        result = base ** exponent
    except (OverflowError, ZeroDivisionError):
        return math.inf
    return math.nan if isinstance(result, complex) else float(result)
