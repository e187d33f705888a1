"""Shared pieces of the e2e tests: the server handle, a camera-like photo, and UI steps."""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from playwright.sync_api import BrowserContext, Page, expect

ROOT = Path(__file__).resolve().parents[2]
PWA_DIST = ROOT / "pwa" / "dist"
SCREENSHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM = Path(os.environ.get("ZHUCUN_E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHANGHAI = ZoneInfo("Asia/Shanghai")
#: axe-core from the PWA's dev dependencies (npm install), injected into pages under test.
AXE_JS = ROOT / "pwa" / "node_modules" / "axe-core" / "axe.min.js"

DEMO_PASSWORD = "zhucun-demo"
COUNTY_ADMIN = "13800000001"
#: Three cadres posted to 红岩村 (529901001201) of 青山镇.
CADRE_A = "13900000001"
CADRE_B = "13900000002"
CADRE_C = "13900000003"
#: Cadres of 青山镇's second village (529901001202).
CADRE_OTHER = "13900000004"
CADRE_D = "13900000005"
CADRE_E = "13900000006"
VILLAGE = "529901001201"

#: How long the UI may take to reach a state (sync schedule, SW install) on a slow machine.
UI_TIMEOUT_MS = 20_000


@dataclass
class Server:
    """The running server and a few HTTP helpers for checking its state."""

    url: str
    log: Path
    _tokens: dict[str, str] = field(default_factory=dict)

    def http(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=15)

    def token(self, phone: str) -> str:
        """An access token for a demo account (one login per phone and session)."""
        if phone not in self._tokens:
            with self.http() as c:
                r = c.post("/api/auth/login", json={"phone": phone, "password": DEMO_PASSWORD})
                assert r.status_code == 200, f"login {phone}: {r.status_code} {r.text}"
                self._tokens[phone] = r.json()["access_token"]
        return self._tokens[phone]

    def get(self, path: str, phone: str, **kw: Any) -> httpx.Response:
        with self.http() as c:
            return c.get(path, headers={"Authorization": f"Bearer {self.token(phone)}"}, **kw)

    def pull_all(self, phone: str) -> list[dict]:
        """Every change the server has for this user, following the cursor to the end."""
        changes: list[dict] = []
        since: str | None = None
        for _ in range(100):
            r = self.get("/api/sync/pull", phone, params={"since": since} if since else {})
            assert r.status_code == 200, f"pull as {phone}: {r.status_code} {r.text}"
            body = r.json()
            changes.extend(body.get("changes") or [])
            if not body.get("more") or body.get("cursor") == since:
                break
            since = body.get("cursor")
        return changes

    def work_logs(self, phone: str, text: str) -> list[dict]:
        """This cadre's (not deleted) work logs with exactly this text, as pull returns them."""
        return [
            c
            for c in self.pull_all(phone)
            if c.get("kind") == "work_log"
            and not c.get("deleted")
            and (c.get("data") or {}).get("text") == text
        ]

    def tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


def make_photo_jpeg(when: datetime | None = None, size: tuple[int, int] = (1200, 900)) -> bytes:
    """A camera-like JPEG with EXIF DateTimeOriginal (and its +08:00 offset)."""
    from PIL import Image, ImageDraw

    when = (when or datetime.now(SHANGHAI)).astimezone(SHANGHAI)
    img = Image.new("RGB", size, (70, 130, 90))
    draw = ImageDraw.Draw(img)
    # Something not flat, and different per call, so two photos never share a hash.
    seed = int(when.timestamp() * 1000) % 997
    for i in range(0, size[0], 40):
        draw.rectangle(
            [i, (i * 7 + seed) % size[1], i + 30, size[1]],
            fill=((i + seed) % 255, (i * 3) % 255, 120),
        )
    draw.ellipse([size[0] // 3, size[1] // 4, size[0] // 2, size[1] // 2], fill=(230, 200, 40))
    exif = Image.Exif()
    ifd = exif.get_ifd(0x8769)
    ifd[0x9003] = when.strftime("%Y:%m:%d %H:%M:%S")  # DateTimeOriginal
    ifd[0x9011] = "+08:00"  # OffsetTimeOriginal
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=88, exif=exif.tobytes())
    return buf.getvalue()


def unique_text(label: str) -> str:
    """A log text no other test (or run against the same server) uses."""
    return f"{label} {datetime.now(SHANGHAI):%H%M%S%f}"


def wait_until(page: Page, done: Callable[[], bool], what: str) -> None:
    """Poll a Python-side condition while the page keeps running (route handlers included)."""
    deadline = time.monotonic() + UI_TIMEOUT_MS / 1000
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        page.wait_for_timeout(100)


# --- Checks every screen captured goes through ---

_AXE_RUN = """async () => {
  const r = await axe.run(document, { resultTypes: ['violations'] });
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                   nodes: v.nodes.slice(0, 4).map((n) => n.target.join(' ')) }));
}"""

_LAYOUT = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  if (document.documentElement.scrollWidth > width + 1) out.push('the page scrolls sideways');
  for (const el of document.querySelectorAll('nav.tabs a')) {
    const r = el.getBoundingClientRect();
    if (r.left < -1 || r.right > width + 1 || r.width < 44 || r.height < 44) {
      const where = `${Math.round(r.left)}–${Math.round(r.right)}`;
      out.push(`destination ${el.textContent} is not fully on screen (${where})`);
    }
  }
  for (const el of document.querySelectorAll('table')) {
    const wrap = el.closest('.table-wrap');
    const r = el.getBoundingClientRect();
    const scrolls = wrap && wrap.tabIndex === 0 && wrap.scrollWidth > wrap.clientWidth;
    if (r.width > width + 1 && !scrolls)
      out.push('a table is wider than the screen without a scroll container');
  }
  return out;
}"""


def check_screen(page: Page, name: str) -> None:
    """axe-core finds no serious or critical violation, and nothing is cut off at this width.

    Called for every screenshot, so every screen the tests show is checked.
    """
    if not AXE_JS.is_file():
        raise AssertionError(f"{AXE_JS} is missing: run `npm install` in pwa/")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    violations = page.evaluate(_AXE_RUN)
    assert not violations, f"axe on {name}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(v['nodes'])}" for v in violations
    )
    layout = page.evaluate(_LAYOUT)
    assert not layout, f"layout of {name}: {'; '.join(layout)}"


# --- UI steps ---


def login(page: Page, phone: str, password: str = DEMO_PASSWORD) -> None:
    """Log in from wherever the app is; lands on the first tab (今日 for a cadre)."""
    if "#/login" not in page.url and not page.get_by_test_id("login-phone").is_visible():
        page.goto("/#/login")
    page.get_by_test_id("login-phone").fill(phone)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("nav-me")).to_be_visible()
    expect(page.get_by_test_id("login-submit")).to_have_count(0)


def open_me(page: Page) -> None:
    """The 我的 tab (settings, outbox, feedback, language, storage, logout)."""
    page.get_by_test_id("nav-me").click()
    expect(page.get_by_test_id("me-outbox")).to_be_visible()


def open_outbox(page: Page) -> None:
    """我的 → 待发送."""
    open_me(page)
    page.get_by_test_id("me-outbox").click()
    expect(page.get_by_test_id("nav-me")).to_have_attribute("aria-current", "page")


def confirm_dialog(page: Page) -> str:
    """Confirm the app's own dialog (never the browser's confirm()); returns its text."""
    dialog = page.get_by_test_id("ask-dialog")
    expect(dialog).to_be_visible()
    text = dialog.inner_text()
    page.get_by_test_id("ask-confirm").click()
    expect(dialog).to_have_count(0)
    return text


def logout(page: Page, expect_unsent: int | None = None) -> None:
    """我的 → 退出登录, confirming in the app's dialog (and checking its unsent count)."""
    open_me(page)
    page.get_by_test_id("logout").click()
    text = confirm_dialog(page)
    expect(page.get_by_test_id("login-submit")).to_be_visible()
    if expect_unsent is not None:
        assert str(expect_unsent) in text, text


def wait_for_service_worker(page: Page) -> None:
    """The app shell is precached and the service worker controls the page."""
    page.wait_for_function(
        "navigator.serviceWorker && navigator.serviceWorker.controller !== null",
        timeout=UI_TIMEOUT_MS,
    )


def entry(page: Page, text: str) -> Any:
    """Today's entry with this text."""
    return page.get_by_test_id("entry-item").filter(has_text=text)


def write_log(
    page: Page, text: str, photo: bytes | None = None, with_location: bool = False
) -> str | None:
    """Fill and save one 走访 log on 今日; returns the photo's sha256 as the app computed it."""
    page.get_by_test_id("nav-today").click()
    form = page.get_by_test_id("log-form")
    expect(form).to_be_visible()
    page.get_by_test_id("log-kind-visit").click()
    page.get_by_test_id("log-text").fill(text)
    sha: str | None = None
    if photo is not None:
        page.get_by_test_id("log-photo").set_input_files(
            {"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": photo}
        )
        item = page.get_by_test_id("log-photo-item")
        expect(item).to_have_count(1)
        sha = item.get_attribute("data-sha256")
        assert sha and len(sha) == 64, sha
    if with_location:
        page.get_by_test_id("log-location").click()
        expect(page.get_by_test_id("log-location-fix")).to_be_visible()
    page.get_by_test_id("log-save").click()
    expect(page.get_by_test_id("log-saved")).to_be_visible()
    expect(entry(page, text)).to_have_count(1)
    return sha


def create_survey_draft(page: Page, title: str, village: str) -> str:
    """调查管理 → 新建调查 for the households of one village; returns the draft's id."""
    page.goto("/#/surveyadmin")
    page.get_by_test_id("surveyadmin-new").click()
    page.get_by_test_id("survey-title").fill(title)
    page.get_by_test_id("survey-target-households").click()
    page.locator(f'[data-testid="survey-village"][value="{village}"]').check()
    page.get_by_test_id("survey-create").click()
    expect(page.get_by_test_id("survey-detail")).to_have_attribute("data-state", "draft")
    return page.url.rsplit("/", 1)[-1]


def phone(browser: Any, server: Server) -> BrowserContext:
    """A phone's browser: 360 px wide, Chinese, Asia/Shanghai, with its service worker."""
    ctx = browser.new_context(base_url=server.url, viewport={"width": 360, "height": 740},
                              locale="zh-CN", timezone_id="Asia/Shanghai",
                              service_workers="allow")
    ctx.set_default_timeout(20_000)
    return ctx


def publish_xlsform_survey(page: Page, title: str, village: str, xlsx: bytes) -> str:
    """The county admin's: a household survey of one village with this XLSForm, published;
    returns its id."""
    login(page, COUNTY_ADMIN)
    survey_id = create_survey_draft(page, title, village)
    page.get_by_test_id("survey-xlsform").set_input_files(
        {"name": "form.xlsx", "mimeType": "application/octet-stream", "buffer": xlsx})
    page.get_by_test_id("survey-upload").click()
    expect(page.get_by_test_id("survey-question").first).to_be_visible()
    page.get_by_test_id("survey-publish").click()
    confirm_dialog(page)
    expect(page.get_by_test_id("survey-detail")).to_have_attribute("data-state", "published")
    return survey_id


@dataclass
class OfflineSurvey:
    county: Page
    cadre: Page
    cadre_ctx: BrowserContext
    survey_id: str


@contextmanager
def survey_answered_offline(browser: Any, server: Server, *, title: str, xlsx: bytes,
                            village: str, cadre_phone: str,
                            household: str) -> Iterator[OfflineSurvey]:
    """Two phones: the county admin publishes the XLSForm for the households of ``village``;
    the cadre, offline after one visit online, opens ``household``'s sheet. Both close after,
    and no page may have thrown."""
    county_ctx, cadre_ctx = phone(browser, server), phone(browser, server)
    county, cadre = county_ctx.new_page(), cadre_ctx.new_page()
    errors: list[str] = []
    for pg in (county, cadre):
        pg.on("pageerror", lambda e: errors.append(str(e)))
    try:
        county.goto("/")
        survey_id = publish_xlsform_survey(county, title, village, xlsx)
        cadre.goto("/")
        login(cadre, cadre_phone)
        wait_for_service_worker(cadre)
        cadre.get_by_test_id("nav-surveys").click()
        item = cadre.locator(f'[data-testid="survey-item"][data-survey-id="{survey_id}"]')
        expect(item).to_be_visible()
        cadre_ctx.set_offline(True)
        cadre.reload()
        item.get_by_test_id("survey-open").click()
        cadre.locator(f'[data-testid="survey-household"][data-external-id="{household}"] '
                      '[data-testid="survey-household-open"]').click()
        yield OfflineSurvey(county, cadre, cadre_ctx, survey_id)
    finally:
        county_ctx.close()
        cadre_ctx.close()
    assert not errors, errors
