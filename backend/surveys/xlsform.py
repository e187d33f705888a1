"""XLSForm import: the ``.xlsx`` forms field teams bring from ODK Collect and KoboToolbox,
read by pyxform (ODK's own converter) and turned into Zhucun's form (``forms.py``).

What pyxform refuses is reported with its row (its own words, in a bilingual frame); what
pyxform accepts but the phone cannot answer yet is refused here, located, with the reason in
words; an ``appearance`` the phone does not draw is accepted and reported as a warning, as
Collect does. All or nothing: a workbook with any error yields no form.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook
from pydantic import ValidationError

from backend.core.csvrows import read_table, unzipped_size_ok
from backend.core.errors import FieldError
from backend.core.export import Sheet, xlsx_bytes
from backend.surveys.forms import CHOICE_PATTERN, MAX_CHOICES, Form, form_errors
from backend.surveys.simple import simplify

__all__ = ["XLSFormResult", "example_xlsform", "read_xlsform"]

MAX_ROWS = 2000

#: pyxform's type → Zhucun's.
_TYPES = {
    "text": "text", "integer": "integer", "int": "integer", "decimal": "decimal",
    "date": "date", "time": "time", "dateTime": "datetime", "geopoint": "geopoint",
    "geotrace": "geotrace", "geoshape": "geoshape",
    "image": "photo", "photo": "photo", "barcode": "barcode", "range": "range",
    "acknowledge": "acknowledge", "note": "note", "calculate": "calculate",
    "select one": "select_one", "select all that apply": "select_multiple",
    "start": "start", "end": "end", "today": "today", "deviceid": "deviceid",
    "username": "username",
}
_META = {"start", "end", "today", "deviceid", "username"}
#: Metadata a web app cannot read: left out, with a warning.
_UNREADABLE_META = {"phonenumber", "simserial", "subscriberid", "email", "audit",
                    "start-geopoint", "background-geopoint"}
#: Types the phone cannot answer yet: refused, with the reason.
_UNANSWERABLE = {"audio", "video", "file", "background-audio",
                 "rank", "osm", "xml-external", "csv-external", "select one external",
                 "hidden", "trigger"}
#: Appearances the answering screen draws; others are accepted and ignored with a warning.
_APPEARANCES = {"field-list", "minimal", "multiline", "quick", "horizontal",
                "horizontal-compact", "compact", "no-calendar", "month-year", "year",
                "numbers", "thousands-sep", "table-list", "label", "list-nolabel",
                "list", "likert", "autocomplete", "search"}
#: The types the editor's structured conditions may look at.
_CLASSIC = {"text", "integer", "decimal", "date", "select_one", "select_multiple", "yes_no"}
_TRUE = {"yes", "true", "true()", "1"}
_FALSE = {"", "no", "false", "false()", "0"}
_CURLY = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "＇": "'", "＂": '"'})
_ROW = re.compile(r"\[row\s*:\s*(\d+)\]", re.I)
_COLUMN = re.compile(r"the '([A-Za-z_:]+)' (?:value|column)")
_SINGLE_COLON = re.compile(
    r"^(label|hint|constraint_message|constraint message|required_message|"
    r"required message|guidance_hint|media::image|image|audio|video):(?!:)\s*(.+)$", re.I)


@dataclass(frozen=True)
class XLSFormResult:
    form: Form | None
    title: str | None
    errors: list[FieldError]
    warnings: list[FieldError] = field(default_factory=list)


class _Refused(Exception):
    def __init__(self, column: str, code: str, **params: Any) -> None:
        super().__init__(code)
        self.column, self.code, self.params = column, code, params


# --- the workbook, as pyxform reads it -----------------------------------------------------


def _rows_ok(data: bytes) -> bool:
    book = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return all((ws.max_row or 0) <= MAX_ROWS + 1 for ws in book.worksheets)
    finally:
        book.close()


def _header(key: str) -> str:
    """``label:English`` (an older spelling) as ``label::English``."""
    match = _SINGLE_COLON.match(key.strip())
    return f"{match.group(1)}::{match.group(2).strip()}" if match else key.strip()


def _normalise(definition: Any) -> list[int]:
    """Older header spellings made current, curly quotes straightened, Zhucun's ``yes_no``
    type kept for after pyxform; returns the rows that said ``yes_no``."""
    yes_no: list[int] = []
    for sheet in ("survey", "choices", "settings"):
        rows = getattr(definition, sheet, None)
        if not rows:
            continue
        cleaned = []
        for number, row in enumerate(rows, start=2):
            new = {_header(k): (v.translate(_CURLY) if isinstance(v, str) else v)
                   for k, v in row.items()}
            if sheet == "survey" and str(new.get("type", "")).strip() == "yes_no":
                new["type"] = "text"
                yes_no.append(number)
            cleaned.append(new)
        setattr(definition, sheet, cleaned)
        header = getattr(definition, f"{sheet}_header", None)
        if header:
            setattr(definition, f"{sheet}_header", [{_header(k): v for k, v in h.items()}
                                                    for h in header])
    return yes_no


def _rows_by_name(definition: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for number, row in enumerate(definition.survey or [], start=2):
        name = str(row.get("name") or "").strip()
        if name and name not in out:
            out[name] = number
    return out


# --- labels --------------------------------------------------------------------------------


def _language(key: str) -> str:
    """A language column's suffix as a code: ``Chinese (zh)`` → zh, ``English`` → en,
    ``ug`` → ug, ``default`` for a column without one."""
    text = key.strip()
    code = re.search(r"\(([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)?)\)\s*$", text)
    if code:
        return code.group(1).lower().replace("_", "-")
    low = text.lower()
    if low in ("zh", "zh-cn", "chinese", "中文", "汉语", "简体中文"):
        return "zh"
    if low in ("en", "english", "英文", "英语"):
        return "en"
    return re.sub(r"[^a-z0-9_\-]", "", low)[:32] or "default"


def _label(value: Any) -> dict[str, str] | None:
    """pyxform's label (text, or language → text) as Zhucun's: zh and en always (one
    language serves both), other languages kept."""
    if value is None or value == "":
        return None
    texts = {"default": str(value)} if isinstance(value, str) else {
        _language(k): str(v) for k, v in value.items() if v not in (None, "")}
    if not texts:
        return None
    first = next(iter(texts.values()))
    zh = texts.get("zh") or texts.get("default") or texts.get("en") or first
    en = texts.get("en") or texts.get("default") or zh
    others = {k: v for k, v in texts.items() if k not in ("zh", "en", "default")}
    return {"zh": zh, "en": en, **dict(list(others.items())[:8])}


# --- elements ------------------------------------------------------------------------------


@dataclass
class _Reading:
    rows: dict[str, int]
    yes_no_rows: set[int]
    households: bool
    #: The files attached to the form (file name → bytes): choice lists of ``*_from_file``.
    attachments: Mapping[str, bytes] = field(default_factory=dict)
    questions: list[dict[str, Any]] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)
    row_of: list[int] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)
    warnings: list[FieldError] = field(default_factory=list)
    #: Questions read so far outside repeats (name → type), for the simple shapes.
    top_types: dict[str, str] = field(default_factory=dict)

    def row(self, name: str) -> int | None:
        return self.rows.get(name)

    def refuse(self, name: str, column: str, code: str, **params: Any) -> None:
        self.errors.append(FieldError(column, code, params or None, row=self.row(name),
                                      sheet="survey"))

    def warn(self, name: str, column: str, code: str, **params: Any) -> None:
        self.warnings.append(FieldError(column, code, params or None, row=self.row(name),
                                        sheet="survey"))


def _expressions(element: dict[str, Any]) -> dict[str, str]:
    bind = element.get("bind") or {}
    out: dict[str, str] = {}
    for source, target in (("relevant", "relevant"), ("constraint", "constraint"),
                           ("calculate", "calculation")):
        if bind.get(source):
            out[target] = str(bind[source]).strip()
    required = str(bind.get("required") or "").strip()
    if required and required.lower() not in _TRUE | _FALSE:
        out["required"] = required
    if element.get("choice_filter"):
        out["choice_filter"] = str(element["choice_filter"]).strip()
    return out


def _appearance(reading: _Reading, name: str, element: dict[str, Any]) -> str | None:
    appearance = str((element.get("control") or {}).get("appearance") or "").strip()
    if not appearance:
        return None
    unknown = [a for a in appearance.split() if a not in _APPEARANCES]
    if unknown:
        reading.warn(name, "appearance", "xlsform_appearance_ignored",
                     appearance=" ".join(unknown))
    return appearance[:200]


def _choices(element: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for choice in element.get("choices") or []:
        extra = {k: str(v) for k, v in choice.items()
                 if k not in ("name", "label", "media", "image", "audio", "video")
                 and isinstance(v, str | int | float)}
        out.append({"name": str(choice.get("name", "")),
                    "label": _label(choice.get("label")) or {"zh": str(choice.get("name")),
                                                              "en": str(choice.get("name"))},
                    "filters": extra or None})
    return out


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
#: At most this many bad values of an attached list are reported (the rest are alike).
_MAX_FILE_ERRORS = 5


def _file_choices(reading: _Reading, element: dict[str, Any]) -> list[dict[str, Any]] | None:
    """``select_one_from_file villages.csv``: the choices of an attached CSV, read through
    ``core/csvrows.py`` (bounded), as ODK reads them: the ``name`` column (or
    ``parameters`` ``value=…``) and the ``label`` column (or ``label=…``, and
    ``label::language`` columns); the columns a ``choice_filter`` names are kept with each
    choice. None when refused (already reported at the question's row)."""
    name, file = str(element.get("name", "")), str(element.get("itemset") or "")
    if not file.lower().endswith(".csv"):
        reading.refuse(name, "type", "xlsform_from_file", file=file)
        return None
    data = reading.attachments.get(file)
    if data is None:
        reading.refuse(name, "type", "xlsform_attachment_missing", file=file)
        return None
    params = element.get("parameters") or {}
    value_col = str(params.get("value") or "name").strip()
    label_col = str(params.get("label") or "label").strip()
    table = read_table(data, None, [value_col])
    if table.errors:
        for error in table.errors[:_MAX_FILE_ERRORS]:
            if error.code == "required":
                reading.refuse(name, "parameters", "xlsform_attachment_column", file=file,
                               header=error.field)
            else:
                reading.refuse(name, "type", "xlsform_attachment_unreadable", file=file)
        return None
    label_cols = {c: ("default" if c == label_col else c.split(":", 1)[1].lstrip(":"))
                  for c in table.columns if c == label_col or c.startswith(f"{label_col}:")}
    if not label_cols:
        reading.refuse(name, "parameters", "xlsform_attachment_column", file=file,
                       header=label_col)
        return None
    named = set(_WORD.findall(str(element.get("choice_filter") or "")))
    kept = [c for c in table.columns
            if c in named and c not in label_cols and c not in ("name", "label")][:10]
    out, bad = [], 0
    for line, row in table.rows:
        value = row.get(value_col, "")
        if not re.fullmatch(CHOICE_PATTERN, value):
            bad += 1
            if bad <= _MAX_FILE_ERRORS:
                reading.refuse(name, "type", "xlsform_attachment_value", file=file, line=line,
                               value=value[:40])
            continue
        texts = {lang: row[c] for c, lang in label_cols.items() if row.get(c)}
        out.append({"name": value, "label": _label(texts) or {"zh": value, "en": value},
                    **{c: row.get(c, "") for c in kept}})
    if len(out) > MAX_CHOICES:
        reading.refuse(name, "type", "xlsform_attachment_too_many", file=file, max=MAX_CHOICES)
        return None
    return None if bad else out


def _kind(reading: _Reading, element: dict[str, Any]) -> str | None:
    """Zhucun's type for an element, or None (refused or left out, already reported)."""
    name, raw = str(element.get("name", "")), str(element.get("type", ""))
    if raw in _UNREADABLE_META:
        reading.warn(name, "type", "xlsform_meta_left_out", type=raw)
        return None
    if raw in _UNANSWERABLE:
        reading.refuse(name, "type", "xlsform_type_unanswerable", type=raw)
        return None
    if raw in ("select one", "select all that apply") and not element.get("choices"):
        element["choices"] = _file_choices(reading, element)
        if element["choices"] is None:
            return None
    kind = _TYPES.get(raw)
    if kind is None:
        reading.refuse(name, "type", "xlsform_type", type=raw or "—")
    if kind == "text" and reading.row(name) in reading.yes_no_rows:
        return "yes_no"
    return kind


def _question(reading: _Reading, element: dict[str, Any], group: str | None,
              in_repeat: bool) -> None:
    kind = _kind(reading, element)
    if kind is None:
        return
    name = str(element["name"])
    bind = element.get("bind") or {}
    required = str(bind.get("required") or "").strip().lower()
    params = element.get("parameters") or {}
    question: dict[str, Any] = {
        "name": name, "type": kind,
        "label": _label(element.get("label")) or {"zh": name, "en": name},
        "hint": _label(element.get("hint")),
        "required": required in _TRUE,
        "constraint_message": _label(bind.get("jr:constraintMsg")),
        "required_message": _label(bind.get("jr:requiredMsg")),
        "choices": _choices(element) if kind in ("select_one", "select_multiple") else None,
        "fact": (str(element["fact"]).strip() or None) if element.get("fact") else None,
        "group": group,
        "default": str(element["default"])[:500] if element.get("default") not in (
            None, "") else None,
        "appearance": _appearance(reading, name, element),
        "read_only": str(bind.get("readonly") or "").strip().lower() in _TRUE - {""},
        "meta": kind in _META,
    }
    if kind == "range":
        question["range"] = {k: float(params.get(k, d)) for k, d in (
            ("start", 0), ("end", 10), ("step", 1))}
    expressions = _expressions(element)
    if expressions:
        question["xpath"] = expressions
    if not in_repeat:
        # Simple shapes become the editor's conditions and bounds; the rest stays as written.
        simplify(question, reading.top_types)
        if kind in _CLASSIC:
            reading.top_types[name] = kind
    reading.questions.append(question)
    reading.row_of.append(reading.row(name) or 2)


def _group(reading: _Reading, element: dict[str, Any], parent: str | None,
           in_repeat: bool) -> None:
    name = str(element.get("name", ""))
    control = element.get("control") or {}
    if control.get("bodyless"):
        # pyxform's meta (instanceID: the server gives every response its id; audit).
        for child in element.get("children") or []:
            if child.get("type") in _UNREADABLE_META:
                reading.warn(str(child.get("name")), "type", "xlsform_meta_left_out",
                             type=child["type"])
        return
    repeat = element.get("type") == "repeat"
    group: dict[str, Any] = {"name": name, "label": _label(element.get("label")),
                             "parent": parent, "repeat": repeat,
                             "appearance": _appearance(reading, name, element),
                             # A roster kept as a household fact (refused elsewhere, located).
                             "fact": (str(element["fact"]).strip() or None)
                             if element.get("fact") else None}
    expressions = {k: v for k, v in _expressions(element).items() if k == "relevant"}
    if repeat and control.get("jr:count"):
        expressions["repeat_count"] = str(control["jr:count"]).strip()
    if expressions:
        group["xpath"] = expressions
    reading.groups.append(group)
    _children(reading, element.get("children") or [], name, in_repeat or repeat)


def _children(reading: _Reading, children: list[dict[str, Any]], parent: str | None,
              in_repeat: bool) -> None:
    for element in children:
        if element.get("type") in ("group", "repeat"):
            _group(reading, element, parent, in_repeat)
        else:
            _question(reading, element, parent, in_repeat)


# --- the whole -----------------------------------------------------------------------------


def _pyxform_error(exc: Exception) -> FieldError:
    text = str(exc).strip()
    row = _ROW.search(text)
    sheet = "choices" if "'choices' sheet" in text else "settings" if (
        "'settings' sheet" in text) else "survey"
    detail = _ROW.sub("", text).strip()[:300]
    column = _COLUMN.search(text)
    return FieldError(column.group(1) if column else "type", "xlsform_pyxform", {"detail": detail},
                      row=int(row.group(1)) if row else None, sheet=sheet)


def read_xlsform(data: bytes, *, households: bool = True,
                 attachments: Mapping[str, bytes] | None = None) -> XLSFormResult:
    """Read an XLSForm; every problem pyxform and Zhucun find, and no form when there is any.
    ``attachments`` are the files it names (the CSV of a ``select_one_from_file``)."""
    # pyxform is imported when a form is read, not when the server starts.
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import get_xlsform

    if not unzipped_size_ok(data):
        return XLSFormResult(None, None, [FieldError("file", "xlsform_not_xlsx", sheet="")])
    try:
        if not _rows_ok(data):
            return XLSFormResult(None, None, [FieldError(
                "type", "xlsform_too_many_rows", {"max": MAX_ROWS}, sheet="survey",
                row=MAX_ROWS + 1)])
        definition = get_xlsform(io.BytesIO(data), file_type=".xlsx")
    except Exception:  # openpyxl and pyxform raise many kinds on a broken workbook
        return XLSFormResult(None, None, [FieldError("file", "xlsform_not_xlsx", sheet="")])
    if not definition.survey:
        return XLSFormResult(None, None, [FieldError("sheet", "xlsform_no_survey", sheet="")])
    yes_no = _normalise(definition)
    warnings: list[str] = []
    try:
        parsed = workbook_to_json(definition, form_name="data", fallback_form_name="data",
                                  warnings=warnings)
    except (PyXFormError, ValueError, KeyError, TypeError) as exc:
        return XLSFormResult(None, None, [_pyxform_error(exc)])
    title = str(parsed.get("title") or "")[:200] or None
    if title == "data":
        title = None
    reading = _Reading(_rows_by_name(definition), set(yes_no), households, attachments or {})
    _children(reading, parsed.get("children") or [], None, False)
    if not reading.questions and not reading.errors:
        reading.errors.append(FieldError("type", "required", sheet="survey", row=2))
    form, problems = _check_form(reading)
    errors = reading.errors + problems
    if errors:
        return XLSFormResult(None, title, sorted(errors, key=lambda e: e.row or 0),
                             reading.warnings)
    return XLSFormResult(form, title, [], reading.warnings)


def _check_form(reading: _Reading) -> tuple[Form | None, list[FieldError]]:
    """The form rules over what was read, located at the rows they came from."""
    if not reading.questions:
        return None, []
    try:
        form = Form.model_validate({"questions": reading.questions, "groups": reading.groups})
    except ValidationError as exc:
        return None, [_located(e, reading.row_of) for e in exc.errors()]
    located = []
    for index, err in form_errors(form, households=reading.households):
        parts = err.field.split(".")
        row = reading.row_of[index] if parts[0] == "questions" else reading.row(
            form.groups[index].name)
        column = parts[3] if parts[2] == "xpath" and len(parts) > 3 else parts[2]
        located.append(FieldError(_COLUMNS.get(column, column), err.code, err.params,
                                  sheet="survey", row=row))
    return form, located


_COLUMNS = {"calculation": "calculation", "repeat_count": "repeat_count"}
_PYDANTIC_CODES = {"string_pattern_mismatch": "invalid", "missing": "required",
                   "string_too_long": "too_long", "string_too_short": "required"}


def _located(error: Any, row_of: list[int]) -> FieldError:
    loc = list(error["loc"])
    row = row_of[loc[1]] if len(loc) > 1 and loc[0] == "questions" and isinstance(
        loc[1], int) and loc[1] < len(row_of) else None
    column = str(loc[2]) if len(loc) > 2 else "type"
    return FieldError(column, _PYDANTIC_CODES.get(error["type"], "invalid"), sheet="survey",
                      row=row)


# --- the template --------------------------------------------------------------------------

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
    survey = Sheet("survey", ["type", "name", "label::Chinese (zh)", "label::English (en)",
                              "required", "constraint", "relevant", "fact"], _EXAMPLE_SURVEY)
    choices = Sheet("choices", ["list_name", "name", "label::Chinese (zh)", "label::English (en)"],
                    _EXAMPLE_CHOICES)
    settings = Sheet("settings", ["form_title"], [["农户基本情况调查（示例）"]])
    return xlsx_bytes([survey, choices, settings])
