"""人员与派驻 and 审计日志 in the console, by clicking, at a phone's and a desk's width.

The county admin searches the roster, creates a cadre with a posting (temporary password shown
once), transfers and ends the posting, disables and re-enables the account, grants and revokes
a role, is refused disabling themselves and giving up the county's last admin role, imports a
file (a bad one refused whole with its rows named, then a good one previewed and committed),
and reads the person's audit trail with the chain verified. A township reviewer reads only
their township, without any button that changes anything.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.review_steps import QINGSHAN, REVIEWER_QINGSHAN
from tests.e2e.support import COUNTY_ADMIN, DEMO_PASSWORD, login

SIZES = {"phone": (360, 740), "desk": (1280, 800)}
#: 青山镇's second and third villages (the demo's village codes).
VILLAGE_2, VILLAGE_3 = "529901001202", "529901001203"
ROSTER = "/api/accounts/roster"


def _open_console(page, section: str) -> None:
    page.get_by_test_id("nav-console").click()
    page.get_by_test_id(f"console-nav-{section}").click()


def _visible(page, testid: str):
    return page.locator(f'[data-testid="{testid}"]:visible')


def _roster(server, **params) -> dict:
    r = server.get(f"{ROSTER}/people", COUNTY_ADMIN, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def _login_answer(server, phone: str, password: str) -> int:
    """The status of a login; a temporary password logs in only to be changed."""
    with server.http() as c:
        r = c.post("/api/auth/login", json={"phone": phone, "password": password})
    if r.status_code == 200:
        assert r.json()["must_change_password"] is True, r.text
    return r.status_code


@pytest.mark.e2e
@pytest.mark.parametrize("size", ["phone", "desk"])
def test_county_admin_runs_people_and_postings(page, server, shot, size):
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    phone = "1370000000" + ("1" if size == "phone" else "2")
    page.goto("/")
    login(page, COUNTY_ADMIN)
    _open_console(page, "people")
    # Every section is in view at 360 px: none hides past the right edge.
    links = page.locator(".console-nav a")
    expect(links).to_have_count(6)
    for i in range(6):
        box = links.nth(i).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (i, box)

    # The county's people, then 青山镇's cadres, then one by phone.
    everyone = _roster(server)["total"]
    expect(page.get_by_test_id("people-total")).to_have_attribute("data-total", str(everyone))
    expect(_visible(page, "person")).to_have_count(min(everyone, 20))
    shot(page, f"console-people-list-{size}")
    page.get_by_test_id("filter-township").select_option(QINGSHAN)
    page.get_by_test_id("filter-role").select_option("cadre")
    page.get_by_test_id("filter-apply").click()
    cadres = _roster(server, township=QINGSHAN, role="cadre")["total"]
    assert 0 < cadres < everyone
    expect(page.get_by_test_id("people-total")).to_have_attribute("data-total", str(cadres))
    expect(page.get_by_test_id("page-of")).to_contain_text(f"/ {-(-cadres // 20)}")
    page.get_by_test_id("page-next").click()
    expect(page.get_by_test_id("page-of")).to_contain_text("2 /")
    page.get_by_test_id("filter-q").fill("13900000001")
    page.get_by_test_id("filter-apply").click()
    expect(page.get_by_test_id("people-total")).to_have_attribute("data-total", "1")
    expect(_visible(page, "person")).to_have_attribute("data-phone", "13900000001")
    shot(page, f"console-people-search-{size}")

    # A new cadre with a posting: one form, the temporary password shown once.
    page.get_by_test_id("people-new").click()
    page.get_by_test_id("cadre-name").fill(f"测试干部{size}")
    page.get_by_test_id("cadre-phone").fill(phone)
    page.get_by_test_id("cadre-township").select_option(QINGSHAN)
    page.get_by_test_id("cadre-village").select_option(VILLAGE_2)
    page.get_by_test_id("cadre-position").select_option("first_secretary")
    page.get_by_test_id("cadre-unit").fill("县交通局")
    page.get_by_test_id("cadre-start").fill("2026-01-05")
    page.get_by_test_id("cadre-submit").click()
    expect(page.get_by_test_id("cadre-created")).to_be_visible()
    temporary = page.get_by_test_id("temp-password").inner_text().strip()
    assert len(temporary) >= 10
    shot(page, f"console-people-created-{size}")
    assert _login_answer(server, phone, temporary) == 200
    page.get_by_test_id("open-created").click()
    expect(page.get_by_test_id("person-name")).to_have_text(f"测试干部{size}")
    expect(page.get_by_test_id("posting")).to_have_count(1)
    expect(page.get_by_test_id("posting")).to_have_attribute("data-village", VILLAGE_2)

    # Transfer to the third village: the old posting ends, the new one starts the next day.
    page.get_by_test_id("posting-transfer").click()
    page.get_by_test_id("posting-end-date").fill("2026-06-30")
    page.get_by_test_id("transfer-village").select_option(VILLAGE_3)
    page.get_by_test_id("posting-reason").fill("工作需要")
    shot(page, f"console-people-transfer-{size}")
    page.get_by_test_id("posting-confirm").click()
    postings = page.get_by_test_id("posting")
    expect(postings).to_have_count(2)
    expect(postings.nth(0).get_by_test_id("posting-dates")).to_contain_text("2026-06-30")
    expect(postings.nth(1)).to_have_attribute("data-village", VILLAGE_3)
    expect(postings.nth(1).get_by_test_id("posting-dates")).to_contain_text("2026-07-01")
    # …and then the new posting ends too (a bad end date first: refused with its reason).
    postings.nth(1).get_by_test_id("posting-end").click()
    page.get_by_test_id("posting-end-date").fill("2026-05-01")
    page.get_by_test_id("posting-confirm").click()
    expect(page.get_by_test_id("error-end_date")).to_contain_text("结束日期早于开始日期")
    page.get_by_test_id("posting-end-date").fill("2026-08-31")
    page.get_by_test_id("posting-confirm").click()
    expect(postings.nth(1).get_by_test_id("posting-dates")).to_contain_text("2026-08-31")
    postings.nth(0).scroll_into_view_if_needed()
    shot(page, f"console-people-postings-{size}")

    # Disable: no more login; enable again.
    page.get_by_test_id("disable").click()
    page.get_by_test_id("disable-reason").fill("调离")
    page.get_by_test_id("disable-confirm").click()
    expect(page.get_by_test_id("person-status")).to_have_attribute("data-state", "disabled")
    assert _login_answer(server, phone, temporary) == 403
    shot(page, f"console-people-disabled-{size}")
    page.get_by_test_id("enable").click()
    expect(page.get_by_test_id("person-status")).to_have_attribute("data-state", "active")
    assert _login_answer(server, phone, temporary) == 200

    # A new temporary password, shown once: the old one stops working.
    page.get_by_test_id("reset-password").click()
    expect(page.get_by_test_id("temp-password")).to_be_visible()
    reset = page.get_by_test_id("temp-password").inner_text().strip()
    assert reset != temporary
    shot(page, f"console-people-reset-{size}")
    assert _login_answer(server, phone, temporary) == 401
    assert _login_answer(server, phone, reset) == 200

    # A role over a township of the county, then revoked.
    page.get_by_test_id("grant-role").select_option("township_reviewer")
    page.get_by_test_id("grant-division").select_option(QINGSHAN)
    page.get_by_test_id("grant-submit").click()
    expect(page.get_by_test_id("grant")).to_have_count(1)
    expect(page.get_by_test_id("grant")).to_have_attribute("data-division", QINGSHAN)
    page.get_by_test_id("revoke").click()
    expect(page.get_by_test_id("grant")).to_have_count(0)

    # The person's audit trail: every change above, and the chain verifies.
    page.get_by_test_id("person-audit").click()
    expect(page.get_by_test_id("audit-chain")).to_have_attribute("data-ok", "yes")
    expect(page.get_by_test_id("audit-person")).to_contain_text(phone)
    events = page.get_by_test_id("audit-event")
    for action in ("accounts.user_created", "accounts.posting_transferred",
                   "accounts.posting_ended", "accounts.user_disabled", "accounts.user_enabled",
                   "accounts.role_granted", "accounts.role_revoked", "accounts.password_reset"):
        expect(page.locator(f'[data-testid="audit-event"][data-action="{action}"]')).to_have_count(1)
    # …and the sessions the disabling ended.
    expect(page.locator('[data-testid="audit-event"][data-action="accounts.sessions_ended"]')
           ).to_have_count(1)
    expect(events).to_have_count(9)
    shot(page, f"console-audit-person-{size}")


@pytest.mark.e2e
@pytest.mark.parametrize("size", ["phone", "desk"])
def test_the_admin_cannot_lock_the_county_out(page, server, shot, size):
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    page.goto("/")
    login(page, COUNTY_ADMIN)
    _open_console(page, "people")
    page.get_by_test_id("filter-q").fill(COUNTY_ADMIN)
    page.get_by_test_id("filter-apply").click()
    expect(page.get_by_test_id("people-total")).to_have_attribute("data-total", "1")
    _visible(page, "person").locator("a").first.click()
    expect(page.get_by_test_id("person-name")).to_be_visible()
    # Not oneself…
    expect(page.get_by_test_id("disable")).to_be_disabled()
    # …and not the county's last admin role.
    page.locator('[data-testid="grant"][data-role="county_admin"]').get_by_test_id("revoke").click()
    expect(page.get_by_test_id("person-error")).to_contain_text("没有可用的管理员")
    expect(page.locator('[data-testid="grant"][data-role="county_admin"]')).to_have_count(1)
    shot(page, f"console-people-last-admin-{size}")
    roles = server.get(f"{ROSTER}/people", COUNTY_ADMIN, params={"role": "county_admin"}).json()
    assert roles["total"] == 1


def _bad_file(tmp_path: Path) -> Path:
    path = tmp_path / "bad.csv"
    path.write_text(
        "姓名,手机号,村代码,职务,派出单位,开始日期,结束日期\n"
        f"甲,13711110001,{VILLAGE_2},第一书记,县财政局,2026-03-01,\n"
        f"乙,13711110001,{VILLAGE_2},工作队队员,,2026-03-01,\n"
        f"丙,13900000001,{VILLAGE_3},,,2026-03-01,\n"
        "丁,13711110004,529901999999,,,2026-03-01,\n"
        f"戊,13711110005,{VILLAGE_3},村主任,,2026-13-01,\n",
        encoding="utf-8",
    )
    return path


def _good_file(tmp_path: Path, size: str) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "手机号", "村代码", "职务", "派出单位", "开始日期", "结束日期"])
    base = 13722220000 + (10 if size == "desk" else 0)
    for i, village in enumerate((VILLAGE_2, VILLAGE_3, VILLAGE_3)):
        sheet.append([f"导入{size}{i}", str(base + i), village, "工作队队员", "县林业局",
                      "2026-03-01", None])
    path = tmp_path / "good.xlsx"
    book.save(path)
    return path


@pytest.mark.e2e
@pytest.mark.parametrize("size", ["phone", "desk"])
def test_county_admin_imports_cadres_all_or_nothing(page, server, shot, size, tmp_path):
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    page.goto("/")
    login(page, COUNTY_ADMIN)
    _open_console(page, "people")
    before = _roster(server)["total"]
    page.get_by_test_id("people-import").click()

    # The template arrives with the Chinese headers.
    with page.expect_download() as dl:
        page.get_by_test_id("template-xlsx").click()
    from openpyxl import load_workbook

    assert dl.value.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(Path(dl.value.path()).read_bytes()))
    headers = [c.value for c in book.worksheets[0][1]]
    assert headers[:3] == ["姓名", "手机号", "村代码"]

    # A bad file: refused whole, every bad row named with its column.
    page.get_by_test_id("import-file").set_input_files(str(_bad_file(tmp_path)))
    page.get_by_test_id("import-check").click()
    expect(page.get_by_test_id("import-refused")).to_contain_text("4 行有误")
    rows = page.get_by_test_id("problem-row")
    expect(rows).to_have_count(4)
    assert rows.evaluate_all("rs => rs.map(r => r.dataset.row)") == ["3", "4", "5", "6"]
    expect(rows.nth(0)).to_contain_text("手机号：与第 2 行的手机号重复")
    expect(rows.nth(1)).to_contain_text("该手机号已有账号")
    expect(rows.nth(2)).to_contain_text("村代码")
    expect(rows.nth(3)).to_contain_text("职务")
    expect(rows.nth(3)).to_contain_text("开始日期")
    shot(page, f"console-people-import-refused-{size}")
    assert _roster(server)["total"] == before, "nothing may be half-imported"

    # A good workbook: previewed (nothing saved), then committed whole.
    page.get_by_test_id("import-file").set_input_files(str(_good_file(tmp_path, size)))
    page.get_by_test_id("import-check").click()
    expect(page.get_by_test_id("import-preview")).to_have_attribute("data-count", "3")
    expect(page.get_by_test_id("import-row")).to_have_count(3)
    shot(page, f"console-people-import-preview-{size}")
    assert _roster(server)["total"] == before
    page.get_by_test_id("import-commit").click()
    expect(page.get_by_test_id("import-done")).to_have_attribute("data-count", "3")
    passwords = page.get_by_test_id("import-password").all_inner_texts()
    assert len(passwords) == 3 and all(len(p) >= 10 for p in passwords)
    shot(page, f"console-people-import-done-{size}")
    assert _roster(server)["total"] == before + 3
    with page.expect_download() as dl:
        page.get_by_test_id("import-passwords").click()
    text = Path(dl.value.path()).read_text(encoding="utf-8-sig")
    assert passwords[0] in text and text.startswith("姓名,手机号")


@pytest.mark.e2e
@pytest.mark.parametrize("size", ["phone", "desk"])
def test_township_reviewer_reads_only_their_township(page, server, context, shot, size):
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    page.goto("/")
    login(page, REVIEWER_QINGSHAN)
    _open_console(page, "people")
    with server.http() as c:
        token = c.post("/api/auth/login", json={"phone": REVIEWER_QINGSHAN,
                                                "password": DEMO_PASSWORD}).json()["access_token"]
        mine = c.get(f"{ROSTER}/people", params={"page_size": 100},
                     headers={"Authorization": f"Bearer {token}"}).json()
    assert mine["can_edit"] is False and mine["total"] > 0
    assert all(p["postings"] and all(x["township_code"] == QINGSHAN for x in p["postings"])
               for p in mine["items"])
    expect(page.get_by_test_id("people-total")).to_have_attribute("data-total", str(mine["total"]))
    expect(page.get_by_test_id("people-new")).to_have_count(0)
    expect(page.get_by_test_id("people-import")).to_have_count(0)
    expect(page.get_by_test_id("console-nav-audit")).to_have_count(0)
    _visible(page, "person").first.locator("a").first.click()
    expect(page.get_by_test_id("posting").first).to_be_visible()
    expect(page.get_by_test_id("posting-end")).to_have_count(0)
    expect(page.get_by_test_id("disable")).to_have_count(0)
    expect(page.get_by_test_id("grant-form")).to_have_count(0)
    shot(page, f"console-people-reviewer-{size}")
    # Offline, the console says plainly that it needs the network.
    context.set_offline(True)
    expect(page.get_by_test_id("console-offline")).to_be_visible()
    shot(page, f"console-people-offline-{size}")
    context.set_offline(False)


@pytest.mark.e2e
@pytest.mark.parametrize("size", ["phone", "desk"])
def test_county_admin_browses_the_audit_log(page, server, shot, size):
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    page.goto("/")
    login(page, COUNTY_ADMIN)
    _open_console(page, "audit")
    assert server.get("/api/audit/verify", COUNTY_ADMIN).json()["ok"] is True
    expect(page.get_by_test_id("audit-chain")).to_have_attribute("data-ok", "yes")
    expect(page.get_by_test_id("audit-event")).to_have_count(50)
    shot(page, f"console-audit-{size}")
    page.get_by_test_id("audit-more").click()
    expect(page.get_by_test_id("audit-count")).not_to_have_attribute("data-count", "50")
    # Only one kind of action, then one person found by phone.
    page.get_by_test_id("audit-action").select_option("accounts")
    page.get_by_test_id("audit-apply").click()
    expect(page.get_by_test_id("audit-event").first).to_have_attribute("data-action",
                                                                       re.compile(r"^accounts\."))
    expect(page.locator('[data-testid="audit-event"]:not([data-action^="accounts."])')
           ).to_have_count(0)
    page.get_by_test_id("audit-action").select_option("")
    page.get_by_test_id("audit-person-find").fill("13900000001")
    page.get_by_test_id("audit-person-option").first.click()
    page.get_by_test_id("audit-apply").click()
    expect(page.get_by_test_id("audit-person")).to_contain_text("13900000001")
    cadre = _roster(server, q="13900000001")["items"][0]["id"]
    expect(page.locator(f'[data-testid="audit-event"][data-object="{cadre}"]').first).to_be_visible()
    shot(page, f"console-audit-filtered-{size}")
