"""The one place where errors become problem details (RFC 9457) in Chinese or English."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from litestar import Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)

from backend.core.errors import MESSAGES, DomainError, FieldError
from backend.core.i18n import Lang, pick_lang, text

if TYPE_CHECKING:
    from litestar import Request

__all__ = [
    "FIELD_MESSAGES",
    "field_code",
    "handle_exception",
    "localise_field_error",
    "problem_response",
]

log = logging.getLogger("zhucun.errors")

#: Field-level message codes (Chinese, English).
FIELD_MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("必填", "Required"),
    "invalid": ("格式不正确", "Invalid value"),
    "not_integer": ("应为整数", "Must be a whole number"),
    "not_number": ("应为数字", "Must be a number"),
    "not_text": ("应为文字", "Must be text"),
    "not_bool": ("应为是或否", "Must be true or false"),
    "not_date": ("应为日期 YYYY-MM-DD", "Must be a date YYYY-MM-DD"),
    "not_month": ("应为月份 YYYY-MM（月为 01–12）", "Must be a month YYYY-MM (01–12)"),
    "not_datetime": ("应为时间（ISO 8601）", "Must be a date-time (ISO 8601)"),
    "not_uuid": ("应为 UUID", "Must be a UUID"),
    "not_list": ("应为列表", "Must be a list"),
    "not_object": ("应为对象", "Must be an object"),
    "not_found": ("不存在", "Does not exist"),
    "too_long": ("过长", "Too long"),
    "too_short": ("过短", "Too short"),
    "too_small": ("数值过小", "Too small"),
    "too_large": ("数值过大", "Too large"),
    "too_deep": ("嵌套层数过多（上限 {max} 层）", "Nested too deeply (limit {max} levels)"),
    "too_many_items": ("项数过多（上限 {max} 项）", "Too many items (limit {max})"),
    "control_character": (
        "含有不可见的控制字符（如 NUL），请删除后重试",
        "Contains an invisible control character (such as NUL); remove it and retry",
    ),
    "date_too_early": ("日期早于 2018 年，不在合理范围内", "Before 2018: not a plausible date"),
    "date_in_future": ("日期不能晚于今天", "The date cannot be after today"),
    "date_too_late": ("日期不能晚于一年之后", "The date cannot be more than a year ahead"),
    "not_allowed": ("不是允许的取值", "Not one of the allowed values"),
    "unknown_field": ("不认识的字段", "Unknown field"),
    "unknown_division": ("未知的行政区划代码：{code}", "Unknown division code: {code}"),
    "out_of_scope": ("不在您的管辖范围内", "Outside your scope"),
    "duplicate": ("重复", "Duplicate"),
    "not_eligible": ("不符合评选条件", "Not eligible"),
    "over_quota": ("超过本单位名额", "More than the unit's seats"),
    "locked": ("已提交或已审核，不能再修改", "Submitted or decided: it can no longer be changed"),
    "outside_posting": (
        "该日期不在您驻该村的任职期内（任职期：{postings_zh}）",
        "Outside your posting to this village (posted {postings_en})",
    ),
    # Survey answers (backend/surveys/rules.py); ``label_zh`` / ``label_en`` name the question.
    "not_choice": ("「{label_zh}」不是可选的选项", "“{label_en}”: not one of the choices"),
    "not_boolean": ("「{label_zh}」应为是或否", "“{label_en}”: must be yes or no"),
    "not_geopoint": ("「{label_zh}」不是有效的位置", "“{label_en}”: not a valid location"),
    "not_geotrace": (
        "「{label_zh}」不是有效的路线（至少 2 个点）",
        "“{label_en}”: not a valid line (at least 2 points)",
    ),
    "not_geoshape": (
        "「{label_zh}」不是有效的范围（至少 3 个点，首尾相接）",
        "“{label_en}”: not a valid area (at least 3 points, closed)",
    ),
    "not_photo": ("「{label_zh}」不是有效的照片", "“{label_en}”: not a valid photo"),
    "not_relevant": ("「{label_zh}」此时不应作答", "“{label_en}”: not asked for these answers"),
    "unknown_question": ("表单中没有这个问题", "No such question in the form"),
    "confirm_not_fact": (
        "「{label_zh}」不是表单中的农户信息项，不能确认",
        "“{label_en}” is not a household fact of the form, so it cannot be confirmed",
    ),
    "confirm_not_answered": (
        "「{label_zh}」没有作答，不能确认",
        "“{label_en}” is not among the answers, so it cannot be confirmed",
    ),
    "confirm_not_known": (
        "「{label_zh}」还没有已知信息可确认，请作为新答案提交",
        "“{label_en}” has no known value to confirm: send it as a new answer",
    ),
    "confirm_changed": (
        "「{label_zh}」的答案与已知信息不同：这是更正，不能标为确认无误",
        "“{label_en}” differs from the known value: that is a correction, not a confirmation",
    ),
    "below_min": ("「{label_zh}」不能小于 {min}", "“{label_en}”: must be at least {min}"),
    "above_max": ("「{label_zh}」不能大于 {max}", "“{label_en}”: must be at most {max}"),
    "too_few": ("「{label_zh}」至少选 {min_count} 项", "“{label_en}”: choose at least {min_count}"),
    "too_many": ("「{label_zh}」最多选 {max_count} 项", "“{label_en}”: choose at most {max_count}"),
    "constraint": ("「{label_zh}」不符合本题的要求", "“{label_en}”: does not meet its rule"),
    "read_only": ("「{label_zh}」只读，不需作答", "“{label_en}”: read only, takes no answer"),
    "not_time": ("「{label_zh}」应为时间（时:分）", "“{label_en}”: must be a time (hh:mm)"),
    "off_step": ("「{label_zh}」不在可选的刻度上", "“{label_en}”: not one of the steps"),
    "not_acknowledged": ("「{label_zh}」需要确认", "“{label_en}”: must be acknowledged"),
    "xlsform_unknown_name": (
        "表达式引用了表单中没有的问题（{near}）",
        "The expression names no question of the form ({near})",
    ),
    "survey_closed": ("该调查已结束，不再接收答卷", "This survey is closed"),
    "not_published": ("调查尚未发布", "The survey is not published yet"),
    "one_county": ("所选村须属于同一个县", "The villages must be in one county"),
    "before_start": ("结束日期早于开始日期", "The end is before the start"),
    "fact_needs_households": (
        "只有农户调查可以登记农户信息项",
        "Only household surveys record household facts",
    ),
    "refers_to_later": ("只能引用前面的问题", "May only refer to an earlier question"),
    "op_not_for_type": ("该题型不支持此比较", "This comparison does not fit the question type"),
    "constraint_not_for_type": (
        "该题型不支持此限制",
        "This constraint does not fit the question type",
    ),
    "empty_range": ("下限大于上限", "The lower bound is above the upper bound"),
    "xlsform_column": ("不支持的列（未导入）", "Unsupported column (nothing imported)"),
    "xlsform_language": (
        "不支持的语言列，请用 zh 或 en",
        "Unsupported language column: use zh or en",
    ),
    "xlsform_type": ("不支持的题型：{type}", "Unsupported question type: {type}"),
    "xlsform_no_choices": ("choices 表中没有选项列表 {list}", "No choice list {list} in choices"),
    "xlsform_required": ("required 应为 yes 或 no", "required must be yes or no"),
    "xlsform_expression": (
        "不支持的表达式（在“{near}”附近）",
        "Unsupported expression (near “{near}”)",
    ),
    "xlsform_not_xlsx": ("不是有效的 .xlsx 文件", "Not a valid .xlsx file"),
    "xlsform_pyxform": ("XLSForm 有误（pyxform）：{detail}", "XLSForm error (pyxform): {detail}"),
    "xlsform_type_unanswerable": (
        "题型 {type} 暂时无法在手机上作答，请改用其他题型或删去此题",
        "Type {type} cannot be answered on the phone yet: use another type or leave it out",
    ),
    "xlsform_from_file": (
        "选项来自附件 {file}：请把选项列在 choices 表中",
        "Choices from the attached file {file}: list them in the choices sheet instead",
    ),
    "fact_in_repeat": (
        "重复组（如家庭成员）中的问题不能登记为农户信息项",
        "A question in a repeat (such as the members) cannot record a household fact",
    ),
    "xlsform_nested_repeat": (
        "重复组中不能再套重复组",
        "A repeat inside a repeat is not supported yet",
    ),
    "xlsform_meta_left_out": (
        "元数据 {type} 网页应用无法读取，已略去",
        "Metadata {type} cannot be read by a web app: left out",
    ),
    "xlsform_appearance_ignored": (
        "外观 {appearance} 手机上不显示，已忽略",
        "Appearance {appearance} is not drawn on the phone: ignored",
    ),
    "xlsform_no_survey": ("缺少 survey 表", "The survey sheet is missing"),
    "xlsform_too_many_rows": ("行数过多（上限 {max}）", "Too many rows (limit {max})"),
    # 人员与派驻 (backend/accounts/roster)
    "bad_phone": ("应为 11 位手机号", "Must be an 11-digit mobile number"),
    "duplicate_in_file": ("与第 {first} 行的手机号重复", "Same phone as row {first}"),
    "phone_taken": ("该手机号已有账号", "An account already has this phone"),
    "other_county": ("不是本县的村：{code}", "Not a village of your county: {code}"),
    "bad_position": (
        "职务应为第一书记、工作队队长或工作队队员（不是“{value}”）",
        "Position must be first secretary, team leader or team member (not “{value}”)",
    ),
    "no_rows": ("文件中没有数据行", "The file has no data rows"),
    "already_granted": ("已有该角色", "Already holds this role"),
    "posting_ended": ("该派驻已结束", "This posting has already ended"),
    # Tables uploaded for import (backend/core/csvrows.py).
    "not_table": (
        "不是可读取的 CSV 或 .xlsx 文件",
        "Not a readable CSV or .xlsx file",
    ),
    "xls_not_supported": (
        "不支持旧的 .xls 格式，请在 Excel 中另存为 .xlsx 或 CSV",
        "The old .xls format is not supported: save it as .xlsx or CSV in Excel",
    ),
    "file_too_large": ("文件过大（上限 {limit}）", "The file is too large (limit {limit})"),
    "too_many_rows": (
        "行数过多（上限 {max} 行），请分批导入",
        "Too many rows (limit {max}); split the file",
    ),
    "too_many_columns": ("列数过多（上限 {max} 列）", "Too many columns (limit {max})"),
}

# Litestar and Pydantic speak English; their messages are mapped onto our codes.
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p, re.I), code)
    for p, code in [
        (r"date_too_early", "date_too_early"),
        (r"date_in_future", "date_in_future"),
        (r"date_too_late", "date_too_late"),
        (r"field required|missing required|object missing", "required"),
        (r"extra (inputs|fields) are not permitted|object contains unknown field", "unknown_field"),
        (r"valid integer|expected `int`|int_parsing|whole number", "not_integer"),
        (r"valid number|expected `(float|number)`|valid decimal", "not_number"),
        (r"match(ing)? (regex|pattern)|string_pattern_mismatch", "invalid"),
        (r"valid string|expected `str`", "not_text"),
        (r"valid boolean|expected `bool`", "not_bool"),
        (r"valid date(?!time)|expected `date`|date_", "not_date"),
        (r"valid datetime|expected `datetime`", "not_datetime"),
        (r"valid uuid|expected `uuid`|uuid", "not_uuid"),
        (r"valid list|expected `array`|expected `list`", "not_list"),
        (r"valid dictionary|expected `object`|model_type|valid dict", "not_object"),
        (r"at most \d+ (character|item)|too long|length <= ", "too_long"),
        (r"at least \d+ (character|item)|too short|length >= ", "too_short"),
        (r"greater than|>= ", "too_small"),
        (r"less than|<= ", "too_large"),
        (r"input should be '|literal_error|one of|permitted", "not_allowed"),
    ]
]


def field_code(message: str) -> str:
    for pattern, code in _PATTERNS:
        if pattern.search(message):
            return code
    return "invalid"


def localise_field_error(err: FieldError, lang: Lang) -> dict[str, Any]:
    pair = FIELD_MESSAGES.get(err.code) or MESSAGES.get(err.code) or FIELD_MESSAGES["invalid"]
    item: dict[str, Any] = {
        "field": err.field,
        "code": err.code,
        "message": text(pair, lang, **(err.params or {})),
    }
    if err.row is not None:
        item["row"] = err.row
    if err.sheet is not None:
        item["sheet"] = err.sheet
    if err.column is not None:
        item["column"] = err.column
    return item


def problem_response(
    request: Request[Any, Any, Any],
    status: int,
    code: str,
    *,
    params: dict[str, Any] | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[dict[str, Any]]:
    """Build the problem-details response in the caller's language."""
    lang = pick_lang(request.headers.get("accept-language"))
    pair = MESSAGES.get(code, MESSAGES["bad_request"])
    body: dict[str, Any] = {
        "type": f"/problems/{code}",
        "title": text(pair, lang, **(params or {})),
        "status": status,
        "detail": text(pair, lang, **(params or {})),
        "code": code,
    }
    request_id = request.scope.get("state", {}).get("request_id")
    if request_id:
        body["request_id"] = request_id
    if errors:
        body["errors"] = [localise_field_error(e, lang) for e in errors]
    return Response(
        content=body,
        status_code=status,
        media_type="application/problem+json",
        headers=headers or None,
    )


def _validation_errors(exc: ValidationException) -> list[FieldError]:
    extra = exc.extra if isinstance(exc.extra, list) else []
    errors: list[FieldError] = []
    for item in extra:
        if not isinstance(item, dict):
            continue
        message = str(item.get("message", ""))
        key = str(item.get("key") or item.get("source") or "body")
        errors.append(FieldError(field=key, code=_named_code(key, field_code(message))))
    if not errors and exc.detail:
        errors.append(FieldError(field="body", code=field_code(exc.detail)))
    return errors


def _named_code(key: str, code: str) -> str:
    """A malformed ``month`` (every one on this API is ``YYYY-MM``) says what it must be."""
    if code == "invalid" and key.rsplit(".", 1)[-1] == "month":
        return "not_month"
    return code


def _http_code(exc: HTTPException) -> str:
    if isinstance(exc, NotAuthorizedException):
        detail = (exc.detail or "").lower()
        return "unauthorized" if "no jwt token" in detail or not detail else "token_invalid"
    if isinstance(exc, PermissionDeniedException):
        return "forbidden"
    if isinstance(exc, NotFoundException):
        return "route_not_found"
    if isinstance(exc, MethodNotAllowedException):
        return "method_not_allowed"
    return {
        413: "payload_too_large",
        415: "unsupported_media_type",
        503: "service_unavailable",
    }.get(exc.status_code, "bad_request")


def _out_of_range(exc: Exception) -> bool:
    if isinstance(exc, OverflowError):
        return True
    # asyncpg: NumericValueOutOfRangeError (22003), without importing asyncpg on SQLite.
    return getattr(exc, "sqlstate", None) == "22003"


def size_text(size: int) -> str:
    """A byte count as people read it: ``12 MB``, ``512 KB``, ``900 B`` (binary units)."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            value = size / factor
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} B"


def _body_limit(request: Request[Any, Any, Any]) -> str:
    """The request body limit of the route (or the app) that refused the body."""
    limit = None
    try:
        limit = request.route_handler.resolve_request_max_body_size()
    except (AttributeError, KeyError, LookupError):
        limit = getattr(request.app, "request_max_body_size", None)
    return size_text(limit) if isinstance(limit, int) else "—"


def handle_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Litestar exception handler for everything: nothing leaves as a bare 500 page."""
    if isinstance(exc, DomainError):
        return problem_response(
            request,
            exc.status,
            exc.code,
            params=exc.params,
            errors=exc.errors,
            headers=exc.headers,
        )
    if isinstance(exc, ValidationException):
        return problem_response(request, 422, "validation_failed", errors=_validation_errors(exc))
    if isinstance(exc, HTTPException):
        code = _http_code(exc)
        params = {"limit": _body_limit(request)} if code == "payload_too_large" else None
        return problem_response(request, exc.status_code, code, params=params)
    if getattr(exc, "sqlstate", None) == "22021":
        # PostgreSQL refuses a character SQLite would store: the same answer on both.
        return problem_response(
            request, 422, "validation_failed", errors=[FieldError("body", "control_character")]
        )
    if _out_of_range(exc):
        # A safety net under the explicit bounds: a number the database cannot hold.
        return problem_response(
            request, 422, "validation_failed", errors=[FieldError("body", "too_large")]
        )
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(request, 500, "internal_error")
