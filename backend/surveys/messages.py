"""What surveys (forms, answers, XLSForm) says, in Chinese and English.

Plugged in by the manifest (``capability.py``); the core looks messages up by code.
"""

from __future__ import annotations

from backend.core.messages import Catalogue, Message

__all__ = ["Fields", "Notices", "Problems"]


class Problems(Catalogue):
    """Titles of the errors surveys raises, by code."""

    xlsform_invalid = Message(
        "调查表（XLSForm）有不支持的内容，未导入任何内容，请按所列表、行、列修改",
        "The XLSForm has unsupported content; nothing was imported. Fix the listed sheet, "
            "row and column",
    )
    already_published = Message(
        "调查表没有改动，已是发布的版本",
        "Nothing changed since publishing",
    )


class Fields(Catalogue):
    """Messages of field errors of forms and answers, by code.

    Answers (``backend/surveys/rules.py``) name the question with ``label_zh`` / ``label_en``.
    """

    not_choice = Message("「{label_zh}」不是可选的选项", "“{label_en}”: not one of the choices")
    not_boolean = Message("「{label_zh}」应为是或否", "“{label_en}”: must be yes or no")
    not_geopoint = Message("「{label_zh}」不是有效的位置", "“{label_en}”: not a valid location")
    not_geotrace = Message(
        "「{label_zh}」不是有效的路线（至少 2 个点）",
        "“{label_en}”: not a valid line (at least 2 points)",
    )
    not_geoshape = Message(
        "「{label_zh}」不是有效的范围（至少 3 个点，首尾相接）",
        "“{label_en}”: not a valid area (at least 3 points, closed)",
    )
    not_photo = Message("「{label_zh}」不是有效的照片", "“{label_en}”: not a valid photo")
    not_relevant = Message(
        "「{label_zh}」此时不应作答",
        "“{label_en}”: not asked for these answers",
    )
    unknown_question = Message("表单中没有这个问题", "No such question in the form")
    confirm_not_fact = Message(
        "「{label_zh}」不是表单中的农户信息项，不能确认",
        "“{label_en}” is not a household fact of the form, so it cannot be confirmed",
    )
    confirm_not_answered = Message(
        "「{label_zh}」没有作答，不能确认",
        "“{label_en}” is not among the answers, so it cannot be confirmed",
    )
    confirm_not_known = Message(
        "「{label_zh}」还没有已知信息可确认，请作为新答案提交",
        "“{label_en}” has no known value to confirm: send it as a new answer",
    )
    confirm_changed = Message(
        "「{label_zh}」的答案与已知信息不同：这是更正，不能标为确认无误",
        "“{label_en}” differs from the known value: that is a correction, not a confirmation",
    )
    below_min = Message("「{label_zh}」不能小于 {min}", "“{label_en}”: must be at least {min}")
    above_max = Message("「{label_zh}」不能大于 {max}", "“{label_en}”: must be at most {max}")
    too_few = Message(
        "「{label_zh}」至少选 {min_count} 项",
        "“{label_en}”: choose at least {min_count}",
    )
    too_many = Message(
        "「{label_zh}」最多选 {max_count} 项",
        "“{label_en}”: choose at most {max_count}",
    )
    constraint = Message("「{label_zh}」不符合本题的要求", "“{label_en}”: does not meet its rule")
    read_only = Message("「{label_zh}」只读，不需作答", "“{label_en}”: read only, takes no answer")
    not_time = Message("「{label_zh}」应为时间（时:分）", "“{label_en}”: must be a time (hh:mm)")
    off_step = Message("「{label_zh}」不在可选的刻度上", "“{label_en}”: not one of the steps")
    not_acknowledged = Message("「{label_zh}」需要确认", "“{label_en}”: must be acknowledged")
    filtered_choice = Message(
        "「{label_zh}」的选项不在前面回答所允许的范围内（如所选乡镇下没有这个村）",
        "“{label_en}”: not among the choices the earlier answers allow (such as a village"
        " outside the chosen township)",
    )
    xlsform_unknown_name = Message(
        "表达式引用了表单中没有的问题（{near}）",
        "The expression names no question of the form ({near})",
    )
    survey_closed = Message("该调查已结束，不再接收答卷", "This survey is closed")
    not_published = Message("调查尚未发布", "The survey is not published yet")
    one_county = Message("所选村须属于同一个县", "The villages must be in one county")
    fact_needs_households = Message(
        "只有农户调查可以登记农户信息项",
        "Only household surveys record household facts",
    )
    refers_to_later = Message("只能引用前面的问题", "May only refer to an earlier question")
    op_not_for_type = Message(
        "该题型不支持此比较",
        "This comparison does not fit the question type",
    )
    constraint_not_for_type = Message(
        "该题型不支持此限制",
        "This constraint does not fit the question type",
    )
    empty_range = Message("下限大于上限", "The lower bound is above the upper bound")
    xlsform_column = Message("不支持的列（未导入）", "Unsupported column (nothing imported)")
    xlsform_language = Message(
        "不支持的语言列，请用 zh 或 en",
        "Unsupported language column: use zh or en",
    )
    xlsform_type = Message("不支持的题型：{type}", "Unsupported question type: {type}")
    xlsform_no_choices = Message(
        "choices 表中没有选项列表 {list}",
        "No choice list {list} in choices",
    )
    xlsform_required = Message("required 应为 yes 或 no", "required must be yes or no")
    xlsform_expression = Message(
        "不支持的表达式（在“{near}”附近）",
        "Unsupported expression (near “{near}”)",
    )
    xlsform_choice_name = Message(
        "jr:choice-name 的第二个参数须写成选择题的名称，如 jr:choice-name(${{q}}, '${{q}}')",
        "jr:choice-name's second argument must name a select question, as in"
        " jr:choice-name(${{q}}, '${{q}}')",
    )
    xlsform_not_xlsx = Message("不是有效的 .xlsx 文件", "Not a valid .xlsx file")
    xlsform_pyxform = Message(
        "XLSForm 有误（pyxform）：{detail}",
        "XLSForm error (pyxform): {detail}",
    )
    xlsform_type_unanswerable = Message(
        "题型 {type} 暂时无法在手机上作答，请改用其他题型或删去此题",
        "Type {type} cannot be answered on the phone yet: use another type or leave it out",
    )
    xlsform_from_file = Message(
        "选项附件 {file} 不是 CSV：只能读取 CSV 附件（或把选项列在 choices 表中）",
        "The choice file {file} is not a CSV: only CSV attachments are read (or list the "
        "choices in the choices sheet)",
    )
    xlsform_attachment_missing = Message(
        "缺少附件 {file}：请与表单一起选择此文件上传",
        "The attachment {file} is missing: choose it together with the form",
    )
    xlsform_attachment_column = Message(
        "附件 {file} 缺少列 {header}",
        "The attachment {file} has no column {header}",
    )
    xlsform_attachment_unreadable = Message(
        "附件 {file} 不是可读取的 CSV 文件（或过大、行数过多）",
        "The attachment {file} is not a readable CSV (or too large, or too many rows)",
    )
    xlsform_attachment_value = Message(
        "附件 {file} 第 {line} 行的选项值“{value}”无效（只能用字母、数字、_ . -）",
        "The attachment {file}, row {line}: the choice value “{value}” is not valid "
        "(letters, digits, _ . - only)",
    )
    xlsform_too_many_attachments = Message(
        "附件过多（上限 {max} 个）",
        "Too many attachments (limit {max})",
    )
    xlsform_attachment_too_many = Message(
        "附件 {file} 的选项过多（上限 {max}）",
        "The attachment {file} has too many choices (limit {max})",
    )
    fact_kept_as_roster = Message(
        "本县已把农户信息项“{fact}”登记为成员名单（其他调查或已有记录），不能再用于单个答案，"
        "否则两份调查会轮流覆盖对方的记录：请换一个信息项名称",
        "The county already keeps the household fact “{fact}” as a roster (in another survey or "
        "on record), so it cannot also hold a single answer: the two surveys would overwrite "
        "each other's record in turn; choose another fact name",
    )
    fact_kept_as_answer = Message(
        "本县已把农户信息项“{fact}”登记为单个答案（其他调查或已有记录），不能再用作成员名单，"
        "否则两份调查会轮流覆盖对方的记录：请换一个信息项名称",
        "The county already keeps the household fact “{fact}” as a single answer (in another "
        "survey or on record), so it cannot also hold a roster: the two surveys would "
        "overwrite each other's record in turn; choose another fact name",
    )
    fact_in_repeat = Message(
        "重复组（名单）中的问题只有在该名单本身登记为农户信息项时，才能登记为成员信息：请在"
        "该重复组开始一行（begin repeat）的 fact 列填写名单的信息项名称（如 members），成员才有"
        "固定编号，下次调查逐人预填；否则请删去此题的 fact",
        "A question in a repeat (a roster) records a member fact only when the roster itself is "
        "kept as a household fact: fill the fact column of its begin repeat row (such as "
        "members), so that each member keeps a lasting id and is pre-filled member by member "
        "next time; otherwise drop this question's fact",
    )
    fact_in_nested_repeat = Message(
        "重复组内的重复组（如每名成员的工作）不能登记为农户信息项：只有表单最外层的名单（如家庭"
        "成员）能逐人保存为信息项；请删去此处的 fact",
        "A repeat inside a repeat (such as each member's jobs) cannot record household facts: "
        "only a roster at the top of the form (such as the members) is kept member by member; "
        "drop the fact here",
    )
    fact_on_group = Message(
        "普通分组不能登记为农户信息项：只有重复组（名单，如家庭成员）和问题可以",
        "A plain group cannot record a household fact: only a repeat (a roster such as the "
        "members) or a question can",
    )
    roster_fact_empty = Message(
        "名单登记为农户信息项时，其中至少一题须在 fact 列写明要保存的成员信息（如姓名 name）",
        "A roster kept as a household fact needs at least one question inside it with a fact "
        "(such as name): the member facts it keeps",
    )
    member_id_missing = Message(
        "名单中有成员缺少编号：请更新应用后重新保存此答卷",
        "A member of the roster has no id: update the app and save the response again",
    )
    member_id_invalid = Message(
        "名单中有成员的编号无效：请更新应用后重新保存此答卷",
        "A member of the roster has an invalid id: update the app and save the response again",
    )
    member_id_duplicate = Message(
        "名单中两名成员的编号相同：请删去重复的成员后重新保存",
        "Two members of the roster have the same id: remove the repeated member and save again",
    )
    xlsform_meta_left_out = Message(
        "元数据 {type} 网页应用无法读取，已略去",
        "Metadata {type} cannot be read by a web app: left out",
    )
    xlsform_appearance_ignored = Message(
        "外观 {appearance} 手机上不显示，已忽略",
        "Appearance {appearance} is not drawn on the phone: ignored",
    )
    xlsform_no_survey = Message("缺少 survey 表", "The survey sheet is missing")
    xlsform_too_many_rows = Message("行数过多（上限 {max}）", "Too many rows (limit {max})")


class Notices(Catalogue):
    """The inbox notices surveys send to the cadres of the villages surveyed."""

    published = Message("新调查：{title}", "New survey: {title}")
    revised = Message("调查表已更新：{title}", "Survey form updated: {title}")
    works_offline = Message("{period_zh}，离线也可填写", "{period_en}; works offline")
