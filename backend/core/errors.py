"""Domain errors: one flat hierarchy, translated into problem details in exactly one handler.

Each error carries a ``code``; its Chinese and English text lives in ``MESSAGES``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "MESSAGES",
    "AccountLocked",
    "Conflict",
    "DomainError",
    "FieldError",
    "Forbidden",
    "NotFound",
    "PayloadTooLarge",
    "ServiceUnavailable",
    "TooManyAttempts",
    "Unauthorized",
    "ValidationFailed",
]

#: code → (Chinese, English). ``{name}`` placeholders are filled from the error's params.
MESSAGES: dict[str, tuple[str, str]] = {
    "bad_request": ("请求有误", "Bad request"),
    "validation_failed": ("提交的数据有误，请检查标出的字段", "Some fields are invalid"),
    "not_found": ("找不到该对象，或您无权查看", "Not found, or not yours to see"),
    "route_not_found": ("没有这个接口", "No such endpoint"),
    "method_not_allowed": ("该接口不支持此方法", "Method not allowed on this endpoint"),
    "forbidden": ("您无权执行此操作", "You may not do this"),
    "unauthorized": ("请先登录", "Please log in"),
    "token_invalid": ("登录已失效，请重新登录", "Your session has expired; please log in again"),
    "bad_credentials": ("手机号或密码不正确", "Wrong phone number or password"),
    "account_locked": (
        "连续登录失败次数过多，账号已锁定，请于 {minutes} 分钟后再试",
        "Too many failed logins; the account is locked, try again in {minutes} minutes",
    ),
    "account_disabled": ("账号已停用", "This account is disabled"),
    "too_many_attempts": (
        "登录尝试过于频繁，请于 {minutes} 分钟后再试",
        "Too many login attempts; try again in {minutes} minutes",
    ),
    "password_change_required": (
        "请先修改临时密码",
        "Please change your temporary password first",
    ),
    "password_common": (
        "密码过于常见，容易被猜中，请换一个",
        "This password is too common and easily guessed; choose another",
    ),
    "password_is_phone": (
        "密码不能使用手机号",
        "The password may not be your phone number",
    ),
    "password_unchanged": (
        "新密码不能与当前密码相同",
        "The new password must differ from the current one",
    ),
    "request_timeout": (
        "上传中断或过慢，请在网络较好时重试，内容不会丢失",
        "The upload stalled; retry on a better connection, nothing is lost",
    ),
    "uploads_busy": (
        "同时上传的人太多，请稍后重试，内容不会丢失",
        "Too many uploads at once; retry shortly, nothing is lost",
    ),
    "password_too_short": (
        "密码至少需要 {min} 个字符",
        "The password needs at least {min} characters",
    ),
    "wrong_password": ("当前密码不正确", "The current password is wrong"),
    "conflict": (
        "数据已被他人修改，请刷新后重试",
        "Someone changed this meanwhile; reload and retry",
    ),
    "payload_too_large": (
        "上传内容过大（上限 {limit}）",
        "The upload is too large (limit {limit})",
    ),
    "unsupported_media_type": ("不支持的内容类型", "Unsupported content type"),
    "internal_error": (
        "服务器出错，您的数据未丢失，请稍后重试",
        "Server error; nothing you sent was lost, please retry later",
    ),
    "service_unavailable": ("服务暂不可用，请稍后重试", "Service unavailable, retry later"),
    "unknown_division": ("未知的行政区划代码：{code}", "Unknown division code: {code}"),
    "phone_taken": ("该手机号已注册", "This phone number is already registered"),
    "hash_mismatch": (
        "上传内容的 SHA-256 与地址不符，请重新上传",
        "The SHA-256 of the body does not match the address; upload again",
    ),
    "image_too_many_pixels": (
        "图片像素过多（上限 {max_pixels} 像素）",
        "The image has too many pixels (limit {max_pixels})",
    ),
    "image_unsupported": (
        "不支持的图片格式（支持 {allowed}）",
        "Unsupported image format (allowed: {allowed})",
    ),
    "image_corrupt": ("图片已损坏或不完整", "The image is damaged or incomplete"),
    "own_record": ("不能审核自己的记录", "Nobody reviews their own records"),
    "already_submitted": (
        "该月报告单已提交或已确认",
        "This month is already submitted or confirmed",
    ),
    "not_posted": ("该月您没有驻村任职", "You have no posting in that month"),
    "wrong_state": ("该记录当前状态不允许此操作", "Not possible in the record's current state"),
    "county_decides": (
        "超过乡镇审批天数，须由县里审批",
        "Above the township's limit: the county decides",
    ),
    "locked": ("已提交或已审核，不能再修改", "Submitted or decided: it can no longer be changed"),
    "over_quota": ("超过本单位名额（{seats} 名）", "More than the unit's seats ({seats})"),
    "xlsform_invalid": (
        "调查表（XLSForm）有不支持的内容，未导入任何内容，请按所列表、行、列修改",
        "The XLSForm has unsupported content; nothing was imported. Fix the listed sheet, "
        "row and column",
    ),
    "already_published": ("调查表没有改动，已是发布的版本", "Nothing changed since publishing"),
    "push_not_configured": (
        "本服务器未开启网页推送，通知仍会送到收件箱",
        "Web Push is not configured on this server; notices still reach your inbox",
    ),
    "endpoint_not_https": ("推送地址必须使用 https", "The push endpoint must use https"),
    "endpoint_not_allowed": (
        "推送地址不能指向本机或内部网络",
        "The push endpoint may not point to this machine or a private network",
    ),
    "push_key_invalid": ("浏览器提供的推送密钥无效", "The browser's push keys are invalid"),
    "trip_cap": (
        "本月往返交通已达上限（{max} 次）",
        "The month's round trips are at the limit ({max})",
    ),
    "has_flags": (
        "有核查提示，须逐件审核，不能批量通过",
        "It has verification flags: review it on its own, not in bulk",
    ),
    "same_reviewer": (
        "乡镇审核人不能再做县级审核",
        "The township's reviewer cannot also give the county's approval",
    ),
    "already_corrected": (
        "该申请已有一份更正申请",
        "This claim already has a correction",
    ),
    "import_failed": (
        "导入失败：{count} 行有误，未导入任何数据",
        "Import failed: {count} rows have errors; nothing was imported",
    ),
    # 人员与派驻 (backend/accounts/roster)
    "last_admin": (
        "不能这样做：本县将没有可用的管理员账号",
        "Not possible: the county would be left without an active admin",
    ),
    "own_account": ("不能停用自己的账号", "You cannot disable your own account"),
    "posting_ended": ("该派驻已结束", "This posting has already ended"),
}


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


class AccountLocked(DomainError):
    status = 429
    code = "account_locked"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class TooManyAttempts(DomainError):
    """Login throttled (per client address, or per phone from one address)."""

    status = 429
    code = "too_many_attempts"


class ServiceUnavailable(DomainError):
    """Busy for a moment (hashing queue or upload slots full): retry after ``Retry-After``."""

    status = 503
    code = "service_unavailable"


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"
