"""What the county sees of surveys: before publishing (known facts, repeated asks), progress
per village, the answers as XLSX / CSV / GeoJSON, and every survey planned per village (统筹).

Villages are listed by code, never by completion: no ranking of anyone.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import uuid
import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from backend.accounts import services as accounts
from backend.core.canonical import loads
from backend.core.clock import to_local
from backend.core.errors import FieldError, ValidationFailed
from backend.core.export import Sheet, csv_bytes, xlsx_bytes
from backend.core.i18n import Lang
from backend.core.problems import LocalisedFieldError, localise_field_error
from backend.fieldwork import services as fieldwork
from backend.geo import services as geo
from backend.policy.services import policy_for
from backend.surveys.facts import ROSTER, roster_facts
from backend.surveys.forms import Form, Question
from backend.surveys.geoshapes import geometry
from backend.surveys.rules import MEMBER_ID, repeat_of
from backend.surveys.schemas import (
    KnownFact,
    Overlap,
    PlannedSurvey,
    PlanOut,
    PreviewOut,
    ProgressOut,
    VillagePlan,
    VillageProgress,
)
from backend.surveys.services import (
    load_visible,
    problems_before_publishing,
    sees,
    visible_clause,
    working_form,
)
from backend.surveys.tables import HouseholdFact, Survey, SurveyFormVersion, SurveyResponse

if TYPE_CHECKING:
    from backend.core.scope import Scope

__all__ = [
    "days_apart",
    "export_csv",
    "export_csv_zip",
    "export_geojson",
    "export_xlsx",
    "plan",
    "preview",
    "progress",
]

#: The coordination view covers at most this long a period.
MAX_PLAN = dt.timedelta(days=400)


def days_apart(a: tuple[dt.date, dt.date], b: tuple[dt.date, dt.date]) -> int:
    """Days between two periods; 0 when they overlap."""
    return max(0, (b[0] - a[1]).days, (a[0] - b[1]).days)


def _facts_of(form_json: Any) -> set[str]:
    """The household facts a form asks: its fact questions outside rosters, and its rosters
    kept as facts."""
    form = loads(form_json) or {}
    return ({q["fact"] for q in form.get("questions", [])
             if q.get("fact") and repeat_of(form, q.get("group")) is None}
            | {r.fact for r in roster_facts(form)})


def _villages_of_scope(scope: Scope, codes: list[str]) -> list[str]:
    """Target villages the caller may see results of: all for the county's admins, their own
    townships' for a reviewer."""
    return [c for c in codes if scope.reviews_village(c, c[:6])]


async def preview(scope: Scope, survey_id: uuid.UUID, lang: Lang) -> PreviewOut:
    """Before publishing: which questions ask facts already known (and how fresh), which other
    surveys ask the same households within the county's window, and what would stop it.
    Cut to the target villages the caller reviews."""
    row = await load_visible(scope, survey_id)
    form = working_form(row)
    codes = _villages_of_scope(scope, loads(row["village_codes"]) or [])
    households = row["target"] == "households"
    known: list[KnownFact] = []
    shape = form.model_dump(mode="json")
    # (question or roster, its label, the fact, the kind of value kept)
    facts: list[tuple[str, str, str | None, str]] = [
        (q.name, q.label.zh, q.fact, q.type) for q in form.questions
             if q.fact and repeat_of(shape, q.group) is None]
    facts += [(r.repeat, _roster_label(form, r.repeat), r.fact, ROSTER)
              for r in roster_facts(shape)]
    if households and facts:
        targeted = {h["id"] for h in await fieldwork.household_rows(set(codes))}
        stored = [f for f in await HouseholdFact.select(
            HouseholdFact.household_id, HouseholdFact.fact, HouseholdFact.value_type,
            HouseholdFact.confirmed_at,
        ).where(HouseholdFact.village_code.is_in(codes or [""]),
                HouseholdFact.fact.is_in([fact for _, _, fact, _ in facts]))
            if f["household_id"] in targeted]
        for name, label, fact, kind in facts:
            times = [f["confirmed_at"] for f in stored
                     if f["fact"] == fact and f["value_type"] == kind]
            known.append(KnownFact(question=name, label=label, fact=fact or "",
                                   targeted=len(targeted), known=len(times),
                                   oldest=min(times, default=None),
                                   newest=max(times, default=None)))
    window = (await policy_for(row["county_code"], row["period_start"].year)).survey_repeat_days
    overlaps = await _overlaps(row, set(codes), window) if households else []
    return PreviewOut(known=known, overlaps=overlaps, window_days=window, problems=[
        LocalisedFieldError(**localise_field_error(e, lang))
        for e in await problems_before_publishing(row, form)])


def _roster_label(form: Form, repeat: str) -> str:
    group = next(g for g in form.groups if g.name == repeat)
    return group.label.zh if group.label else repeat


async def _overlaps(row: dict[str, Any], codes: set[str], window: int) -> list[Overlap]:
    mine = (row["period_start"], row["period_end"])
    reach = dt.timedelta(days=window)
    others = await Survey.select().where(
        Survey.county_code == row["county_code"], Survey.id != row["id"],
        Survey.target == "households",
        Survey.period_start <= row["period_end"] + reach,
        Survey.period_end >= row["period_start"] - reach,
    ).order_by(Survey.period_start)
    names = await geo.villages(codes)
    asked = _facts_of(row["form"])
    out = []
    for other in others:
        shared = sorted(set(loads(other["village_codes"]) or []) & codes)
        for code in shared:
            out.append(Overlap(
                survey_id=other["id"], title=other["title"], state=other["state"],
                village_code=code, village_name=names[code].name if code in names else code,
                period_start=other["period_start"], period_end=other["period_end"],
                days_apart=days_apart(mine, (other["period_start"], other["period_end"])),
                shared_facts=sorted(asked & _facts_of(other["form"]))))
    return sorted(out, key=lambda o: (o.village_code, o.period_start))


async def progress(scope: Scope, survey_id: uuid.UUID) -> ProgressOut:
    """Households done / targeted per village (a village survey: 1 each)."""
    row = await load_visible(scope, survey_id)
    codes = _villages_of_scope(scope, loads(row["village_codes"]) or [])
    names = await geo.villages(set(codes))
    if row["target"] == "households":
        targeted: dict[str, int] = {}
        for h in await fieldwork.household_rows(set(codes)):
            targeted[h["village_code"]] = targeted.get(h["village_code"], 0) + 1
    else:
        targeted = dict.fromkeys(codes, 1)
    done: dict[str, int] = {}
    for r in await SurveyResponse.select(SurveyResponse.village_code).where(
            SurveyResponse.survey_id == survey_id, SurveyResponse.deleted.eq(False),
            SurveyResponse.village_code.is_in(codes or [""])):
        done[r["village_code"]] = done.get(r["village_code"], 0) + 1
    villages = [VillageProgress(village_code=c, village_name=names[c].name if c in names else c,
                                targeted=targeted.get(c, 0), done=done.get(c, 0))
                for c in sorted(codes)]
    return ProgressOut(survey_id=survey_id, target=row["target"],
                       targeted=sum(v.targeted for v in villages),
                       done=sum(v.done for v in villages), villages=villages)


# --- exports -------------------------------------------------------------------------------

_FIXED = ["村代码", "村", "户编号", "户主", "调查员", "作答时间", "表单版本"]


@dataclass(frozen=True)
class _Column:
    header: str
    question: Question
    part: str | None = None  # "lat" / "lon" for a geopoint


@dataclass(frozen=True)
class _Roster:
    """A repeat's sheet: its title, columns, and the repeat it sits in (None: the response)."""

    title: str
    columns: list[_Column]
    parent: str | None
    #: Kept as a household fact in some version: each entry's lasting member id is a column.
    members: bool = False


@dataclass(frozen=True)
class _Entry:
    """One entry of a roster, with the keys that join it as ODK Central does: the response
    id, the key of the row it belongs to (the response id, or the entry of the outer roster)
    and its own key (``<response id>/members[2]/jobs[1]``)."""

    response: str
    parent: str
    key: str
    number: int
    answers: dict[str, Any]


@dataclass(frozen=True)
class _Answers:
    """The responses of a survey in the caller's scope, ready to be written."""

    title: str
    columns: list[_Column]
    fixed: list[list[Any]]
    answers: list[dict[str, Any]]
    versions: list[int]
    #: The response ids, which join a roster's sheet to its response.
    ids: list[str]
    #: Per repeat (a roster), outer repeats before the ones inside them.
    repeats: dict[str, _Roster]

    def entries(self, repeat: str) -> list[_Entry]:
        """Every entry of a roster, response by response, in the order answered."""
        parent = self.repeats[repeat].parent
        holders = ([(key, key, answers) for key, answers in zip(self.ids, self.answers,
                                                                 strict=True)]
                   if parent is None else
                   [(e.response, e.key, e.answers) for e in self.entries(parent)])
        out = []
        for response, holder, answers in holders:
            value = answers.get(repeat)
            for number, entry in enumerate(value if isinstance(value, list) else [], start=1):
                if isinstance(entry, dict):
                    out.append(_Entry(response, holder, f"{holder}/{repeat}[{number}]", number,
                                      entry))
        return out


def _repeat(form: Form, group: str | None) -> str | None:
    return repeat_of(form.model_dump(mode="json"), group)


def _columns(forms: list[Form], repeat: str | None = None) -> list[_Column]:
    """Every question of every version (outside repeats, or of one repeat), the newest
    version's order first; a geopoint is two columns (latitude, longitude); notes have none."""
    seen: dict[str, Question] = {}
    for form in reversed(forms):
        for q in form.questions:
            if q.type != "note" and _repeat(form, q.group) == repeat:
                seen.setdefault(q.name, q)
    out: list[_Column] = []
    # The sheet's own columns count as taken: a question labelled 村 does not hide the
    # village column.
    labels: dict[str, int] = dict.fromkeys(
        [*_FIXED, _KEY] if repeat is None else [_KEY, "序号", _PARENT_KEY, _ROW_KEY], 1)
    for q in seen.values():
        label = _header(q)
        labels[label] = labels.get(label, 0) + 1
        if labels[label] > 1:  # two columns with one header stay two columns
            label = f"{label}（{q.name}）"
        if q.type == "geopoint":
            out += [_Column(f"{label}（纬度）", q, "lat"), _Column(f"{label}（经度）", q, "lon")]
        else:
            out.append(_Column(label, q))
    return out


def _header(q: Question) -> str:
    """A question's column header: its label, or its name when the label holds an expression
    (``${m_name}的年龄`` reads one entry's answer, not the column's), as for a roster's sheet."""
    return q.name if _EXPRESSION.search(q.label.zh) else q.label.zh


def _cell(column: _Column, value: Any) -> Any:
    q = column.question
    if value is None:
        return None
    labels = {c.name: c.label.zh for c in q.choices or []}
    if q.type == "select_one":
        return labels.get(value, value)
    if q.type == "select_multiple":
        return "、".join(labels.get(v, v) for v in value)
    if q.type == "yes_no":
        return "是" if value else "否"
    if q.type == "geopoint":
        return value.get(column.part or "lat")
    return value


def _rosters(forms: list[Form]) -> dict[str, _Roster]:
    """Every repeat of every version, the newest version's first, an outer repeat before the
    repeats inside it (so that its entries are known first)."""
    found: dict[str, _Roster] = {}
    for form in reversed(forms):
        for group in form.groups:
            if group.repeat and group.name not in found:
                title = group.label.zh if group.label else group.name
                found[group.name] = _Roster(
                    title, _columns(forms, group.name), _repeat(form, group.parent),
                    any(g.name == group.name and g.repeat and g.fact
                        for f in forms for g in f.groups))
    ordered: dict[str, _Roster] = {}

    def place(name: str, depth: int = 0) -> None:
        roster = found[name]
        if roster.parent in found and roster.parent not in ordered and depth < len(found):
            place(roster.parent, depth + 1)
        ordered.setdefault(name, roster)

    for name in found:
        place(name)
    return ordered


async def _answers(scope: Scope, survey_id: uuid.UUID) -> _Answers:
    row = await load_visible(scope, survey_id)
    codes = _villages_of_scope(scope, loads(row["village_codes"]) or [])
    versions = await SurveyFormVersion.select().where(
        SurveyFormVersion.survey_id == survey_id).order_by(SurveyFormVersion.version)
    if not versions:
        raise ValidationFailed(errors=[FieldError("survey_id", "not_published")])
    numbers = {v["id"]: v["version"] for v in versions}
    forms = [Form.model_validate(loads(v["form"])) for v in versions]
    responses = await SurveyResponse.select().where(
        SurveyResponse.survey_id == survey_id, SurveyResponse.deleted.eq(False),
        SurveyResponse.village_code.is_in(codes or [""]))
    households = {h["id"]: h for h in await fieldwork.household_rows(
        ids={r["household_id"] for r in responses if r["household_id"]})}
    names = await geo.villages(set(codes))
    cadres = await accounts.user_names({r["owner_id"] for r in responses})

    def order(r: dict[str, Any]) -> tuple[str, str, str]:
        h = households.get(r["household_id"])
        return (r["village_code"], h["group_name"] if h else "", h["external_id"] if h else "")

    responses.sort(key=order)
    fixed = []
    for r in responses:
        h = households.get(r["household_id"])
        fixed.append([
            r["village_code"], names[r["village_code"]].name if r["village_code"] in names else "",
            h["external_id"] if h else "", h["head_name"] if h else "",
            cadres.get(r["owner_id"], ""),
            to_local(r["answered_at"]).strftime("%Y-%m-%d %H:%M"),
            numbers.get(r["form_version_id"]),
        ])
    return _Answers(row["title"], _columns(forms), fixed,
                    [loads(r["answers"]) or {} for r in responses],
                    [numbers.get(r["form_version_id"], 0) for r in responses],
                    [str(r["id"]) for r in responses], _rosters(forms))


def _table(data: _Answers) -> list[list[Any]]:
    return [fixed + [_cell(c, answers.get(c.question.name)) for c in data.columns] + [key]
            for fixed, answers, key in zip(data.fixed, data.answers, data.ids, strict=True)]


_KEY = "答卷编号"
#: A roster's sheet: the response id and the entry's number first, then its answers, then
#: the keys that join it (ODK Central's PARENT_KEY and KEY).
_PARENT_KEY, _ROW_KEY = "上级编号", "编号"
#: A roster kept as a household fact: the member's lasting id, last.
_MEMBER = "成员编号"
#: What Excel refuses in a sheet name (and control characters); at most 31 characters.
_SHEET_NAME = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")
_SHEET_MAX = 31
#: An expression in a label (``${m_name}的工作``): it names one entry, not the sheet.
_EXPRESSION = re.compile(r"\$\{[^}]*\}")


def _roster_header(roster: _Roster) -> list[str]:
    return ([_KEY, "序号"] + [c.header for c in roster.columns] + [_PARENT_KEY, _ROW_KEY]
            + ([_MEMBER] if roster.members else []))


def _roster_rows(data: _Answers, repeat: str) -> list[list[Any]]:
    """One row an entry of the roster, joined to its response and to the row it belongs to;
    a roster kept as a fact adds each member's lasting id (the same member across surveys)."""
    roster = data.repeats[repeat]
    return [[e.response, e.number]
            + [_cell(c, e.answers.get(c.question.name)) for c in roster.columns]
            + [e.parent, e.key] + ([e.answers.get(MEMBER_ID)] if roster.members else [])
            for e in data.entries(repeat)]


def _sheet_title(title: str, repeat: str) -> str:
    """A roster's sheet name before it is made unique: its label, or its name (as ODK Central
    and Kobo name a repeat's sheet) when the label holds an expression; without what Excel
    refuses, spaces run together, no apostrophe at either end, at most 31 characters."""
    text = repeat if _EXPRESSION.search(title) else title
    text = " ".join(_SHEET_NAME.sub(" ", text).split()).strip("'").strip()
    return text[:_SHEET_MAX].rstrip("'").strip() or repeat[:_SHEET_MAX]


def _sheet_names(data: _Answers) -> dict[str, str]:
    """A sheet (or CSV file) name per roster (``_sheet_title``), unique as Excel compares
    them (ignoring case; ``History`` is Excel's own): a second one gains ``_2``."""
    used = {"答卷", "history"}
    out = {}
    for repeat, roster in data.repeats.items():
        base = _sheet_title(roster.title, repeat)
        name, number = base, 1
        while name.casefold() in used:
            number += 1
            suffix = f"_{number}"
            name = base[:_SHEET_MAX - len(suffix)] + suffix
        used.add(name.casefold())
        out[repeat] = name
    return out


async def export_xlsx(scope: Scope, survey_id: uuid.UUID) -> bytes:
    """Sheet 答卷: one row a household (or village), Chinese headers, the response id last;
    then a sheet per roster (repeat, nested ones too), one row an entry, joined by that id
    and by the key of the row it belongs to (as ODK Central and Kobo export them)."""
    data = await _answers(scope, survey_id)
    sheets = [Sheet("答卷", _FIXED + [c.header for c in data.columns] + [_KEY], _table(data))]
    for repeat, name in _sheet_names(data).items():
        sheets.append(Sheet(name, _roster_header(data.repeats[repeat]),
                            _roster_rows(data, repeat)))
    return xlsx_bytes(sheets, title=data.title)


def _csv(header: list[str], rows: list[list[Any]]) -> bytes:
    return csv_bytes(Sheet("", header, rows))


async def export_csv(scope: Scope, survey_id: uuid.UUID) -> bytes:
    """The same table as CSV, UTF-8 with a BOM so that Excel opens the Chinese headers."""
    data = await _answers(scope, survey_id)
    return _csv(_FIXED + [c.header for c in data.columns] + [_KEY], _table(data))


async def export_csv_zip(scope: Scope, survey_id: uuid.UUID) -> bytes:
    """A zip of CSVs, as ODK Central gives them: 答卷.csv, and one CSV per roster joined by
    the response id and the key of the row it belongs to."""
    data = await _answers(scope, survey_id)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("答卷.csv", _csv(_FIXED + [c.header for c in data.columns] + [_KEY],
                                          _table(data)))
        for repeat, name in _sheet_names(data).items():
            archive.writestr(f"{name}.csv", _csv(_roster_header(data.repeats[repeat]),
                                                 _roster_rows(data, repeat)))
    return out.getvalue()


_PLACES = {"geopoint", "geotrace", "geoshape"}


def _geometry(question: Question, value: Any) -> dict[str, Any] | None:
    if question.type == "geopoint":
        if not isinstance(value, dict):
            return None
        return {"type": "Point", "coordinates": [value["lon"], value["lat"]]}
    return geometry(question.type, value)


def _features(columns: list[_Column], answers: dict[str, Any],
              properties: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for column in columns:
        q = column.question
        if q.type not in _PLACES or column.part == "lon":
            continue
        value = answers.get(q.name)
        shape = _geometry(q, value)
        if shape is None:
            continue
        extra = ({"精度（米）": value.get("accuracy_m")}
                 if q.type == "geopoint" and isinstance(value, dict) else {})
        out.append({"type": "Feature", "geometry": shape,
                    "properties": {**properties, "问题": _header(q), **extra}})
    return out


async def export_geojson(scope: Scope, survey_id: uuid.UUID) -> bytes:
    """A feature a place answered: a geopoint as a Point, a geotrace as a LineString, a
    geoshape as a Polygon, with the household, the question in Chinese and the response id;
    a roster's places too, with the key of their entry."""
    data = await _answers(scope, survey_id)
    features = []
    for fixed, answers, key in zip(data.fixed, data.answers, data.ids, strict=True):
        features += _features(data.columns, answers,
                              {**dict(zip(_FIXED, fixed, strict=True)), _KEY: key})
    by_id = dict(zip(data.ids, data.fixed, strict=True))
    for repeat, roster in data.repeats.items():
        for entry in data.entries(repeat):
            features += _features(roster.columns, entry.answers, {
                **dict(zip(_FIXED, by_id[entry.response], strict=True)), _KEY: entry.response,
                _PARENT_KEY: entry.parent, _ROW_KEY: entry.key})
    return json.dumps({"type": "FeatureCollection", "name": data.title, "features": features},
                      ensure_ascii=False).encode("utf-8")


# --- coordination --------------------------------------------------------------------------


async def plan(scope: Scope, start: dt.date, end: dt.date) -> PlanOut:
    """统筹: for every village in scope, every survey whose period meets [start, end]."""
    if end < start or end - start > MAX_PLAN:
        raise ValidationFailed(errors=[FieldError("end", "invalid")])
    rows = [r for r in await Survey.select().where(
        visible_clause(scope), Survey.period_start <= end, Survey.period_end >= start,
    ).order_by(Survey.period_start) if sees(scope, r)]
    by_village: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        for code in loads(r["village_codes"]) or []:
            by_village.setdefault(code, []).append(r)
    visible = set(_villages_of_scope(scope, sorted(by_village)))
    names = await geo.villages(visible)
    window = {c: (await policy_for(c, start.year)).survey_repeat_days
              for c in {code[:6] for code in visible}}
    out = []
    for code in sorted(visible):
        surveys = by_village[code]
        asks = [(s["period_start"], s["period_end"]) for s in surveys
                if s["target"] == "households"]
        repeated = any(days_apart(a, b) <= window[code[:6]]
                       for i, a in enumerate(asks) for b in asks[i + 1:])
        out.append(VillagePlan(
            village_code=code, village_name=names[code].name if code in names else code,
            repeated=repeated, surveys=[PlannedSurvey(
                survey_id=s["id"], title=s["title"], state=s["state"], target=s["target"],
                period_start=s["period_start"], period_end=s["period_end"]) for s in surveys]))
    return PlanOut(start=start, end=end, villages=out)
