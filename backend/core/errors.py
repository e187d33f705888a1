"""Domain errors: one flat hierarchy, translated into problem details in exactly one handler.

Each error carries a ``code``; its Chinese and English text is looked up in the catalogues
(``backend.core.messages``): the generic ones here, the others in the capability that raises it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backend.core.messages import Catalogue, Message, register_problems

__all__ = [
    "Conflict",
    "DomainError",
    "FieldError",
    "Forbidden",
    "NotFound",
    "PayloadTooLarge",
    "Problems",
    "ServiceUnavailable",
    "Unauthorized",
    "ValidationFailed",
]


class Problems(Catalogue):
    """Titles of the generic errors, by code; each capability plugs in its own
    (``backend/<capability>/messages.py``). ``{name}`` placeholders come from the params."""

    bad_request = Message("请求有误", "Bad request")
    validation_failed = Message("提交的数据有误，请检查标出的字段", "Some fields are invalid")
    not_found = Message("找不到该对象，或您无权查看", "Not found, or not yours to see")
    route_not_found = Message("没有这个接口", "No such endpoint")
    method_not_allowed = Message("该接口不支持此方法", "Method not allowed on this endpoint")
    forbidden = Message("您无权执行此操作", "You may not do this")
    unauthorized = Message("请先登录", "Please log in")
    token_invalid = Message(
        "登录已失效，请重新登录",
        "Your session has expired; please log in again",
    )
    password_change_required = Message(
        "请先修改临时密码",
        "Please change your temporary password first",
    )
    request_timeout = Message(
        "上传中断或过慢，请在网络较好时重试，内容不会丢失",
        "The upload stalled; retry on a better connection, nothing is lost",
    )
    uploads_busy = Message(
        "同时上传的人太多，请稍后重试，内容不会丢失",
        "Too many uploads at once; retry shortly, nothing is lost",
    )
    conflict = Message(
        "数据已被他人修改，请刷新后重试",
        "Someone changed this meanwhile; reload and retry",
    )
    payload_too_large = Message(
        "上传内容过大（上限 {limit}）",
        "The upload is too large (limit {limit})",
    )
    unsupported_media_type = Message("不支持的内容类型", "Unsupported content type")
    internal_error = Message(
        "服务器出错，您的数据未丢失，请稍后重试",
        "Server error; nothing you sent was lost, please retry later",
    )
    service_unavailable = Message("服务暂不可用，请稍后重试", "Service unavailable, retry later")
    own_record = Message("不能审核自己的记录", "Nobody reviews their own records")
    wrong_state = Message(
        "该记录当前状态不允许此操作",
        "Not possible in the record's current state",
    )
    locked = Message(
        "已提交或已审核，不能再修改",
        "Submitted or decided: it can no longer be changed",
    )
    import_failed = Message(
        "导入失败：{count} 行有误，未导入任何数据",
        "Import failed: {count} rows have errors; nothing was imported",
    )


register_problems(Problems)


@dataclass(frozen=True)
class FieldError:
    """One field's problem: dotted path, a message code and its params."""

    field: str
    code: str
    params: dict[str, Any] | None = None
    #: Optional source row (imports report the row number of the file).
    row: int | None = None
    #: Optional source sheet of a workbook (an XLSForm reports sheet, row and column).
    sheet: str | None = None
    #: Optional source column, as the file's header wrote it (imports of tables).
    column: str | None = None


class DomainError(Exception):
    """Base of every error a client may see. ``status`` is the HTTP status."""

    status: int = 400
    code: str = "bad_request"

    def __init__(
        self,
        message_code: str | None = None,
        /,
        *,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        **params: Any,
    ) -> None:
        self.code = message_code or self.code
        self.params = params
        self.errors = errors or []
        self.headers = headers or {}
        super().__init__(self.code)


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"


class NotFound(DomainError):
    """Missing or outside the caller's scope: the two are indistinguishable on purpose."""

    status = 404
    code = "not_found"


class Forbidden(DomainError):
    """Known to exist (or not secret) but not the caller's to act on."""

    status = 403
    code = "forbidden"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class ServiceUnavailable(DomainError):
    """Busy for a moment (hashing queue or upload slots full): retry after ``Retry-After``."""

    status = 503
    code = "service_unavailable"


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"
