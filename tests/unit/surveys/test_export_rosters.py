"""A roster's rows in the exports, joined as ODK Central joins them: the response id, the key
of the row an entry belongs to (the response, or the outer roster's entry) and its own key —
also for a roster inside a roster, so the export is ready for nested repeats."""

from __future__ import annotations

from backend.surveys.forms import Question
from backend.surveys.results import _Answers, _Column, _Roster, _roster_header, _roster_rows


def _q(name: str, kind: str = "text") -> Question:
    return Question.model_validate({"name": name, "type": kind,
                                    "label": {"zh": name, "en": name}})


def test_entries_of_an_inner_roster_name_their_outer_entry():
    members = _Roster("成员", [_Column("姓名", _q("member"))], None)
    jobs = _Roster("工作", [_Column("工作", _q("job"))], "members")
    data = _Answers(
        title="t", columns=[], fixed=[[], []], versions=[1, 1], ids=["r1", "r2"],
        answers=[{"members": [{"member": "甲", "jobs": [{"job": "务农"}, {"job": "务工"}]},
                              {"member": "乙"}]},
                 {"members": [{"member": "丙", "jobs": [{"job": "教师"}]}]}],
        repeats={"members": members, "jobs": jobs})
    assert _roster_header(jobs) == ["答卷编号", "序号", "工作", "上级编号", "编号"]
    assert _roster_rows(data, "members") == [
        ["r1", 1, "甲", "r1", "r1/members[1]"], ["r1", 2, "乙", "r1", "r1/members[2]"],
        ["r2", 1, "丙", "r2", "r2/members[1]"]]
    assert _roster_rows(data, "jobs") == [
        ["r1", 1, "务农", "r1/members[1]", "r1/members[1]/jobs[1]"],
        ["r1", 2, "务工", "r1/members[1]", "r1/members[1]/jobs[2]"],
        ["r2", 1, "教师", "r2/members[1]", "r2/members[1]/jobs[1]"]]


def test_an_outer_roster_comes_before_the_roster_inside_it():
    from backend.surveys.forms import Form
    from backend.surveys.results import _rosters

    form = Form.model_validate({
        "groups": [{"name": "jobs", "repeat": True, "parent": "work"},
                   {"name": "work", "parent": "members"},
                   {"name": "members", "repeat": True, "label": {"zh": "成员", "en": "M"}}],
        "questions": [{"name": "member", "type": "text", "label": {"zh": "姓名", "en": "N"},
                       "group": "members"},
                      {"name": "job", "type": "text", "label": {"zh": "工作", "en": "J"},
                       "group": "jobs"}]})
    rosters = _rosters([form])
    assert list(rosters) == ["members", "jobs"]
    assert (rosters["jobs"].parent, rosters["members"].parent) == ("members", None)
    assert [c.header for c in rosters["jobs"].columns] == ["工作"]


def test_a_rosters_sheet_name_is_valid_unique_and_sensible():
    """A label holding an expression names one entry (``${m_name}的工作``), so the sheet takes
    the repeat's name, as ODK Central and Kobo name it; what Excel refuses is dropped, names
    are unique as Excel compares them (ignoring case, ``History`` its own) and at most 31
    characters, and the workbook opens with them."""
    import io

    from openpyxl import load_workbook

    from backend.core.export import Sheet, xlsx_bytes
    from backend.surveys.results import _sheet_names

    titles = {
        "jobs": "${m_name}的工作", "members": "家庭成员", "members_b": "家庭成员",
        "Pets": "PETS", "pets": "pets", "marks": "a[b]:c*d?e/f\\g\n", "quoted": "'引号'",
        "long": "很长的名字" * 8, "long_b": "很长的名字" * 8, "history": "History",
        "answers": "答卷", "blank": "${a} ${b}", "only_bad": "[]:*?",
    }
    data = _Answers(title="t", columns=[], fixed=[], versions=[], ids=[], answers=[],
                    repeats={k: _Roster(v, [], None) for k, v in titles.items()})
    names = _sheet_names(data)
    assert names == {
        "jobs": "jobs", "members": "家庭成员", "members_b": "家庭成员_2", "Pets": "PETS",
        "pets": "pets_2", "marks": "a b c d e f g", "quoted": "引号",
        "long": ("很长的名字" * 7)[:31], "long_b": ("很长的名字" * 7)[:29] + "_2",
        "history": "History_2", "answers": "答卷_2", "blank": "blank", "only_bad": "only_bad",
    }
    book = load_workbook(io.BytesIO(xlsx_bytes(
        [Sheet("答卷", ["x"], [])] + [Sheet(n, ["x"], []) for n in names.values()])))
    assert book.sheetnames == ["答卷", *names.values()]


def test_a_label_holding_an_expression_gives_its_column_the_questions_name():
    """``${m_name}的年龄`` reads one member's name, so as a column header it would show the raw
    expression: the column takes the question's name, as the roster's sheet does; the
    name still yields to a fixed column or a second column of that header."""
    from backend.surveys.forms import Form
    from backend.surveys.results import _columns

    form = Form.model_validate({
        "groups": [{"name": "members", "repeat": True, "label": {"zh": "成员", "en": "M"}}],
        "questions": [
            {"name": "m_name", "type": "text", "label": {"zh": "姓名", "en": "Name"},
             "group": "members"},
            {"name": "m_age", "type": "integer", "group": "members",
             "label": {"zh": "${m_name}的年龄", "en": "Age of ${m_name}"}},
            {"name": "m_home", "type": "geopoint", "group": "members",
             "label": {"zh": "${m_name}的住处", "en": "Home of ${m_name}"}}]})
    assert [c.header for c in _columns([form], "members")] == [
        "姓名", "m_age", "m_home（纬度）", "m_home（经度）"]
