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
from pydantic import BaseModel

from backend.core.errors import DomainError, FieldError, Problems
from backend.core.i18n import Lang, pick_lang, text
from backend.core.messages import (
    Catalogue,
    Message,
    field_message,
    problem_message,
    register_fields,
)

if TYPE_CHECKING:
    from litestar import Request

__all__ = [
    "Fields",
    "LocalisedFieldError",
    "field_code",
    "handle_exception",
    "localise_field_error",
    "problem_response",
    "problem_text",
]

log = logging.getLogger("zhucun.errors")

class Fields(Catalogue):
    """Messages of the generic field errors, by code; each capability plugs in its own."""

    required = Message("必填", "Required")
    invalid = Message("格式不正确", "Invalid value")
    not_integer = Message("应为整数", "Must be a whole number")
    not_number = Message("应为数字", "Must be a number")
    not_text = Message("应为文字", "Must be text")
    not_bool = Message("应为是或否", "Must be true or false")
    not_date = Message("应为日期 YYYY-MM-DD", "Must be a date YYYY-MM-DD")
    not_month = Message("应为月份 YYYY-MM（月为 01–12）", "Must be a month YYYY-MM (01–12)")
    not_datetime = Message("应为时间（ISO 8601）", "Must be a date-time (ISO 8601)")
    not_uuid = Message("应为 UUID", "Must be a UUID")
    not_list = Message("应为列表", "Must be a list")
    not_object = Message("应为对象", "Must be an object")
    not_found = Message("不存在", "Does not exist")
    too_long = Message("过长", "Too long")
    too_short = Message("过短", "Too short")
    too_small = Message("数值过小", "Too small")
    too_large = Message("数值过大", "Too large")
    too_deep = Message("嵌套层数过多（上限 {max} 层）", "Nested too deeply (limit {max} levels)")
    too_many_items = Message("项数过多（上限 {max} 项）", "Too many items (limit {max})")
    control_character = Message(
        "含有不可见的控制字符（如 NUL），请删除后重试",
        "Contains an invisible control character (such as NUL); remove it and retry",
    )
    date_too_early = Message(
        "日期早于 2018 年，不在合理范围内",
        "Before 2018: not a plausible date",
    )
    date_in_future = Message("日期不能晚于今天", "The date cannot be after today")
    date_too_late = Message("日期不能晚于一年之后", "The date cannot be more than a year ahead")
    not_allowed = Message("不是允许的取值", "Not one of the allowed values")
    unknown_field = Message("不认识的字段", "Unknown field")
    out_of_scope = Message("不在您的管辖范围内", "Outside your scope")
    duplicate = Message("重复", "Duplicate")
    locked = Message(
        "已提交或已审核，不能再修改",
        "Submitted or decided: it can no longer be changed",
    )
    before_start = Message("结束日期早于开始日期", "The end is before the start")
    not_table = Message("不是可读取的 CSV 或 .xlsx 文件", "Not a readable CSV or .xlsx file")
    xls_not_supported = Message(
        "不支持旧的 .xls 格式，请在 Excel 中另存为 .xlsx 或 CSV",
        "The old .xls format is not supported: save it as .xlsx or CSV in Excel",
    )
    file_too_large = Message("文件过大（上限 {limit}）", "The file is too large (limit {limit})")
    too_many_rows = Message(
        "行数过多（上限 {max} 行），请分批导入",
        "Too many rows (limit {max}); split the file",
    )
    too_many_columns = Message("列数过多（上限 {max} 列）", "Too many columns (limit {max})")


register_fields(Fields)

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


class LocalisedFieldError(BaseModel):
    """A field's error in the reader's language, as a body lists it beside its own data (an
    import's warnings, what would stop publishing); an import's also say where: ``sheet``,
    ``row`` and the ``column`` as the file's header wrote it."""

    field: str
    code: str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None


def localise_field_error(err: FieldError, lang: Lang) -> dict[str, Any]:
    pair = field_message(err.code) or problem_message(err.code) or Fields.invalid
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


def problem_text(code: str, lang: Lang, /, **params: Any) -> str:
    """The title of an error answer with ``code`` (a bad request's when the code is unknown)."""
    return text(problem_message(code) or Problems.bad_request, lang, **params)


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
    title = problem_text(code, lang, **(params or {}))
    body: dict[str, Any] = {
        "type": f"/problems/{code}",
        "title": title,
        "status": status,
        "detail": title,
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
