"""XLSForm import: the ``.xlsx`` field teams know from ODK and KoboToolbox, in the subset
``docs/surveys.md`` lists.

All or nothing: every unsupported column, type or expression is reported with its sheet, row
and column, and a workbook with any problem yields no form at all.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Any

from openpyxl import load_workbook
from pydantic import ValidationError

from backend.core.csvrows import unzipped_size_ok
from backend.core.errors import FieldError
from backend.surveys.forms import Form, form_errors

__all__ = ["XLSFormResult", "read_xlsform"]

#: An .xlsx is a zip; its XML may not inflate beyond this (a zip bomb stops here).
MAX_UNZIPPED = 64 * 1024 * 1024
MAX_ROWS = 2000

_SURVEY_COLUMNS = {"type", "name", "required", "constraint", "relevant", "fact"}
_LABELLED = {"label", "hint", "constraint_message"}
_CHOICE_COLUMNS = {"list_name", "name"}
_PLAIN_TYPES = {"text": "text", "integer": "integer", "int": "integer", "decimal": "decimal",
                "date": "date", "yes_no": "yes_no", "geopoint": "geopoint", "image": "photo"}
_TRUE = {"yes", "true", "true()", "1"}
_FALSE = {"", "no", "false", "false()", "0"}


@dataclass(frozen=True)
class XLSFormResult:
    form: Form | None
    title: str | None
    errors: list[FieldError]


class _Problem(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def _language(suffix: str) -> str | None:
    """``zh`` / ``en`` from a column suffix: ``zh``, ``Chinese (zh)``, ``中文``, ``en``…"""
    s = suffix.strip().lower()
    if s in ("zh", "zh-cn", "zh_cn", "中文", "chinese") or "(zh" in s:
        return "zh"
    if s in ("en", "english") or "(en" in s:
        return "en"
    return None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


# --- expressions ---------------------------------------------------------------------------

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
        if subject == "." and qtype == "date":
            if not isinstance(value, str):
                raise _Problem("expression_unsupported", near=str(value))
            day = dt.date.fromisoformat(value)
            step = dt.timedelta(days=1)
            value_low = (day + step if op == ">" else day).isoformat()
            value_high = (day - step if op == "<" else day).isoformat()
        elif isinstance(value, int) and not isinstance(value, bool):
            value_low = value + 1 if op == ">" else value
            value_high = value - 1 if op == "<" else value
        elif isinstance(value, float) and op in (">=", "<="):
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


# --- sheets --------------------------------------------------------------------------------


def _header(ws: Any, sheet: str, known: set[str],
            errors: list[FieldError]) -> tuple[dict[int, tuple[str, str | None]], list[list[Any]]]:
    """Column index → (column, language), and the data rows, reporting unsupported columns
    that carry any value."""
    rows = [list(r) for r in ws.iter_rows(values_only=True, max_row=MAX_ROWS + 1)]
    if not rows:
        return {}, []
    columns: dict[int, tuple[str, str | None]] = {}
    for index, raw in enumerate(rows[0]):
        name = _cell(raw)
        if not name:
            continue
        base, _, suffix = name.partition("::")
        base = base.strip().lower()
        used = any(_cell(r[index]) for r in rows[1:] if index < len(r))
        if base in _LABELLED or (base == "label" and sheet == "choices"):
            language = _language(suffix) if suffix else "default"
            if language is None:
                if used:
                    errors.append(FieldError(name, "xlsform_language", sheet=sheet, row=1))
                continue
            columns[index] = (base, language)
        elif base in known and not suffix:
            columns[index] = (base, None)
        elif used:
            errors.append(FieldError(name, "xlsform_column", sheet=sheet, row=1))
    return columns, rows[1:]


def _labels(values: dict[tuple[str, str | None], str], base: str) -> dict[str, str] | None:
    zh = values.get((base, "zh")) or values.get((base, "default")) or values.get((base, "en"))
    en = values.get((base, "en")) or values.get((base, "default")) or zh
    return {"zh": zh, "en": en} if zh and en else None


def _record(columns: dict[int, tuple[str, str | None]], row: list[Any]
            ) -> dict[tuple[str, str | None], str]:
    return {key: _cell(row[i]) for i, key in columns.items() if i < len(row) and _cell(row[i])}


def _read_choices(wb: Any, errors: list[FieldError]) -> dict[str, list[tuple[int, dict]]]:
    lists: dict[str, list[tuple[int, dict]]] = {}
    if "choices" not in wb.sheetnames:
        return lists
    columns, rows = _header(wb["choices"], "choices", _CHOICE_COLUMNS, errors)
    for number, row in enumerate(rows, start=2):
        values = _record(columns, row)
        if not values:
            continue
        list_name, name = values.get(("list_name", None)), values.get(("name", None))
        label = _labels(values, "label")
        for column, missing in (("list_name", not list_name), ("name", not name),
                                ("label", not label)):
            if missing:
                errors.append(FieldError(column, "required", sheet="choices", row=number))
        if list_name and name and label:
            lists.setdefault(list_name, []).append((number, {"name": name, "label": label}))
    return lists


def _question(values: dict[tuple[str, str | None], str], number: int,
              lists: dict[str, list[tuple[int, dict]]], types: dict[str, str],
              errors: list[FieldError]) -> dict[str, Any] | None:
    def report(column: str, code: str, **params: Any) -> None:
        errors.append(FieldError(column, code, params or None, row=number, sheet="survey"))

    raw_type = values.get(("type", None), "")
    words = raw_type.split()
    qtype: str | None = None
    choices = None
    if len(words) == 1 and words[0] in _PLAIN_TYPES:
        qtype = _PLAIN_TYPES[words[0]]
    elif len(words) == 2 and words[0] in ("select_one", "select_multiple"):
        qtype = words[0]
        if words[1] not in lists:
            report("type", "xlsform_no_choices", list=words[1])
            return None
        choices = [c for _, c in lists[words[1]]]
    if qtype is None:
        report("type", "xlsform_type", type=raw_type or "—")
        return None
    name = values.get(("name", None), "")
    label = _labels(values, "label")
    if not label:
        report("label", "required")
    question: dict[str, Any] = {
        "name": name, "type": qtype, "label": label, "hint": _labels(values, "hint"),
        "constraint_message": _labels(values, "constraint_message"), "choices": choices,
        "fact": values.get(("fact", None)) or None,
    }
    required = values.get(("required", None), "").lower()
    if required not in _TRUE | _FALSE:
        report("required", "xlsform_required")
    question["required"] = required in _TRUE
    for column, parse in (("relevant", lambda t: _typed_conditions(parse_relevant(t), types)),
                          ("constraint", lambda t: parse_constraint(t, qtype))):
        text = values.get((column, None))
        if not text:
            continue
        try:
            question[column] = parse(text)
        except (_Problem, ValueError) as exc:
            params = exc.params if isinstance(exc, _Problem) else {"near": text[:20]}
            report(column, "xlsform_expression", **params)
    types[name] = qtype
    return question


def read_xlsform(data: bytes, *, households: bool = True) -> XLSFormResult:
    """Read an XLSForm; every problem at once, and no form when there is any."""
    if not unzipped_size_ok(data, MAX_UNZIPPED):
        return XLSFormResult(None, None, [FieldError("file", "xlsform_not_xlsx", sheet="")])
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a broken workbook
        return XLSFormResult(None, None, [FieldError("file", "xlsform_not_xlsx", sheet="")])
    try:
        return _read(wb, households)
    finally:
        wb.close()


def _read(wb: Any, households: bool) -> XLSFormResult:
    errors: list[FieldError] = []
    if "survey" not in wb.sheetnames:
        return XLSFormResult(None, None, [FieldError("sheet", "xlsform_no_survey", sheet="")])
    lists = _read_choices(wb, errors)
    columns, rows = _header(wb["survey"], "survey", _SURVEY_COLUMNS, errors)
    if len(rows) > MAX_ROWS:
        errors.append(FieldError("type", "xlsform_too_many_rows", {"max": MAX_ROWS},
                                 sheet="survey", row=MAX_ROWS + 1))
    questions: list[dict[str, Any]] = []
    row_of: list[int] = []
    types: dict[str, str] = {}
    failed: set[str] = set()
    for number, row in enumerate(rows[:MAX_ROWS], start=2):
        values = _record(columns, row)
        if not values:
            continue
        question = _question(values, number, lists, types, errors)
        if question is None:
            failed.add(values.get(("name", None), ""))
            continue
        questions.append(question)
        row_of.append(number)
    title = _title(wb)
    if not questions and not errors:
        errors.append(FieldError("type", "required", sheet="survey", row=2))
    form, problems = _check_form(questions, row_of, households, failed)
    errors += problems
    if errors:
        order = {"": 0, "survey": 1, "choices": 2}
        return XLSFormResult(None, title, sorted(
            errors, key=lambda e: (order.get(e.sheet or "", 3), e.row or 0)))
    return XLSFormResult(form, title, [])


def _check_form(questions: list[dict[str, Any]], row_of: list[int], households: bool,
                failed: set[str]) -> tuple[Form | None, list[FieldError]]:
    """The form rules over the rows that were read, so that their problems come out together
    with the rows' own; a condition on a row that could not be read is not blamed twice."""
    if not questions:
        return None, []
    try:
        form = Form.model_validate({"questions": questions})
    except ValidationError as exc:
        return None, [_located(e, row_of) for e in exc.errors()]
    located = []
    for index, err in form_errors(form, households=households):
        field = err.field.split(".")[2]
        conditions = [c for group in form.questions[index].relevant or [] for c in group]
        if field == "relevant" and any(c.q in failed for c in conditions):
            continue
        located.append(FieldError(field, err.code, err.params, sheet="survey",
                                  row=row_of[index]))
    return form, located


_PYDANTIC_CODES = {"string_pattern_mismatch": "invalid", "missing": "required",
                   "string_too_long": "too_long", "string_too_short": "required"}


def _located(error: Any, row_of: list[int]) -> FieldError:
    loc = list(error["loc"])
    row = row_of[loc[1]] if len(loc) > 1 and isinstance(loc[1], int) else None
    column = str(loc[2]) if len(loc) > 2 else "type"
    return FieldError(column, _PYDANTIC_CODES.get(error["type"], "invalid"), sheet="survey",
                      row=row)


def _title(wb: Any) -> str | None:
    if "settings" not in wb.sheetnames:
        return None
    rows = [list(r) for r in wb["settings"].iter_rows(values_only=True, max_row=2)]
    if len(rows) < 2:
        return None
    for index, raw in enumerate(rows[0]):
        if _cell(raw).lower() == "form_title" and index < len(rows[1]):
            return _cell(rows[1][index])[:200] or None
    return None


_EXAMPLE_SURVEY = [
    ("integer", "members", "家庭人口", "Household members", "yes", ". >= 1 and . <= 20", "",
     "members"),
    ("text", "phone", "联系电话", "Phone", "", "string-length(.) <= 11", "", "phone"),
    ("select_one housing", "housing", "住房情况", "Housing", "yes", "", "", "housing"),
    ("text", "housing_note", "其他住房说明", "Other housing", "yes", "",
     "${housing} = 'other'", ""),
    ("select_multiple income", "income", "主要收入来源", "Income sources", "",
     "count-selected(.) <= 2", "", ""),
    ("decimal", "land_mu", "耕地面积（亩）", "Farmland (mu)", "", ". >= 0 and . <= 500", "", ""),
    ("date", "last_visit", "上次走访日期", "Last visit", "", "", "", ""),
    ("yes_no", "needs_help", "是否需要帮扶", "Needs help", "yes", "", "", ""),
    ("text", "help_note", "帮扶需求", "What help", "", "", "${needs_help} = 'yes'", ""),
    ("geopoint", "location", "住房位置", "House location", "", "", "", ""),
    ("image", "house_photo", "住房照片", "House photo", "", "", "", ""),
]
_EXAMPLE_CHOICES = [
    ("housing", "brick", "砖混", "Brick"), ("housing", "wood", "木结构", "Wood"),
    ("housing", "other", "其他", "Other"), ("income", "farm", "务农", "Farming"),
    ("income", "work", "务工", "Wage work"), ("income", "pension", "养老金", "Pension"),
    ("income", "aid", "救助", "Social aid"),
]


def example_xlsform() -> bytes:
    """An XLSForm using every supported type (the template counties start from)."""
    from openpyxl import Workbook

    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label::Chinese (zh)", "label::English (en)", "required",
                   "constraint", "relevant", "fact"])
    for row in _EXAMPLE_SURVEY:
        survey.append(list(row))
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::Chinese (zh)", "label::English (en)"])
    for row in _EXAMPLE_CHOICES:
        choices.append(list(row))
    settings = book.create_sheet("settings")
    settings.append(["form_title"])
    settings.append(["农户基本情况调查（示例）"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
