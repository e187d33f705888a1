"""A form written back as an XLSForm: what ``xlsform.py`` reads in gives the same form again
(a county can take an imported or edited form back to Excel, or to ODK and Kobo).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backend.core.export import Sheet, xlsx_bytes
from backend.surveys.forms import Condition, Form, Group, Label, Question

__all__ = ["write_xlsform"]

_TYPES = {"select_one": "select_one", "select_multiple": "select_multiple", "photo": "image",
          "datetime": "dateTime"}
_OPS = {"=", "!=", ">", ">=", "<", "<="}
_BOUND_OPS = {"min": ">=", "max": "<=", "min_length": ">=", "max_length": "<=",
              "min_count": ">=", "max_count": "<="}
_SUBJECT = {"min": ".", "max": ".", "min_length": "string-length(.)",
            "max_length": "string-length(.)", "min_count": "count-selected(.)",
            "max_count": "count-selected(.)"}
_LABELLED = ("label", "hint", "constraint_message", "required_message")


def _literal(value: Any, kind: str) -> str:
    if isinstance(value, bool):
        return "'yes'" if value else "'no'"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    if kind == "date":
        return f"date('{value}')"
    return "'" + str(value).replace("'", "’") + "'"


def _condition(cond: Condition, types: Mapping[str, str]) -> str:
    kind = types.get(cond.q, "text")
    if cond.op == "selected":
        return f"selected(${{{cond.q}}}, '{cond.value}')"
    if cond.op == "not_selected":
        return f"not(selected(${{{cond.q}}}, '{cond.value}'))"
    return f"${{{cond.q}}} {cond.op} {_literal(cond.value, kind)}"


def _relevant(q: Question, types: Mapping[str, str]) -> str:
    parts = []
    if q.relevant:
        parts.append(" or ".join(" and ".join(_condition(c, types) for c in group)
                                 for group in q.relevant))
    if q.xpath and q.xpath.relevant:
        parts.append(q.xpath.relevant)
    return " and ".join(f"({p})" if len(parts) > 1 else p for p in parts)


def _constraint(q: Question) -> str:
    parts = []
    if q.constraint:
        for key, value in q.constraint.model_dump().items():
            if value is not None:
                parts.append(f"{_SUBJECT[key]} {_BOUND_OPS[key]} {_literal(value, q.type)}")
    if q.xpath and q.xpath.constraint:
        parts.append(q.xpath.constraint if not parts else f"({q.xpath.constraint})")
    return " and ".join(parts)


def _languages(form: Form) -> list[str]:
    seen: dict[str, None] = {"zh": None, "en": None}
    labels: list[Label | None] = []
    for q in form.questions:
        labels += [q.label, q.hint, q.constraint_message, q.required_message]
        labels += [c.label for c in q.choices or []]
    labels += [g.label for g in form.groups]
    for label in labels:
        for key in (label.model_extra or {}) if label else {}:
            seen.setdefault(key, None)
    return list(seen)


def _column(base: str, lang: str) -> str:
    return f"{base}::{ {'zh': 'Chinese (zh)', 'en': 'English (en)'}.get(lang, lang)}"


def _texts(label: Label | None, languages: list[str]) -> list[str]:
    if label is None:
        return [""] * len(languages)
    values = label.model_dump()
    return [str(values.get(lang) or "") for lang in languages]


def write_xlsform(form: Form, title: str | None = None) -> bytes:
    """The form as an ``.xlsx`` XLSForm (survey, choices and settings sheets)."""
    languages = _languages(form)
    header = ["type", "name"]
    for base in _LABELLED:
        header += [_column(base, lang) for lang in languages]
    header += ["required", "relevant", "constraint", "calculation", "choice_filter", "default",
               "appearance", "read_only", "parameters", "repeat_count", "fact"]
    lists: dict[str, list[Any]] = {}
    filters: list[str] = []
    types = {q.name: q.type for q in form.questions}
    survey = Sheet("survey", header, _rows(form, languages, types, lists, filters))
    choices = Sheet(
        "choices",
        ["list_name", "name", *(_column("label", lang) for lang in languages), *filters],
        [[list_name, choice.name, *_texts(choice.label, languages),
          *((choice.filters or {}).get(f, "") for f in filters)]
         for list_name, items in lists.items() for choice in items],
    )
    return xlsx_bytes([survey, choices, Sheet("settings", ["form_title"], [[title or "form"]])])


def _rows(form: Form, languages: list[str], types: Mapping[str, str],
          lists: dict[str, list[Any]], filters: list[str]) -> list[list[Any]]:
    groups = {g.name: g for g in form.groups}
    rows: list[list[Any]] = []
    open_groups: list[str] = []

    def chain(name: str | None) -> list[str]:
        out: list[str] = []
        while name and name in groups and name not in out:
            out.insert(0, name)
            name = groups[name].parent
        return out

    def begin(group: Group) -> None:
        kind = "begin repeat" if group.repeat else "begin group"
        cells = {"relevant": group.xpath.relevant if group.xpath else None,
                 "appearance": group.appearance,
                 "repeat_count": group.xpath.repeat_count if group.xpath else None,
                 "fact": group.fact}
        rows.append(_row(kind, group.name, [group.label, None, None, None], languages, cells))

    for q in form.questions:
        wanted = chain(q.group)
        while open_groups and open_groups != wanted[:len(open_groups)]:
            closing = groups[open_groups.pop()]
            rows.append(["end repeat" if closing.repeat else "end group"])
        for name in wanted[len(open_groups):]:
            begin(groups[name])
            open_groups.append(name)
        rows.append(_question_row(q, languages, types, lists, filters))
    while open_groups:
        closing = groups[open_groups.pop()]
        rows.append(["end repeat" if closing.repeat else "end group"])
    return rows


def _question_row(q: Question, languages: list[str], types: Mapping[str, str],
                  lists: dict[str, list[Any]], filters: list[str]) -> list[Any]:
    kind = _TYPES.get(q.type, q.type)
    if q.choices is not None:
        list_name = f"{q.name}_choices"
        lists[list_name] = q.choices
        for choice in q.choices:
            for key in choice.filters or {}:
                if key not in filters:
                    filters.append(key)
        kind = f"{kind} {list_name}"
    expressions = q.xpath
    required = "yes" if q.required else (expressions.required if expressions and
                                         expressions.required else "")
    cells = {
        "required": required, "relevant": _relevant(q, types), "constraint": _constraint(q),
        "calculation": expressions.calculation if expressions else None,
        "choice_filter": expressions.choice_filter if expressions else None,
        "default": q.default, "appearance": q.appearance,
        "read_only": "yes" if q.read_only else "",
        "parameters": (f"start={_number(q.range.start)} end={_number(q.range.end)} "
                       f"step={_number(q.range.step)}") if q.range else "",
        "fact": q.fact,
    }
    return _row(kind, q.name, [q.label, q.hint, q.constraint_message, q.required_message],
                languages, cells)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _row(kind: str, name: str, labels: list[Label | None], languages: list[str],
         cells: dict[str, Any]) -> list[Any]:
    row: list[Any] = [kind, name]
    for label in labels:
        row += _texts(label, languages)
    row += [cells.get(k) or "" for k in ("required", "relevant", "constraint", "calculation",
                                          "choice_filter", "default", "appearance",
                                          "read_only", "parameters", "repeat_count", "fact")]
    return row
