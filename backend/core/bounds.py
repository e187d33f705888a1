"""Bounds on every JSON body, before any schema sees it: nesting depth, integer and number
size, string length and characters, list and object sizes.

The schemas bound each field; this is the floor under all of them, so that no body can make
the server raise (a 50,000-deep ``[[[[…``, a 40-digit integer, a NUL byte that SQLite would
store and PostgreSQL refuse). Control characters are refused, not stripped, on every engine
alike: text reaches the database exactly as sent, or not at all. Tab, line feed and carriage
return are ordinary text.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

from litestar import Request

from backend.core.errors import FieldError, ValidationFailed

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from litestar.connection import ASGIConnection

__all__ = [
    "MAX_DEPTH",
    "MAX_INTEGER",
    "MAX_ITEMS",
    "MAX_NUMBER",
    "MAX_TEXT",
    "BoundedRequest",
    "body_problems",
    "check_parameters",
    "check_text",
    "problems_each",
]

#: Deepest nesting of lists and objects (the deepest schema needs about 6).
MAX_DEPTH = 32
#: Largest integer magnitude: 2^53, exact in JavaScript and in a double on both engines.
MAX_INTEGER = 2**53
#: Largest magnitude of a number with a fraction.
MAX_NUMBER = 1e15
#: Most characters in one string (the request body limit bounds the total anyway).
MAX_TEXT = 100_000
#: Most items in one list, or keys in one object.
MAX_ITEMS = 10_000
#: C0 controls but tab, LF and CR; DEL; C1 controls; and the Unicode non-characters U+FFFE/F.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
#: Never report more than this many problems for one body.
_MAX_PROBLEMS = 20


def check_text(value: str, field: str) -> FieldError | None:
    """The problem with one string, or None."""
    if len(value) > MAX_TEXT:
        return FieldError(field, "too_long", {"max": MAX_TEXT})
    if _CONTROL.search(value):
        return FieldError(field, "control_character")
    return None


def _scalar(value: Any, field: str, text: bool) -> FieldError | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return FieldError(field, "too_large", {"max": MAX_INTEGER}) if abs(
            value) > MAX_INTEGER else None
    if isinstance(value, float):
        ok = math.isfinite(value) and abs(value) <= MAX_NUMBER
        return None if ok else FieldError(field, "too_large", {"max": MAX_NUMBER})
    if isinstance(value, str):
        return check_text(value, field) if text else None
    return None


def _walk(value: Any, path: str, depth: int, text: bool) -> Iterator[FieldError]:
    field = path or "body"
    if not isinstance(value, list | dict):
        problem = _scalar(value, field, text)
        if problem:
            yield problem
        return
    if depth >= MAX_DEPTH:
        yield FieldError(field, "too_deep", {"max": MAX_DEPTH})
        return
    if len(value) > MAX_ITEMS:
        yield FieldError(field, "too_many_items", {"max": MAX_ITEMS})
        return
    items = enumerate(value) if isinstance(value, list) else value.items()
    for key, item in items:
        name = f"{path}.{key}" if path else str(key)
        problem = check_text(key, name) if text and isinstance(key, str) else None
        if problem:
            yield problem
            continue
        yield from _walk(item, name, depth + 1, text)


def _fine(value: Any, depth: int, text: bool) -> bool:
    """Whether nothing in ``value`` breaks a bound: the common case, checked without building
    a path for every node (``_walk`` then names the problems of the rare body that fails).

    One pass over the containers, scalars checked where they sit; the strings and keys are
    gathered and searched for control characters at once (the pattern is a single character:
    joining texts cannot make or hide a match), which costs one search a body, not one a node.
    """
    texts: list[Any] | None = [] if text else None
    pending = [(value, depth)]
    while pending:
        node, level = pending.pop()
        if not isinstance(node, list | dict):
            if isinstance(node, str):
                if texts is not None:
                    texts.append(node)
            elif _scalar(node, "", text) is not None:
                return False
            continue
        if level >= MAX_DEPTH or len(node) > MAX_ITEMS:
            return False
        if isinstance(node, dict):
            if texts is not None:
                texts += node
            node = node.values()
        if not _items_fine(node, level + 1, pending, texts):
            return False
    return not texts or _texts_fine(texts)


def _items_fine(
    items: Iterable[Any], level: int, pending: list[tuple[Any, int]], texts: list[Any] | None
) -> bool:
    """The numbers among ``items`` within bounds; their texts gathered, containers queued."""
    for item in items:
        kind = item.__class__
        if kind is str:
            if texts is not None:
                texts.append(item)
        elif kind is float:
            if not abs(item) <= MAX_NUMBER:  # NaN compares false: refused with infinities
                return False
        elif kind is int:
            if abs(item) > MAX_INTEGER:
                return False
        elif item is not None and kind is not bool:
            pending.append((item, level))  # a container, or anything else judged as a node
    return True


def _texts_fine(texts: list[Any]) -> bool:
    try:
        joined = "".join(texts)
    except TypeError:  # a key that is not text: the walk judges it
        return False
    return max(map(len, texts)) <= MAX_TEXT and _CONTROL.search(joined) is None


def body_problems(value: Any, *, text: bool = True, path: str = "") -> list[FieldError]:
    """Every bound a decoded JSON body breaks (at most 20), each at its dotted path.

    ``text`` False leaves strings to the handler (sync push rejects such an item alone).
    """
    if _fine(value, 0, text):
        return []
    problems = []
    for problem in _walk(value, path, 0, text):
        problems.append(problem)
        if len(problems) >= _MAX_PROBLEMS:
            break
    return problems


def problems_each(values: list[Any], *, path: str = "") -> list[list[FieldError]]:
    """``body_problems`` of each value: all of them walked in one pass when none breaks a
    bound (the common case: one search for control characters, not one a value), and each
    alone only when some value does."""
    if _fine(values, -1, True):
        return [[] for _ in values]
    return [body_problems(value, path=path) for value in values]


class BoundedRequest(Request):
    """The app's request class: a JSON body is decoded once, then held to the bounds above
    (422 with each field's problem) before any handler or schema sees it."""

    async def json(self) -> Any:
        try:
            value = await super().json()
        except RecursionError:
            # The decoder's own recursion limit, far beyond MAX_DEPTH.
            raise ValidationFailed(
                errors=[FieldError("body", "too_deep", {"max": MAX_DEPTH})]
            ) from None
        # Sync push checks each item's data itself (every bound, text too), so one bad record
        # never fails a batch: here the rest of the body, without text, and no data twice.
        per_item = self.route_handler.opt.get("bounds_per_item")
        if per_item:
            problems = body_problems(_without_items_data(value, *per_item), text=False)
        else:
            problems = body_problems(value)
        if problems:
            raise ValidationFailed(errors=problems)
        return value


def _without_items_data(value: Any, items: str, data: str) -> Any:
    """The body with the ``data`` of each object in the list ``items`` left out (its handler
    holds each to the bounds itself, item by item)."""
    if not isinstance(value, dict) or not isinstance(value.get(items), list):
        return value
    return {**value, items: [
        {k: v for k, v in item.items() if k != data} if isinstance(item, dict) else item
        for item in value[items]
    ]}


def check_parameters(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """Query and path parameters are held to the same text rules as bodies (a NUL in a query
    string is refused on SQLite as on PostgreSQL): 422 with each parameter's problem. Run for
    every request by ``core/http.check_request``."""
    problems = []
    if connection.scope.get("query_string"):
        for name, value in connection.query_params.multi_items():
            problem = check_text(value, name)
            if problem:
                problems.append(problem)
    for name, value in connection.path_params.items():
        if isinstance(value, str):
            problem = check_text(value, name)
            if problem:
                problems.append(problem)
    if problems:
        raise ValidationFailed(errors=problems[:_MAX_PROBLEMS])
