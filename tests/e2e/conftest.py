"""End-to-end set-up: the real server in a subprocess, the built PWA, Debian's Chromium.

One server (its own temporary SQLite database, migrated and seeded with the demo county) and
one browser serve the whole e2e session; every test gets a fresh browser context, i.e. a
fresh phone. Server state is checked over HTTP with tokens from ``POST /api/auth/login``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    COUNTY_ADMIN,
    PWA_DIST,
    ROOT,
    SCREENSHOTS,
    UI_TIMEOUT_MS,
    VILLAGE,
    Server,
)

#: Seconds a started server may take to answer /api/health.
SERVER_START_S = 90


def _python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def e2e_ready() -> None:
    """Chromium and the built PWA must be there; say clearly what is missing."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        reason = (
            f"Chromium not found at {CHROMIUM} (apt-get install -y chromium; "
            "Playwright's own browser download is not used)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}, but CI needs the e2e tests", pytrace=False)
        pytest.skip(reason)
    if not (PWA_DIST / "index.html").is_file():
        pytest.fail(
            f"the PWA is not built ({PWA_DIST / 'index.html'} is missing): run `make pwa`",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def server(e2e_ready: None) -> Iterator[Server]:
    """``zhucun migrate`` + ``seed-demo`` + ``serve`` on a free port, with its own database."""
    tmp = Path(tempfile.mkdtemp(prefix="zhucun-e2e-"))
    env = {
        **os.environ,  # the root conftest set ZHUCUN_DATABASE_URL for the API tests: override it
        "ZHUCUN_DATABASE_URL": f"sqlite:///{tmp / 'e2e.sqlite'}",
        "ZHUCUN_MEDIA_DIR": str(tmp / "media"),
        "ZHUCUN_PWA_DIR": str(PWA_DIST.resolve()),
        "ZHUCUN_ENV": "test",
        "PYTHONUNBUFFERED": "1",
    }
    python = _python()
    for step in ("migrate", "seed-demo"):
        done = subprocess.run(
            [python, "-m", "backend.cli", step],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode:
            shutil.rmtree(tmp, ignore_errors=True)
            pytest.fail(
                f"zhucun {step} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}",
                pytrace=False,
            )
    port = _free_port()
    log = tmp / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [python, "-m", "backend.cli", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    srv = Server(url=f"http://127.0.0.1:{port}", log=log)
    try:
        # Generous: on a loaded machine (the CI box runs other suites) imports alone take 20 s.
        deadline = time.monotonic() + SERVER_START_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"server exited with {proc.returncode}:\n{srv.tail()}", pytrace=False)
            try:
                if httpx.get(f"{srv.url}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"server did not answer /api/health in {SERVER_START_S} s:\n{srv.tail()}",
                    pytrace=False,
                )
            time.sleep(0.2)
        yield srv
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def browser(e2e_ready: None) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def context(browser: Any, server: Server) -> Iterator[Any]:
    """A fresh phone: 360×740, Chinese, Shanghai time, service workers allowed."""
    from playwright.sync_api import expect

    expect.set_options(timeout=UI_TIMEOUT_MS)
    ctx = browser.new_context(
        base_url=server.url,
        viewport={"width": 360, "height": 740},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        service_workers="allow",
    )
    ctx.set_default_timeout(UI_TIMEOUT_MS)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.stash[_FAILED] = report.failed


_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def page(request: pytest.FixtureRequest, context: Any, server: Server) -> Iterator[Any]:
    """The phone's one tab; the test fails on any uncaught error in the page.

    When a test fails, the page as it was is saved as ``failed-<test>.png`` next to the other
    screenshots, and the end of the server's log is printed.
    """
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    if request.node.stash.get(_FAILED, False):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        try:
            pg.screenshot(path=str(SCREENSHOTS / f"failed-{request.node.name}.png"))
        except Exception as exc:  # the page may be gone; the log still helps
            print(f"no failure screenshot: {exc}")
        print(f"--- server log (last lines) ---\n{server.tail()}")
    assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture
def village_centre(server: Server) -> dict[str, float]:
    """A point at the centre of 红岩村's fence, from the geo API (as the county admin)."""
    r = server.get(f"/api/geo/divisions/{VILLAGE}", COUNTY_ADMIN)
    assert r.status_code == 200, r.text
    fence = r.json()["fence"]
    return {"latitude": fence["center_lat"], "longitude": fence["center_lon"], "accuracy": 12}


@pytest.fixture
def shot() -> Any:
    """``shot(page, "name")`` saves test-output/screenshots/name.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(pg: Any, name: str) -> Path:
        # The viewport, as the phone shows it (a full-page shot misplaces the sticky header).
        path = SCREENSHOTS / f"{name}.png"
        pg.screenshot(path=str(path))
        return path

    return save
