"""Chinese by default; English from the settings screen, kept across a reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.support import CADRE_OTHER, login


@pytest.mark.e2e
def test_chinese_by_default_and_english_from_settings(page, shot):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", name="登录驻村")).to_be_visible()
    expect(page.get_by_test_id("login-submit")).to_have_text("登录")

    login(page, CADRE_OTHER)
    expect(page.get_by_role("heading", name="工作日志")).to_be_visible()
    expect(page.get_by_test_id("nav-today")).to_have_text("今日")
    expect(page.get_by_test_id("nav-month")).to_have_text("本月")
    expect(page.get_by_test_id("nav-me")).to_have_text("我的")
    expect(page.get_by_test_id("log-save")).to_have_text("保存")
    expect(page.get_by_test_id("log-kind-visit")).to_have_text("走访")

    page.get_by_test_id("nav-me").click()
    expect(page.get_by_role("heading", name="我的")).to_be_visible()
    expect(page.get_by_test_id("me-outbox")).to_contain_text("待发送")
    expect(page.get_by_test_id("logout")).to_have_text("退出登录")
    shot(page, "settings-zh")

    page.get_by_test_id("lang-switch").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Me")).to_be_visible()
    expect(page.get_by_test_id("logout")).to_have_text("Log out")
    expect(page.get_by_test_id("nav-today")).to_have_text("Today")
    expect(page.get_by_test_id("nav-me")).to_have_text("Me")
    expect(page.get_by_text("我的")).to_have_count(0)
    shot(page, "settings-en")
    page.get_by_test_id("me-outbox").click()
    expect(page.get_by_role("heading", name="Outbox")).to_be_visible()
    expect(page.get_by_test_id("sync-now")).to_have_text("Sync now")
    shot(page, "outbox-en")

    # The choice sticks: after a reload the other screens are in English too.
    page.reload()
    expect(page.get_by_role("heading", name="Outbox")).to_be_visible()
    expect(page.get_by_test_id("nav-me")).to_have_text("Me")
    page.get_by_test_id("nav-today").click()
    expect(page.get_by_role("heading", name="Work log")).to_be_visible()
    expect(page.get_by_test_id("log-kind-visit")).to_have_text("Visit")
    expect(page.get_by_test_id("log-save")).to_have_text("Save")
    shot(page, "today-en")

    # And back to Chinese.
    page.get_by_test_id("nav-me").click()
    page.get_by_test_id("lang-switch").select_option("zh")
    expect(page.get_by_role("heading", name="我的")).to_be_visible()
    expect(page.get_by_test_id("nav-today")).to_have_text("今日")
