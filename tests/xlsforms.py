"""XLSForms written for the tests, each in the shape of a kind of form ODK and Kobo users
publish (written here, not copied): a household census with a member roster, inspections,
mapping, cascades, Kobo's default shape, old header spellings, three languages…

``FORMS`` maps a name to a ``Sample``: the workbook's sheets, answers that keep every rule
(``good``) and answers with the errors they must give (``bad``). ``workbook(sample)`` writes
the ``.xlsx`` with openpyxl.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook

S = ["type", "name", "label::Chinese (zh)", "label::English (en)", "required", "relevant",
     "constraint", "calculation", "appearance"]
C = ["list_name", "name", "label::Chinese (zh)", "label::English (en)"]
META = [["start", "start"], ["end", "end"], ["today", "today"], ["deviceid", "deviceid"],
        ["username", "username"]]
META_ANSWERS = {"start": "2026-12-03T09:00:00.000+08:00",
                "end": "2026-12-03T09:20:00.000+08:00", "today": "2026-12-03",
                "deviceid": "zhucun:5f2c", "username": "cadre1"}


@dataclass
class Sample:
    sheets: dict[str, list[list[Any]]]
    good: dict[str, Any]
    bad: list[tuple[dict[str, Any], list[tuple[str, str]]]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: Files attached to the form (the CSV of a ``select_one_from_file``), by file name.
    files: dict[str, bytes] = field(default_factory=dict)


def workbook(sample: Sample) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sample.sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _yes_no() -> list[list[str]]:
    return [["yes_no", "yes", "是", "Yes"], ["yes_no", "no", "否", "No"]]


# --- 1. household census with groups, a member roster, a cascade, notes, calculations ------

HOUSEHOLD = Sample(
    sheets={
        "survey": [
            S,
            *META,
            ["note", "intro", "请逐户核实", "Check each household in person"],
            ["begin group", "where", "位置", "Where", "", "", "", "", "field-list"],
            ["select_one township", "township", "乡镇", "Township", "yes"],
            ["select_one village", "village", "村", "Village", "yes"],
            ["end group"],
            ["begin group", "household", "户情况", "Household"],
            ["text", "head", "户主姓名", "Head of household", "yes", "", "string-length(.) >= 2"],
            ["integer", "size", "家庭人口", "Household size", "yes", "", ". >= 1 and . <= 20"],
            ["select_one housing", "housing", "住房", "Housing", "yes"],
            ["text", "housing_other", "其他住房", "Other housing", "yes",
             "${housing} = 'other'"],
            ["date", "visit_date", "走访日期", "Visit date"],
            ["end group"],
            ["begin repeat", "members", "家庭成员", "Members", "", "", "", "", ""],
            ["text", "member_name", "姓名", "Name", "yes"],
            ["integer", "age", "年龄", "Age", "yes", "", ". >= 0 and . < 120"],
            ["select_one sex", "sex", "性别", "Sex", "yes"],
            # A label naming the member's own answer (ODK's output value).
            ["select_one yes_no", "in_school", "${member_name}是否在校",
             "Is ${member_name} in school", "yes", "${age} >= 6 and ${age} <= 18"],
            ["calculate", "is_adult", "", "", "", "", "", "if(${age} >= 18, 1, 0)"],
            ["end repeat"],
            ["calculate", "n_members", "", "", "", "", "", "count(${members})"],
            ["calculate", "n_adults", "", "", "", "", "", "sum(${is_adult})"],
            ["note", "summary", "共 ${n_members} 人，成人 ${n_adults} 人",
             "${n_members} members, ${n_adults} adults"],
            ["select_one yes_no", "size_ok", "人数与成员数一致吗", "Size matches the roster", "yes",
             "", ". = 'yes' or ${n_members} != ${size}"],
        ],
        "choices": [
            C,
            ["township", "t1", "城关镇", "Chengguan"], ["township", "t2", "河西乡", "Hexi"],
            ["village", "v11", "东村", "East village", "t1"],
            ["village", "v12", "西村", "West village", "t1"],
            ["village", "v21", "河口村", "Hekou", "t2"],
            ["housing", "brick", "砖混", "Brick"], ["housing", "wood", "木结构", "Wood"],
            ["housing", "other", "其他", "Other"],
            ["sex", "f", "女", "Female"], ["sex", "m", "男", "Male"],
            *_yes_no(),
        ],
        "settings": [["form_title", "form_id"], ["农户普查", "household_census"]],
    },
    good={**META_ANSWERS, "township": "t1", "village": "v12", "head": "王秀英", "size": 3,
          "housing": "brick",
          "members": [{"member_name": "王秀英", "age": 46, "sex": "f"},
                      {"member_name": "李强", "age": 48, "sex": "m"},
                      {"member_name": "李小明", "age": 12, "sex": "m", "in_school": "yes"}],
          "size_ok": "yes"},
    bad=[({**META_ANSWERS, "township": "t1", "village": "v21", "head": "王", "size": 2,
           "housing": "other", "members": [{"member_name": "A", "age": 130, "sex": "f",
                                            "in_school": "yes"}], "size_ok": "yes"},
          # v21 is a village of the other township: the cascade refuses it.
          [("village", "filtered_choice"), ("head", "too_short"), ("housing_other", "required"),
           ("members.0.age", "constraint"), ("members.0.in_school", "not_relevant")])],
)
# The village list is filtered by the township column of the choices sheet.
HOUSEHOLD.sheets["choices"][0] = [*C, "township"]
HOUSEHOLD.sheets["survey"][0] = [*S, "choice_filter", "default"]
for _row in HOUSEHOLD.sheets["survey"]:
    if _row[:2] == ["select_one village", "village"]:
        _row += ["", "", "", "", "township = ${township}"]
    if _row[:2] == ["date", "visit_date"]:  # a default written as an expression
        _row += ["", "", "", "", "", "", "today()"]


# --- 2. water point inspection -----------------------------------------------------------

WATER_POINT = Sample(
    sheets={
        "survey": [
            S,
            ["today", "today"],
            ["select_one source", "source", "水源类型", "Water source", "yes"],
            ["geopoint", "location", "位置", "Location"],
            ["select_one status", "status", "运行状态", "Functional status", "yes"],
            ["select_multiple problems", "problems", "问题", "Problems", "yes",
             "${status} != 'working'", "count-selected(.) <= 3"],
            ["date", "last_repair", "上次维修", "Last repair", "", "${status} != 'working'",
             ". <= today()"],
            ["decimal", "yield_lpm", "出水量（升/分）", "Yield (l/min)", "", "",
             ". > 0 and . < 500"],
            ["image", "photo", "照片", "Photo"],
            ["text", "notes", "备注", "Notes", "", "", "", "", "multiline"],
        ],
        "choices": [
            C,
            ["source", "well", "水井", "Well"], ["source", "spring", "泉水", "Spring"],
            ["source", "tap", "自来水", "Tap"],
            ["status", "working", "正常", "Working"], ["status", "partly", "部分", "Partly"],
            ["status", "broken", "损坏", "Broken"],
            ["problems", "pump", "水泵", "Pump"], ["problems", "pipe", "管道", "Pipe"],
            ["problems", "quality", "水质", "Quality"], ["problems", "dry", "干涸", "Dry"],
        ],
    },
    good={"today": "2026-12-03", "source": "well",
          "location": {"lat": 29.65, "lon": 91.1, "accuracy_m": 8},
          "status": "broken", "problems": ["pump", "pipe"], "last_repair": "2026-05-01",
          "yield_lpm": 0.5, "photo": "a" * 64},
    bad=[({"source": "well", "status": "broken", "problems": ["pump", "pipe", "quality", "dry"],
           "last_repair": "2027-01-01", "yield_lpm": 0},
          [("problems", "too_many"), ("last_repair", "constraint"), ("yield_lpm",
           "constraint")])],
)


# --- 3. health facility assessment -------------------------------------------------------

FACILITY = Sample(
    sheets={
        "survey": [
            [*S, "constraint_message::Chinese (zh)", "constraint_message::English (en)"],
            ["begin_group", "staffing", "人员", "Staffing", "", "", "", "", "field-list"],
            ["integer", "doctors", "医生", "Doctors", "yes", "", ". >= 0"],
            ["integer", "nurses", "护士", "Nurses", "yes", "", ". >= 0"],
            ["integer", "staff_total", "总人数", "All staff", "yes", "",
             ". >= ${doctors} + ${nurses}", "", "", "不少于医生与护士之和",
             "At least doctors plus nurses"],
            ["end_group"],
            ["select_multiple services", "services", "服务", "Services", "yes", "",
             "count-selected(.) >= 1"],
            ["integer", "beds", "床位", "Beds", "yes", "selected(${services}, 'inpatient')"],
            ["calculate", "beds_per_nurse", "", "", "", "", "", "round(${beds} div ${nurses}, 1)"],
            ["note", "ratio", "每名护士 ${beds_per_nurse} 张床", "${beds_per_nurse} beds a nurse"],
        ],
        "choices": [
            C, ["services", "outpatient", "门诊", "Outpatient"],
            ["services", "inpatient", "住院", "Inpatient"],
            ["services", "maternity", "产科", "Maternity"],
        ],
    },
    good={"doctors": 2, "nurses": 4, "staff_total": 9, "services": ["outpatient", "inpatient"],
          "beds": 10},
    bad=[({"doctors": 2, "nurses": 4, "staff_total": 5, "services": ["outpatient"], "beds": 3},
          [("staff_total", "constraint"), ("beds", "not_relevant")])],
)


# --- 4. mapping form with metadata ----------------------------------------------------------

MAPPING = Sample(
    sheets={
        "survey": [
            S, *META,
            ["select_one feature", "feature", "地物", "Feature", "yes"],
            ["geopoint", "point", "位置", "Point", "yes", "", "", "", "maps"],
            ["barcode", "tag", "编号牌", "Tag", "", "", "regex(., '^[A-Z]{2}[0-9]{4}$')"],
            ["image", "picture", "照片", "Picture"],
            ["text", "name", "名称", "Name"],
        ],
        "choices": [C, ["feature", "bridge", "桥", "Bridge"], ["feature", "road", "路", "Road"],
                    ["feature", "school", "学校", "School"]],
    },
    good={**META_ANSWERS, "feature": "bridge", "point": {"lat": 30.1, "lon": 104.2},
          "tag": "QB0042", "name": "东桥"},
    bad=[({**META_ANSWERS, "feature": "bridge", "point": {"lat": 30.1, "lon": 104.2},
           "tag": "qb42", "end": "yesterday"},
          [("end", "not_datetime"), ("tag", "constraint")])],
    warnings=["maps"],
)


# --- 5. cascading location form (four levels) ---------------------------------------------

CASCADE = Sample(
    sheets={
        "survey": [
            [*S, "choice_filter"],
            ["select_one province", "province", "省", "Province", "yes"],
            ["select_one city", "city", "市", "City", "yes", "", "", "", "",
             "province=${province}"],
            ["select_one county", "county", "县", "County", "yes", "", "", "", "",
             "province=${province} and city=${city}"],
            ["select_one township", "township", "乡镇", "Township", "yes", "", "", "", "minimal",
             "county=${county}"],
        ],
        "choices": [
            [*C, "province", "city", "county"],
            ["province", "p54", "西藏", "Tibet"], ["province", "p65", "新疆", "Xinjiang"],
            ["city", "c5401", "拉萨", "Lhasa", "p54"],
            ["city", "c6501", "乌鲁木齐", "Urumqi", "p65"],
            ["county", "k540102", "城关区", "Chengguan", "p54", "c5401"],
            ["county", "k650102", "天山区", "Tianshan", "p65", "c6501"],
            ["township", "t1", "八廓街道", "Barkhor", "", "", "k540102"],
            ["township", "t2", "燕儿窝街道", "Yan'erwo", "", "", "k650102"],
        ],
    },
    good={"province": "p54", "city": "c5401", "county": "k540102", "township": "t1"},
)


# --- 6. Kobo's default shape ----------------------------------------------------------------

KOBO = Sample(
    sheets={
        "survey": [
            ["type", "name", "label", "required", "relevant", "hint"],
            ["start", "start"], ["end", "end"],
            ["text", "respondent", "Respondent name", "true"],
            ["select_one yes_no", "consent", "Do you agree to take part?", "true"],
            ["integer", "age", "Age in years", "true", "${consent} = 'yes'", "In whole years"],
            ["select_one gender", "gender", "Gender", "false", "${consent} = 'yes'"],
        ],
        "choices": [["list_name", "name", "label"], ["yes_no", "yes", "Yes"],
                    ["yes_no", "no", "No"], ["gender", "female", "Female"],
                    ["gender", "male", "Male"]],
        "settings": [["form_title", "version"], ["Kobo default", "2026120301"]],
    },
    good={"start": META_ANSWERS["start"], "end": META_ANSWERS["end"], "respondent": "Ama",
          "consent": "yes", "age": 34},
    bad=[({"respondent": "Ama", "consent": "no", "age": 34}, [("age", "not_relevant")])],
)


# --- 7. old header spellings, a SURVEY sheet in capitals -----------------------------------

OLD_HEADERS = Sample(
    sheets={
        "SURVEY": [
            ["type", "name", "label:English", "label:Chinese", "hint:English", "required",
             "constraint", "constraint_message:English"],
            ["integer", "plots", "Plots", "地块数", "All plots", "yes", ". <= 30",
             "At most 30"],
            ["select_one crop", "crop", "Main crop", "主要作物", "", "yes"],
        ],
        "Choices": [["list name", "name", "label:English", "label:Chinese"],
                    ["crop", "rice", "Rice", "水稻"], ["crop", "maize", "Maize", "玉米"]],
    },
    good={"plots": 4, "crop": "maize"},
    bad=[({"plots": 31, "crop": "maize"}, [("plots", "above_max")])],
)


# --- 8–10. three or more languages ------------------------------------------------------------

UYGHUR = Sample(
    sheets={
        "survey": [
            ["type", "name", "label::Chinese (zh)", "label::English (en)", "label::ug",
             "required"],
            ["text", "head", "户主", "Head", "ئائىلە باشلىقى", "yes"],
            ["select_one water", "water", "饮用水", "Drinking water", "ئىچىدىغان سۇ", "yes"],
        ],
        "choices": [["list_name", "name", "label::Chinese (zh)", "label::English (en)",
                     "label::ug"],
                    ["water", "tap", "自来水", "Tap", "تۇرۇبا سۈيى"],
                    ["water", "well", "井水", "Well", "قۇدۇق سۈيى"]],
    },
    good={"head": "ئەخمەت", "water": "tap"},
)

TIBETAN = Sample(
    sheets={
        "survey": [
            ["type", "name", "label::Chinese (zh)", "label::Tibetan (bo)", "label::Mongolian (mn)",
             "required"],
            ["integer", "yaks", "牦牛头数", "གཡག་གི་གྲངས།", "сарлагийн тоо", "yes"],
            ["integer", "sheep", "羊只数", "ལུག་གི་གྲངས།", "хонины тоо"],
        ],
    },
    good={"yaks": 12},
    bad=[({"yaks": 1.5}, [("yaks", "not_integer")])],
)

SWAHILI = Sample(
    sheets={
        "survey": [
            ["type", "name", "label::English (en)", "label::Swahili (sw)", "required"],
            ["select_one yes_no", "latrine", "Has a latrine", "Ana choo", "yes"],
            ["integer", "users", "People using it", "Watu wanaotumia", "yes",
             ],
        ],
        "choices": [["list_name", "name", "label::English (en)", "label::Swahili (sw)"],
                    ["yes_no", "yes", "Yes", "Ndiyo"], ["yes_no", "no", "No", "Hapana"]],
    },
    good={"latrine": "yes", "users": 5},
)
SWAHILI.sheets["survey"][0].append("relevant")
SWAHILI.sheets["survey"][2] += ["${latrine} = 'yes'"]


# --- 11. agriculture: crop → variety, or_other, strict decimal bounds ------------------------

AGRICULTURE = Sample(
    sheets={
        "survey": [
            [*S, "choice_filter"],
            ["select_one crop or_other", "crop", "作物", "Crop", "yes"],
            ["select_one variety", "variety", "品种", "Variety", "", "${crop} != 'other'", "",
             "", "", "crop=${crop}"],
            ["decimal", "share", "占耕地比例（%）", "Share of land (%)", "yes", "",
             ". > 0 and . < 100"],
            ["decimal", "area_mu", "面积（亩）", "Area (mu)", "yes", "", ". > 0"],
            ["calculate", "area_ha", "", "", "", "", "", "round(${area_mu} div 15, 2)"],
        ],
        "choices": [[*C, "crop"], ["crop", "rice", "水稻", "Rice"], ["crop", "tea", "茶", "Tea"],
                    ["variety", "indica", "籼稻", "Indica", "rice"],
                    ["variety", "japonica", "粳稻", "Japonica", "rice"],
                    ["variety", "longjing", "龙井", "Longjing", "tea"]],
    },
    good={"crop": "other", "crop_other": "青稞", "share": 99.5, "area_mu": 7.5},
    bad=[({"crop": "rice", "variety": "indica", "share": 100, "area_mu": 0},
          [("share", "constraint"), ("area_mu", "constraint")]),
         ({"crop": "rice", "variety": "indica", "share": 0.5, "area_mu": 3,
           "crop_other": "x"}, [("crop_other", "not_relevant")])],
)


# --- 12. waste collection: time, dateTime, range, acknowledge -----------------------------

WASTE = Sample(
    sheets={
        "survey": [
            [*S, "parameters"],
            ["acknowledge", "briefed", "已告知调查目的", "Purpose explained", "yes"],
            ["time", "pickup", "收运时间", "Pick-up time", "yes"],
            ["dateTime", "checked_at", "检查时间", "Checked at", "", "", ". <= now()"],
            ["range", "cleanliness", "清洁程度", "Cleanliness", "yes", "", "", "", "",
             "start=1 end=5 step=1"],
            ["select_multiple sorts", "sorted", "分类", "Sorted streams", "", "",
             "not(selected(., 'none') and count-selected(.) > 1)"],
        ],
        "choices": [C, ["sorts", "kitchen", "厨余", "Kitchen"],
                    ["sorts", "recyclable", "可回收", "Recyclable"],
                    ["sorts", "none", "未分类", "None"]],
    },
    good={"briefed": "OK", "pickup": "07:30", "checked_at": "2026-12-03T08:00:00+08:00",
          "cleanliness": 4, "sorted": ["kitchen", "recyclable"]},
    bad=[({"briefed": "yes", "pickup": "7.30", "cleanliness": 2.5, "sorted": ["kitchen", "none"]},
          [("briefed", "not_acknowledged"), ("pickup", "not_time"), ("cleanliness", "off_step"),
           ("sorted", "constraint")])],
)


# --- 13. school roster: repeat_count, position() ----------------------------------------------

SCHOOL = Sample(
    sheets={
        "survey": [
            [*S, "repeat_count"],
            ["integer", "n_children", "适龄儿童人数", "Children of school age", "yes", "",
             ". >= 0 and . <= 10"],
            ["begin repeat", "children", "儿童", "Children", "", "", "", "", "", "${n_children}"],
            ["calculate", "child_no", "", "", "", "", "", "position(..)"],
            ["text", "child_name", "第 ${child_no} 个孩子的姓名", "Child ${child_no}", "yes"],
            ["select_one grade", "grade", "年级", "Grade", "yes"],
            ["end repeat"],
        ],
        "choices": [C, ["grade", "p1", "一年级", "Grade 1"], ["grade", "p2", "二年级", "Grade 2"],
                    ["grade", "none", "未上学", "Not in school"]],
    },
    good={"n_children": 2, "children": [{"child_name": "小红", "grade": "p1"},
                                        {"child_name": "小明", "grade": "none"}]},
    bad=[({"n_children": 2, "children": [{"child_name": "小红", "grade": "p1"}]},
          [("children", "repeat_count")])],
)


# --- 14. poverty monitoring: if, concat, int, coalesce, jr:choice-name -------------------

POVERTY = Sample(
    sheets={
        "survey": [
            S,
            ["decimal", "income", "年人均纯收入（元）", "Income per head (yuan)", "yes", "",
             ". >= 0"],
            ["select_one risk", "risk", "返贫风险", "Risk of relapse", "yes"],
            ["text", "measures", "帮扶措施", "Support measures", "", "${risk} != 'none'"],
            ["calculate", "band", "", "", "", "", "",
             "if(${income} < 7000, 'low', if(${income} < 15000, 'middle', 'high'))"],
            ["calculate", "label_risk", "", "", "", "", "", "jr:choice-name(${risk}, '${risk}')"],
            ["calculate", "line", "", "", "", "", "",
             "concat(${band}, '/', ${label_risk}, '/', int(${income} div 1000), '/', "
             "coalesce(${measures}, '无'))"],
            ["note", "show", "${line}", "${line}"],
        ],
        "choices": [C, ["risk", "none", "无风险", "None"], ["risk", "some", "有风险", "Some"],
                    ["risk", "high", "高风险", "High"]],
    },
    good={"income": 6500.5, "risk": "none"},
)


# --- 15. curly quotes pasted from Word --------------------------------------------------------

CURLY = Sample(
    sheets={
        "survey": [
            S,
            ["select_one toilet", "toilet", "厕所类型", "Toilet", "yes"],
            ["text", "toilet_other", "其他厕所", "Other toilet", "yes",
             "${toilet} = \u2018other\u2019"],
            ["text", "code", "户码", "Household code", "", "",
             "regex(., \u201c^[0-9]{6}$\u201d)"],
        ],
        "choices": [C, ["toilet", "flush", "水冲", "Flush"], ["toilet", "other", "其他", "Other"]],
    },
    good={"toilet": "other", "toilet_other": "旱厕", "code": "540102"},
    bad=[({"toilet": "flush", "toilet_other": "x", "code": "54"},
          [("toilet_other", "not_relevant"), ("code", "constraint")])],
)


# --- 16. nutrition: age in months from the date of birth ------------------------------------

NUTRITION = Sample(
    sheets={
        "survey": [
            S, ["today", "today"],
            ["date", "dob", "出生日期", "Date of birth", "yes", "", ". <= today()"],
            ["calculate", "age_months", "", "", "", "", "", "int((today() - ${dob}) div 30.4)"],
            ["decimal", "muac", "上臂围（厘米）", "MUAC (cm)", "yes", "${age_months} >= 6",
             ". >= 6 and . <= 30"],
            ["select_one yes_no", "oedema", "水肿", "Oedema", "yes"],
        ],
        "choices": [C, *_yes_no()],
    },
    good={"today": "2026-12-03", "dob": "2025-06-01", "muac": 13.5, "oedema": "no"},
    bad=[({"dob": "2026-11-01", "muac": 13.5, "oedema": "no"}, [("muac", "not_relevant")])],
)


# --- 17. livestock census: a roster of herds, sums over it --------------------------------

LIVESTOCK = Sample(
    sheets={
        "survey": [
            S,
            ["begin_repeat", "herds", "畜群", "Herds"],
            ["select_one animal", "animal", "畜种", "Animal", "yes"],
            ["integer", "head_count", "头数", "Head", "yes", "", ". > 0"],
            ["decimal", "value_each", "单价（元）", "Value each", "", "", ". > 0"],
            ["calculate", "herd_value", "", "", "", "", "", "${head_count} * ${value_each}"],
            ["end_repeat"],
            ["calculate", "all_head", "", "", "", "", "", "sum(${head_count})"],
            ["calculate", "all_value", "", "", "", "", "", "sum(${herd_value})"],
            ["integer", "sold", "今年出栏", "Sold this year", "", "", ". <= ${all_head}"],
        ],
        "choices": [C, ["animal", "yak", "牦牛", "Yak"], ["animal", "sheep", "羊", "Sheep"],
                    ["animal", "pig", "猪", "Pig"]],
    },
    good={"herds": [{"animal": "yak", "head_count": 12, "value_each": 8000},
                    {"animal": "sheep", "head_count": 40, "value_each": 900}], "sold": 20},
    bad=[({"herds": [{"animal": "yak", "head_count": 2}], "sold": 3}, [("sold", "constraint")])],
)


# --- 18. road and bridge inspection: an ID by regex -----------------------------------------

ROADS = Sample(
    sheets={
        "survey": [
            [*S, "hint::Chinese (zh)", "required_message::Chinese (zh)",
             "required_message::English (en)"],
            ["text", "asset_id", "设施编号", "Asset ID", "yes", "",
             "regex(., '^[GSXYCZ][0-9]{3}-[0-9]{2}$')", "", "", "例如 X012-03",
             "请填写编号", "The ID is needed"],
            ["select_one condition", "condition", "状况", "Condition", "yes"],
            ["text", "damage", "损坏描述", "Damage", "", "${condition} = 'poor'", "", "",
             "multiline"],
            ["decimal", "length_km", "长度（公里）", "Length (km)", "", "", ". > 0 and . <= 200"],
        ],
        "choices": [C, ["condition", "good", "良好", "Good"], ["condition", "fair", "一般", "Fair"],
                    ["condition", "poor", "差", "Poor"]],
    },
    good={"asset_id": "X012-03", "condition": "poor", "damage": "路面塌陷", "length_km": 3.2},
    bad=[({"condition": "good", "length_km": 0}, [("asset_id", "required"),
                                                 ("length_km", "constraint")])],
)


# --- 19. consent first, then questions -------------------------------------------------------

CONSENT = Sample(
    sheets={
        "survey": [
            S,
            ["select_one yes_no", "agree", "是否同意受访", "Agrees to the interview", "yes"],
            ["begin group", "main", "正式问题", "Questions", "", "${agree} = 'yes'"],
            ["integer", "years_here", "在本村居住年数", "Years in the village", "yes", "",
             ". >= 0"],
            ["text", "wish", "最希望解决的问题", "Most wanted change", "yes"],
            ["end group"],
            ["text", "why_not", "不同意的原因", "Why not", "", "${agree} = 'no'"],
        ],
        "choices": [C, *_yes_no()],
    },
    good={"agree": "no", "why_not": "没有时间"},
    bad=[({"agree": "no", "years_here": 3}, [("years_here", "not_relevant")]),
         ({"agree": "yes"}, [("years_here", "required"), ("wish", "required")])],
)


# --- 20. market prices: one price bounded by another ---------------------------------------

MARKET = Sample(
    sheets={
        "survey": [
            S,
            ["select_multiple goods", "goods", "调查商品", "Goods surveyed", "yes"],
            ["decimal", "rice_low", "大米最低价", "Rice, lowest", "yes",
             "selected(${goods}, 'rice')", ". > 0"],
            ["decimal", "rice_high", "大米最高价", "Rice, highest", "yes",
             "selected(${goods}, 'rice')", ". >= ${rice_low}"],
            ["decimal", "oil_price", "食用油价格", "Oil price", "yes",
             "selected(${goods}, 'oil')", ". > 0 and . < 200"],
        ],
        "choices": [C, ["goods", "rice", "大米", "Rice"], ["goods", "oil", "食用油", "Oil"]],
    },
    good={"goods": ["rice"], "rice_low": 2.8, "rice_high": 3.6},
    bad=[({"goods": ["rice", "oil"], "rice_low": 3.6, "rice_high": 2.8, "oil_price": 250},
          [("rice_high", "constraint"), ("oil_price", "constraint")])],
)


# --- 21. symptom check: not(), or, selected() --------------------------------------------------

SYMPTOMS = Sample(
    sheets={
        "survey": [
            S,
            ["select_multiple symptom", "symptoms", "症状", "Symptoms", "yes", "",
             "not(selected(., 'none')) or count-selected(.) = 1"],
            ["integer", "days", "持续天数", "Days", "yes",
             "not(selected(${symptoms}, 'none'))", ". >= 1 and . <= 60"],
            ["select_one yes_no", "refer", "是否转诊", "Referred", "yes",
             "selected(${symptoms}, 'fever') or ${days} > 7"],
        ],
        "choices": [C, ["symptom", "fever", "发热", "Fever"], ["symptom", "cough", "咳嗽", "Cough"],
                    ["symptom", "none", "无", "None"], *_yes_no()],
    },
    good={"symptoms": ["cough"], "days": 9, "refer": "yes"},
    bad=[({"symptoms": ["none", "cough"]}, [("symptoms", "constraint")]),
         ({"symptoms": ["cough"], "days": 2, "refer": "no"}, [("refer", "not_relevant")])],
)


# --- 22. what a web app cannot read, and appearances it does not draw ----------------------

ACCEPTED_WITH_WARNINGS = Sample(
    sheets={
        "survey": [
            S, ["start", "start"], ["phonenumber", "phone_no"], ["audit", "audit"],
            ["select_one level", "level", "等级", "Level", "yes", "", "", "", "w4 quickcompact"],
            ["text", "remark", "备注", "Remark", "", "", "", "", "multiline"],
        ],
        "choices": [C, ["level", "a", "甲", "A"], ["level", "b", "乙", "B"]],
    },
    good={"start": META_ANSWERS["start"], "level": "a"},
    warnings=["phonenumber", "audit", "w4 quickcompact"],
)


# --- 23. land parcels: an area, a line, and a roster of places ------------------------------

PARCEL = "26.5 106.7 1000 5;26.501 106.7 1000 5;26.501 106.701 1000 6;26.5 106.7 1000 5"
LAND = Sample(
    sheets={
        "survey": [
            S,
            ["text", "holder", "承包户", "Holder", "yes"],
            ["geoshape", "parcel", "地块范围", "Parcel boundary", "yes"],
            ["geotrace", "track", "机耕道", "Farm track"],
            ["begin repeat", "wells", "水井", "Wells"],
            ["geopoint", "well_at", "水井位置", "Well location", "yes"],
            ["decimal", "depth", "深度（米）", "Depth (m)", "", "", ". > 0"],
            ["end repeat"],
        ],
    },
    good={"holder": "杨光荣", "parcel": PARCEL, "track": "26.5 106.7 0 0;26.502 106.702 0 0",
          "wells": [{"well_at": {"lat": 26.5005, "lon": 106.7005, "accuracy_m": 4},
                     "depth": 12.5}]},
    bad=[({"holder": "杨光荣", "parcel": PARCEL.rsplit(";", 1)[0], "track": "26.5 106.7 0 0",
           "wells": [{"depth": 3}]},
          [("parcel", "not_geoshape"), ("track", "not_geotrace"),
           ("wells.0.well_at", "required")])],
)


# --- 24. village register: choice lists from attached CSVs, one filtered by township ---------

VILLAGES_CSV = ("\ufeffname,label::Chinese (zh),label::English (en),township\n"
                "v11,东村,East village,t1\nv12,西村,West village,t1\n"
                "v21,河口村,Hekou,t2\n").encode("utf-8")
CROPS_CSV = "code,title,season\nrice,水稻,summer\ntea,茶叶,spring\nrape,油菜,winter\n".encode(
    "gb18030")
REGISTER = Sample(
    sheets={
        "survey": [
            [*S, "choice_filter", "parameters"],
            ["select_one township", "township", "乡镇", "Township", "yes"],
            ["select_one_from_file villages.csv", "village", "村", "Village", "yes", "", "", "",
             "", "township=${township}"],
            ["select_multiple_from_file crops.csv", "crops", "作物", "Crops", "", "", "", "",
             "", "", "value=code, label=title"],
        ],
        "choices": [C, ["township", "t1", "城关镇", "Chengguan"],
                    ["township", "t2", "河西乡", "Hexi"]],
    },
    files={"villages.csv": VILLAGES_CSV, "crops.csv": CROPS_CSV},
    good={"township": "t1", "village": "v12", "crops": ["rice", "tea"]},
    bad=[({"township": "t1", "village": "v99", "crops": ["maize"]},
          [("village", "not_choice"), ("crops", "not_choice")])],
)


# --- 25. livelihoods: a repeat inside a repeat (household → members → each member's jobs) --

_NS = [*S, "repeat_count", "choice_filter"]
NESTED = Sample(
    sheets={
        "survey": [
            _NS,
            ["text", "village_name", "村名", "Village", "yes"],
            ["begin repeat", "households", "农户", "Households"],
            ["text", "head", "户主", "Head", "yes"],
            ["integer", "n_members", "人口", "Members", "yes", "", ". >= 1 and . <= 6"],
            ["begin repeat", "members", "成员", "Members", "", "", "", "", "", "${n_members}"],
            ["text", "m_name", "姓名", "Name", "yes"],
            ["integer", "age", "年龄", "Age", "yes", "", ". >= 0 and . <= 120"],
            ["calculate", "m_no", "", "", "", "", "", "position(..)"],
            ["begin group", "work", "工作", "Work", "", "${age} >= 16"],
            ["begin repeat", "jobs", "${m_name}的工作", "Jobs of ${m_name}"],
            ["select_one job", "job", "工作", "Job", "yes", "", "", "", "", "",
             "min_age <= ${age}"],
            ["decimal", "income", "年收入（元）", "Yearly income (yuan)", "${job} != 'none'",
             "${job} != 'none'", ". >= 0 and . <= 100000 * ${n_members}"],
            ["calculate", "job_key", "", "", "", "", "",
             "concat(${head}, '/', ${m_name}, '/', position(..))"],
            ["end repeat"],
            ["end group"],
            ["calculate", "n_jobs", "", "", "", "", "", "count(${job})"],
            ["end repeat"],
            ["calculate", "hh_income", "", "", "", "", "", "sum(${income})"],
            ["end repeat"],
            ["calculate", "total_jobs", "", "", "", "", "", "count(${job})"],
        ],
        "choices": [
            [*C, "min_age"],
            ["job", "farm", "务农", "Farming", "16"], ["job", "mine", "矿工", "Mining", "18"],
            ["job", "none", "无", "None", "0"],
        ],
        "settings": [["form_title", "form_id"], ["生计调查", "livelihoods"]],
    },
    good={"village_name": "东村", "households": [
        {"head": "王秀英", "n_members": 2, "members": [
            {"m_name": "王秀英", "age": 46, "jobs": [{"job": "farm", "income": 12000},
                                                    {"job": "mine", "income": 30000}]},
            {"m_name": "李小明", "age": 12}]},
        {"head": "赵四", "n_members": 1, "members": [
            {"m_name": "赵四", "age": 17, "jobs": [{"job": "none"}]}]}]},
    bad=[({"village_name": "东村", "households": [
        {"head": "王秀英", "n_members": 2, "members": [
            {"m_name": "王秀英", "age": 46, "jobs": [{"job": "farm"}]},
            {"m_name": "李小明", "age": 12, "jobs": [{"job": "none"}]},
            {"m_name": "李四", "age": 17, "jobs": [{"job": "mine", "income": 5}]}]}]},
          # The inner repeat_count is the household's own n_members; a child has no jobs
          # (the work group is hidden); a 17-year-old cannot be a miner (the cascade).
          [("households.0.members", "repeat_count"),
           ("households.0.members.0.jobs.0.income", "required"),
           ("households.0.members.1.jobs.0.job", "not_relevant"),
           ("households.0.members.2.jobs.0.job", "filtered_choice")])],
)


# --- 26. a household's members kept as a household fact (each with a lasting id) ----------

F = ["type", "name", "label::Chinese (zh)", "label::English (en)", "required", "relevant",
     "constraint", "fact", "calculation"]
#: Member ids as the phone makes them (crypto.randomUUID) when an entry is added.
WANG, LI, XIAO = ("5b0c1a52-8f0e-4a57-9d43-0d7c5a1e2f01", "9c1d2b63-7e1f-4b68-8e54-1e8d6b2f3a12",
                  "ad2e3c74-6d2a-4c79-bf65-2f9e7c3a4b23")
MEMBER_FACTS = Sample(
    sheets={
        "survey": [
            F,
            ["text", "phone", "联系电话", "Phone", "", "", "string-length(.) <= 11", "phone"],
            ["select_one yes_no", "lives_here", "是否常住", "Lives here", "yes"],
            # The roster is the household fact ``household_members``; its questions marked
            # with a fact are what each member keeps (``working`` is asked anew each time).
            ["begin repeat", "members", "家庭成员", "Members", "", "${lives_here} = 'yes'", "",
             "household_members"],
            ["text", "member_name", "姓名", "Name", "yes", "", "", "name"],
            ["integer", "age", "年龄", "Age", "yes", "", ". >= 0 and . < 120", "age"],
            ["select_one relation", "relation", "与户主关系", "Relation to the head", "yes", "",
             "", "relation"],
            ["select_one yes_no", "working", "本月是否外出务工", "Working away this month", "",
             "${age} >= 16"],
            ["end repeat"],
            ["calculate", "n_members", "", "", "", "", "", "", "count(${members})"],
        ],
        "choices": [
            C,
            ["relation", "head", "户主", "Head"], ["relation", "spouse", "配偶", "Spouse"],
            ["relation", "child", "子女", "Child"], ["relation", "parent", "父母", "Parent"],
            ["relation", "other", "其他", "Other"],
            *_yes_no(),
        ],
        "settings": [["form_title", "form_id"], ["家庭成员登记", "household_members"]],
    },
    good={"phone": "13800000000", "lives_here": "yes", "members": [
        {"@id": WANG, "member_name": "王秀英", "age": 46, "relation": "head", "working": "no"},
        {"@id": LI, "member_name": "李强", "age": 48, "relation": "spouse", "working": "yes"},
        {"@id": XIAO, "member_name": "李小明", "age": 12, "relation": "child"}]},
    bad=[({"lives_here": "yes", "members": [
        {"member_name": "王秀英", "age": 46, "relation": "head"},
        {"@id": "not-a-uuid", "member_name": "李强", "age": 48, "relation": "spouse"},
        {"@id": WANG.upper(), "member_name": "李强", "age": 48, "relation": "spouse"},
        {"@id": LI, "member_name": "李小明", "age": 12, "relation": "child"},
        {"@id": LI, "member_name": "李小红", "age": 9, "relation": "child"}]},
          [("members.0", "member_id_missing"), ("members.1", "member_id_invalid"),
           ("members.2", "member_id_invalid"), ("members.4", "member_id_duplicate")]),
         # Sent while hidden (nobody lives here), a roster would wipe the fact: refused.
         ({"lives_here": "no", "members": []}, [("members", "not_relevant")])],
)


FORMS: dict[str, Sample] = {
    "household_census": HOUSEHOLD, "water_point": WATER_POINT, "health_facility": FACILITY,
    "mapping": MAPPING, "cascading_location": CASCADE, "kobo_default": KOBO,
    "old_headers": OLD_HEADERS, "three_languages_ug": UYGHUR, "tibetan_mongolian": TIBETAN,
    "swahili": SWAHILI, "agriculture": AGRICULTURE, "waste": WASTE, "school_roster": SCHOOL,
    "poverty_monitoring": POVERTY, "curly_quotes": CURLY, "nutrition": NUTRITION,
    "livestock": LIVESTOCK, "roads": ROADS, "consent": CONSENT, "market_prices": MARKET,
    "symptoms": SYMPTOMS, "accepted_with_warnings": ACCEPTED_WITH_WARNINGS,
    "land_parcels": LAND, "village_register": REGISTER, "livelihoods_nested": NESTED,
    "member_facts": MEMBER_FACTS,
}
