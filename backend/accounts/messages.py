"""What accounts (login, passwords, 人员与派驻 roster and postings) says, in Chinese and English.

Plugged in by the manifest (``capability.py``); the core looks messages up by code.
"""

from __future__ import annotations

from backend.core.messages import Catalogue, Message

__all__ = ["Fields", "Problems", "RosterColumns"]


class Problems(Catalogue):
    """Titles of the errors accounts raises, by code."""

    bad_credentials = Message("手机号或密码不正确", "Wrong phone number or password")
    account_disabled = Message("账号已停用", "This account is disabled")
    too_many_attempts = Message(
        "登录尝试过于频繁，请于 {minutes} 分钟后再试",
        "Too many login attempts; try again in {minutes} minutes",
    )
    password_common = Message(
        "密码过于常见，容易被猜中，请换一个",
        "This password is too common and easily guessed; choose another",
    )
    password_is_phone = Message("密码不能使用手机号", "The password may not be your phone number")
    password_unchanged = Message(
        "新密码不能与当前密码相同",
        "The new password must differ from the current one",
    )
    password_too_short = Message(
        "密码至少需要 {min} 个字符",
        "The password needs at least {min} characters",
    )
    wrong_password = Message("当前密码不正确", "The current password is wrong")
    phone_taken = Message("该手机号已注册", "This phone number is already registered")
    last_admin = Message(
        "不能这样做：本县将没有可用的管理员账号",
        "Not possible: the county would be left without an active admin",
    )
    own_account = Message("不能停用自己的账号", "You cannot disable your own account")
    posting_ended = Message("该派驻已结束", "This posting has already ended")


class Fields(Catalogue):
    """Messages of the field errors accounts reports, by code."""

    outside_posting = Message(
        "该日期不在您驻该村的任职期内（任职期：{postings_zh}）",
        "Outside your posting to this village (posted {postings_en})",
    )
    bad_phone = Message("应为 11 位手机号", "Must be an 11-digit mobile number")
    duplicate_in_file = Message("与第 {first} 行的手机号重复", "Same phone as row {first}")
    phone_taken = Message("该手机号已有账号", "An account already has this phone")
    other_county = Message("不是本县的村：{code}", "Not a village of your county: {code}")
    bad_position = Message(
        "职务应为第一书记、工作队队长或工作队队员（不是“{value}”）",
        "Position must be first secretary, team leader or team member (not “{value}”)",
    )
    no_rows = Message("文件中没有数据行", "The file has no data rows")
    already_granted = Message("已有该角色", "Already holds this role")
    posting_ended = Message("该派驻已结束", "This posting has already ended")


class RosterColumns(Catalogue):
    """The cadre import's columns, by field: the template's Chinese header, and the English one
    (the field's name). Either is read."""

    name = Message("姓名", "name")
    phone = Message("手机号", "phone")
    village_code = Message("村代码", "village_code")
    position = Message("职务", "position")
    dispatching_unit = Message("派出单位", "dispatching_unit")
    start_date = Message("开始日期", "start_date")
    end_date = Message("结束日期", "end_date")
