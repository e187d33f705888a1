"""The simple shapes of an XLSForm's conditions and bounds, as the form editor writes them:
``${q} op literal``, ``selected(${q}, 'c')``, ``not(…)`` joined by and/or for ``relevant``;
``. op n``, ``string-length(.) op n``, ``count-selected(.) op n`` joined by and for
``constraint``. An imported expression in one of these shapes becomes the editor's structured
``relevant`` / ``constraint`` (editable on a phone, with messages naming the bound); anything
else stays an ODK expression (``xpath``), evaluated as written. Never approximated: a strict
bound on a decimal has no inclusive equivalent and stays an expression.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from typing import Any

__all__ = ["simplify"]

_TRUE = {"yes", "true", "true()", "1"}
_FALSE = {"", "no", "false", "false()", "0"}


_BOUNDS: dict[str, set[str]] = {
    "integer": {"min", "max"}, "decimal": {"min", "max"}, "date": {"min", "max"},
    "text": {"min_length", "max_length"}, "select_multiple": {"min_count", "max_count"},
}


class _Problem(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


_TOKEN = re.compile(r"""
    \s*(?:
      (?P<ref>\$\{[A-Za-z_][A-Za-z0-9_]*\})
    | (?P<str>'[^']*'|"[^"]*")
    | (?P<num>-?\d+(?:\.\d+)?)
    | (?P<op>!=|>=|<=|=|>|<)
    | (?P<punct>[(),.])
    | (?P<word>[A-Za-z_][A-Za-z0-9_\-]*)
    )""", re.X)


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise _Problem("expression_unsupported", near=text[pos:pos + 12])
        pos = match.end()
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
    return out


def _split(tokens: list[tuple[str, str]], word: str) -> list[list[tuple[str, str]]]:
    """Split at a top-level ``and`` / ``or`` (outside any parentheses)."""
    parts: list[list[tuple[str, str]]] = [[]]
    depth = 0
    for token in tokens:
        if token[0] == "punct" and token[1] == "(":
            depth += 1
        elif token[0] == "punct" and token[1] == ")":
            depth -= 1
        if depth == 0 and token == ("word", word):
            parts.append([])
        else:
            parts[-1].append(token)
    if any(not p for p in parts):
        raise _Problem("expression_unsupported", near=word)
    return parts


def _literal(token: tuple[str, str], rest: list[tuple[str, str]]) -> Any:
    kind, text = token
    if kind == "str":
        return text[1:-1]
    if kind == "num":
        return float(text) if "." in text else int(text)
    if kind == "word" and text in ("true", "false") and rest == [("punct", "("), ("punct", ")")]:
        return text == "true"
    if kind == "word" and text == "date" and len(rest) == 3 and rest[1][0] == "str":
        return rest[1][1][1:-1]
    raise _Problem("expression_unsupported", near=text)


def _atom(tokens: list[tuple[str, str]]) -> dict[str, Any]:
    """``${q} op literal``, ``selected(${q}, 'c')`` or ``not(selected(${q}, 'c'))``."""
    words = [t[1] for t in tokens]
    if words[:2] == ["not", "("] and words[-1] == ")":
        inner = _atom(tokens[2:-1])
        if inner["op"] != "selected":
            raise _Problem("expression_unsupported", near="not")
        return {**inner, "op": "not_selected"}
    if (len(tokens) == 6 and words[:2] == ["selected", "("] and tokens[2][0] == "ref"
            and words[3] == "," and tokens[4][0] == "str" and words[5] == ")"):
        return {"q": words[2][2:-1], "op": "selected", "value": words[4][1:-1]}
    if len(tokens) >= 3 and tokens[0][0] == "ref" and tokens[1][0] == "op":
        return {"q": words[0][2:-1], "op": words[1], "value": _literal(tokens[2], tokens[3:])}
    raise _Problem("expression_unsupported", near=" ".join(words)[:20])


def parse_relevant(text: str) -> list[list[dict[str, Any]]]:
    """``a and b or c`` → ``[[a, b], [c]]`` (``and`` binds tighter, as in XPath)."""
    tokens = _tokens(text)
    return [[_atom(part) for part in _split(group, "and")] for group in _split(tokens, "or")]


_SUBJECT = {".": ("min", "max"), "string-length": ("min_length", "max_length"),
            "count-selected": ("min_count", "max_count")}


def parse_constraint(text: str, qtype: str) -> dict[str, Any]:
    """``. >= 1 and . <= 20`` → ``{"min": 1, "max": 20}``; only ranges and lengths."""
    bounds: dict[str, Any] = {}
    for part in _split(_tokens(text), "and"):
        words = [t[1] for t in part]
        if words[:1] == ["."]:
            subject, rest = ".", part[1:]
        elif words[:4] in (["string-length", "(", ".", ")"], ["count-selected", "(", ".", ")"]):
            subject, rest = words[0], part[4:]
        else:
            raise _Problem("expression_unsupported", near=" ".join(words)[:20])
        if len(rest) < 2 or rest[0][0] != "op":
            raise _Problem("expression_unsupported", near=" ".join(words)[:20])
        op, value = rest[0][1], _literal(rest[1], rest[2:])
        low, high = _SUBJECT[subject]
        value_low: str | int | float
        value_high: str | int | float
        if subject == "." and qtype == "date":
            if not isinstance(value, str):
                raise _Problem("expression_unsupported", near=str(value))
            day = dt.date.fromisoformat(value)
            step = dt.timedelta(days=1)
            value_low = (day + step if op == ">" else day).isoformat()
            value_high = (day - step if op == "<" else day).isoformat()
        elif isinstance(value, int) and not isinstance(value, bool) and qtype == "integer":
            value_low = value + 1 if op == ">" else value
            value_high = value - 1 if op == "<" else value
        elif isinstance(value, int | float) and not isinstance(value, bool) and op in (
                ">=", "<="):
            value_low = value_high = value
        else:
            # A strict bound on a decimal has no inclusive equivalent.
            raise _Problem("expression_unsupported", near=f"{op} {value}")
        if op in (">", ">="):
            bounds[low] = value_low
        elif op in ("<", "<="):
            bounds[high] = value_high
        else:
            raise _Problem("expression_unsupported", near=op)
    return bounds


def _typed_conditions(groups: list[list[dict[str, Any]]],
                      types: dict[str, str]) -> list[list[dict[str, Any]]]:
    """XLSForm writes every literal as text or number; give each the referenced type."""
    for group in groups:
        for cond in group:
            kind = types.get(cond["q"])
            value = cond["value"]
            if kind == "yes_no" and isinstance(value, str | int):
                text = str(value).lower()
                if text in _TRUE or text in _FALSE:
                    cond["value"] = text in _TRUE
            elif kind in ("integer", "decimal") and isinstance(value, str):
                with contextlib.suppress(ValueError):  # left as text: the form check reports it
                    cond["value"] = float(value) if "." in value else int(value)
            elif kind in ("text", "select_one", "select_multiple") and isinstance(value, int):
                cond["value"] = str(value)
    return groups


def simplify(question: dict[str, Any], types: dict[str, str]) -> None:
    """Move ``xpath.relevant`` / ``xpath.constraint`` into the structured fields when they
    have a simple shape on earlier questions of ``types`` (name → type, outside repeats)."""
    expressions = question.get("xpath") or {}
    text = expressions.get("relevant")
    if text and all(name in types for name in re.findall(r"\$\{([^}]*)\}", text)):
        with contextlib.suppress(_Problem, ValueError):
            question["relevant"] = _typed_conditions(parse_relevant(text), types)
            del expressions["relevant"]
    text = expressions.get("constraint")
    if text and "${" not in text:
        with contextlib.suppress(_Problem, ValueError):
            bounds = parse_constraint(text, question["type"])
            if set(bounds) <= _BOUNDS.get(question["type"], set()):
                question["constraint"] = bounds
                del expressions["constraint"]
    if not expressions:
        question.pop("xpath", None)
