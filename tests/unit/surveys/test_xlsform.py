"""XLSForm import: real workbooks written here with openpyxl, as ODK and Kobo users make them."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

from backend.surveys.rules import check_answers
from backend.surveys.xlsform import example_xlsform, read_xlsform

SURVEY_HEADER = ["type", "name", "label::Chinese (zh)", "label::English (en)", "hint::zh",
                 "required", "constraint", "constraint_message::zh", "relevant", "fact"]
EVERY_TYPE = [
    ["integer", "members", "家庭人口", "Members", "含外出务工", "yes", ". >= 1 and . <= 20",
     "1 到 20 人", "", "members"],
    ["text", "phone", "联系电话", "Phone", "", "no", "string-length(.) >= 7 and "
     "string-length(.) <= 11", "", "", "phone"],
    ["decimal", "land", "耕地（亩）", "Land (mu)", "", "", ". >= 0 and . <= 500.5", "", "", ""],
    ["date", "moved_in", "入住日期", "Moved in", "", "", ". >= date('2000-01-01')", "", "", ""],
    ["select_one housing", "housing", "住房", "Housing", "", "true()", "", "", "", "housing"],
    ["text", "housing_note", "说明", "Note", "", "yes", "", "", "${housing} = 'other'", ""],
    ["select_multiple income", "income", "收入来源", "Income", "", "", "count-selected(.) <= 2",
     "", "", ""],
    ["yes_no", "has_car", "是否有车", "Has a car", "", "yes", "", "", "", ""],
    ["integer", "cars", "车辆数", "Cars", "", "", ". > 0", "", "${has_car} = 'yes' and "
     "${members} >= 2 or selected(${income}, 'work')", ""],
    ["text", "no_aid", "未享受救助原因", "Why no aid", "", "", "", "", "not(selected(${income}, "
     "'aid'))", ""],
    ["geopoint", "spot", "位置", "Location", "", "", "", "", "", ""],
    ["image", "door", "门牌照片", "Door photo", "", "", "", "", "", ""],
]
CHOICES = [["list_name", "name", "label::Chinese (zh)", "label::English (en)"],
           ["housing", "brick", "砖混", "Brick"], ["housing", "other", "其他", "Other"],
           ["income", "farm", "务农", "Farming"], ["income", "work", "务工", "Work"],
           ["income", "aid", "救助", "Aid"]]


def workbook(survey_rows, header=SURVEY_HEADER, choices=CHOICES) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(header)
    for row in survey_rows:
        sheet.append(row)
    if choices is not None:
        ch = book.create_sheet("choices")
        for row in choices:
            ch.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def located(result):
    return [(e.sheet, e.row, e.field, e.code) for e in result.errors]


def test_every_supported_type_imports():
    result = read_xlsform(workbook(EVERY_TYPE))
    assert result.errors == []
    questions = {q.name: q for q in result.form.questions}
    assert [q.type for q in result.form.questions] == [
        "integer", "text", "decimal", "date", "select_one", "text", "select_multiple",
        "yes_no", "integer", "text", "geopoint", "photo"]
    members = questions["members"]
    assert (members.label.zh, members.label.en, members.hint.zh) == ("家庭人口", "Members",
                                                                     "含外出务工")
    assert members.required and members.fact == "members"
    # Simple shapes become the editor's bounds and conditions (messages name the bound).
    assert (members.constraint.min, members.constraint.max) == (1, 20)
    assert questions["cars"].constraint.min == 1  # ". > 0" on an integer
    cars = [[c.model_dump() for c in group] for group in questions["cars"].relevant]
    assert cars == [
        [{"q": "has_car", "op": "=", "value": True}, {"q": "members", "op": ">=", "value": 2}],
        [{"q": "income", "op": "selected", "value": "work"}],
    ]
    assert members.constraint_message.zh == "1 到 20 人"
    assert members.constraint_message.en == "1 到 20 人"  # one language serves both
    assert [c.name for c in questions["housing"].choices] == ["brick", "other"]
    assert questions["housing"].required
    # Constraints and conditions are kept as written and evaluated, never approximated.
    form = result.form.model_dump(mode="json")
    base = {"members": 3, "housing": "brick", "has_car": True}
    assert check_answers(form, {**base, "cars": 1}) == []
    codes = {e.question: e.code for e in check_answers(form, {
        **base, "members": 21, "phone": "123", "land": 500.6, "income": ["farm", "work", "aid"],
        "cars": 0})}
    assert codes == {"members": "above_max", "phone": "too_short", "land": "above_max",
                     "income": "too_many", "cars": "below_min"}
    hidden = check_answers(form, {"members": 1, "housing": "brick", "has_car": False,
                                  "cars": 1, "income": ["aid"], "no_aid": "x"})
    assert [(e.question, e.code) for e in hidden] == [("cars", "not_relevant"),
                                                     ("no_aid", "not_relevant")]


def test_an_unsupported_type_reports_its_row_and_imports_nothing():
    rows = [*EVERY_TYPE[:3], ["video", "clip", "录像", "Clip", "", "", "", "", "", ""],
            *EVERY_TYPE[3:]]
    result = read_xlsform(workbook(rows))
    assert result.form is None
    assert located(result) == [("survey", 5, "type", "xlsform_type_unanswerable")]
    assert result.errors[0].params == {"type": "video"}


def test_every_problem_of_zhucun_is_reported_at_once():
    """pyxform stops at its first refusal; what pyxform accepts and Zhucun cannot take is
    all reported together, each at its row."""
    rows = [
        ["file", "track", "轨迹", "Track", "", "", "", "", "", ""],
        ["integer", "n", "数", "N", "", "", "foo(.) > 1", "", "", ""],
        ["text", "t", "文", "T", "", "", "", "", "random() > 0.5", ""],
        ["text", "u", "文", "U", "", "", "", "", "${later} = 'x'", ""],
        ["text", "later", "后", "Later", "", "", "", "", "", ""],
    ]
    result = read_xlsform(workbook(rows))
    assert result.form is None
    assert located(result) == [
        ("survey", 2, "type", "xlsform_type_unanswerable"),
        ("survey", 3, "constraint", "xlsform_expression"),
        ("survey", 4, "relevant", "xlsform_expression"),
    ]


def test_labels_without_a_language_serve_both_and_choices_are_checked():
    header = ["type", "name", "label", "required"]
    result = read_xlsform(workbook([["select_one yn", "ok", "好吗", "yes"]], header=header,
                                   choices=[["list_name", "name", "label"], ["yn", "1", "是"],
                                            ["yn", "", "否"]]))
    assert [(e.sheet, e.code) for e in result.errors] == [("choices", "xlsform_pyxform")]
    result = read_xlsform(workbook([["select_one yn", "ok", "好吗", "yes"]], header=header,
                                   choices=[["list_name", "name", "label"], ["yn", "1", "是"],
                                            ["yn", "2", "否"]]))
    assert result.errors == [] and result.form.questions[0].label.en == "好吗"
    assert [c.name for c in result.form.questions[0].choices] == ["1", "2"]


def test_what_is_not_a_workbook_is_refused():
    assert located(read_xlsform(b"not a zip")) == [("", None, "file", "xlsform_not_xlsx")]
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/huge.xml", b"\0" * (65 * 1024 * 1024))
    assert located(read_xlsform(bomb.getvalue())) == [("", None, "file", "xlsform_not_xlsx")]
    book = Workbook()
    book.active.title = "questions"
    out = io.BytesIO()
    book.save(out)
    assert located(read_xlsform(out.getvalue())) == [("", None, "sheet", "xlsform_no_survey")]


def test_facts_need_a_household_survey():
    result = read_xlsform(workbook(EVERY_TYPE), households=False)
    assert ("survey", 2, "fact", "fact_needs_households") in located(result)


def test_the_template_imports_cleanly():
    result = read_xlsform(example_xlsform())
    assert result.errors == [] and result.title == "农户基本情况调查（示例）"
    assert {q.type for q in result.form.questions} == {
        "integer", "text", "select_one", "select_multiple", "decimal", "date", "yes_no",
        "geopoint", "photo"}


def test_expressions_beyond_the_simple_shapes_are_kept_and_evaluated():
    """A strict bound on a decimal stays strict (0.5 and 99.5 pass; 0 and 100 do not), and
    the ODK functions real forms use are kept as expressions, quotes pasted from Word too."""
    rows = [
        ["decimal", "area", "面积", "Area", "", "", ". > 0 and . < 100", "", "", ""],
        ["select_multiple crops", "crops", "作物", "Crops", "", "", "count-selected(.) <= 2",
         "", "", ""],
        ["text", "other", "其他", "Other", "", "", "regex(., '^[a-z]+$')", "",
         "selected(${crops}, \u2018x\u2019) and string-length(${area}) < 50", ""],
        ["integer", "plots", "地块", "Plots", "", "", ". <= ${area} * 10", "", "", ""],
    ]
    choices = [["crops", "x", "甲", "X"], ["crops", "y", "乙", "Y"]]
    result = read_xlsform(workbook(rows, choices=[CHOICES[0], *choices]))
    assert result.errors == []
    area, _, other, plots = result.form.questions
    assert area.constraint is None and area.xpath.constraint == ". > 0 and . < 100"
    assert other.xpath.relevant == "selected(${crops}, 'x') and string-length(${area}) < 50"
    assert plots.xpath.constraint == ". <= ${area} * 10"
    form = result.form.model_dump(mode="json")
    for value, ok in ((0.5, True), (99.5, True), (0, False), (100, False)):
        assert (check_answers(form, {"area": value}) == []) is ok, value
    assert check_answers(form, {"area": 1, "plots": 11})[0].code == "constraint"
    assert check_answers(form, {"crops": ["x"], "other": "abc"}) == []
    assert check_answers(form, {"crops": ["x"], "other": "ab1"})[0].code == "constraint"
    assert check_answers(form, {"crops": ["y"], "other": "abc"})[0].code == "not_relevant"


def test_an_expression_the_phone_cannot_evaluate_is_refused_where_it_stands():
    rows = [
        ["integer", "n", "数", "N", "", "", "digest(., 'MD5') > 1", "", "", ""],
        ["integer", "m", "数", "M", "", "", ". > count(instance('towns')/root/item)", "", "", ""],
    ]
    assert located(read_xlsform(workbook(rows))) == [
        ("survey", 2, "constraint", "xlsform_expression"),
        ("survey", 3, "constraint", "xlsform_expression"),
    ]


def test_editor_shapes_go_back_to_xlsform_unchanged():
    """Bounds (dates too), conditions and facts, as the editor writes them, survive a trip to
    Excel and back."""
    from backend.surveys.xlsform_out import write_xlsform

    for data in (workbook(EVERY_TYPE), example_xlsform()):
        form = read_xlsform(data).form
        again = read_xlsform(write_xlsform(form))
        assert again.errors == []
        assert again.form.model_dump(mode="json") == form.model_dump(mode="json")


def test_choice_name_is_kept_as_written_and_must_name_a_select():
    """``jr:choice-name`` is a function of both engines (the label in the language answered
    in), so the form keeps it as written and gives it back so; its second argument must name
    a select question, else the row is refused, located, saying how it is written."""
    header = ["type", "name", "label", "relevant", "constraint"]
    rows = [
        ["select_one housing", "housing", "住房", "", ""],
        ["text", "note_text", "说明", "jr:choice-name(${housing}, '${housing}') != ''", ""],
        ["text", "wrong", "错", "jr:choice-name(${housing}, '${note_text}') != ''", ""],
        ["text", "computed", "错", "", "jr:choice-name(., concat('/data/', 'housing')) != ''"],
    ]
    result = read_xlsform(workbook(rows, header=header))
    assert result.form is None
    assert located(result) == [("survey", 4, "relevant", "xlsform_choice_name"),
                               ("survey", 5, "constraint", "xlsform_choice_name")]
    good = read_xlsform(workbook(rows[:2], header=header))
    assert good.errors == []
    assert good.form.questions[1].xpath.relevant == (
        "jr:choice-name(${housing}, '${housing}') != ''")
