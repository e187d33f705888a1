"""The deploy files, proven: nginx with ``deploy/nginx.conf`` in front of two API processes and
the dispatcher, on PostgreSQL, and the sync journey through it.

The test renders the deploy file as it is, changing only what a test machine must: its ports
(free ones on 127.0.0.1), the TLS key pair (a self-signed one), and the paths of logs and of the
PWA (a temporary directory). Runs in the PostgreSQL pass when nginx is installed (``.ci/run``
installs Debian's, with its Brotli module for precompressed files).
"""

from __future__ import annotations

import datetime as dt
import gzip
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.api.test_sync import item, log_data
from tests.conftest import DB_URL

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
#: Debian's dynamic modules (brotli_static among them), loaded as Debian's own nginx.conf does.
MODULES = Path("/usr/lib/nginx/modules")
MODULES_ENABLED = Path("/etc/nginx/modules-enabled")
#: What a browser sends.
BROWSER = "gzip, deflate, br"

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _self_signed(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=2)).sign(key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "fullchain.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "privkey.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return folder / "fullchain.pem", folder / "privkey.pem"


def render(conf: str, tmp: Path, api_ports: list[int]) -> tuple[str, int]:
    """deploy/nginx.conf for this machine: (the text, the HTTPS port)."""
    upstreams = iter(api_ports)
    conf = re.sub(r"server 127\.0\.0\.1:\d+;", lambda _m: f"server 127.0.0.1:{next(upstreams)};",
                  conf)
    https = _free_port()

    def listen(m: re.Match) -> str:
        rest = m.group(2)
        port = https if "ssl" in rest else _free_port()
        return f"listen 127.0.0.1:{port}{rest};"

    conf = re.sub(r"listen\s+(\[::\]:)?(?:\d+)([^;]*);", listen, conf)
    for prefix, target in (("/etc/zhucun/tls/", tmp / "tls"), ("/var/log/nginx/", tmp / "log"),
                           ("/srv/zhucun/pwa/dist", tmp / "dist"), ("/srv/zhucun/", tmp / "srv"),
                           ("/var/cache/nginx/", tmp / "cache"), ("/run/", tmp / "run")):
        conf = conf.replace(prefix, f"{target}/" if prefix.endswith("/") else str(target))
    return conf, https


#: A hashed file of the built PWA, as vite names them.
ASSET = "assets/index-Cz3f9Q1a.js"


def _built_pwa(dist: Path) -> None:
    """A shell and one hashed script, each with the .br and .gz copies the build writes."""
    import brotli

    (dist / "assets").mkdir(parents=True)
    files = {"index.html": "<!doctype html><title>驻村</title><div id=\"app\"></div>" * 40,
             ASSET: "export const greeting = '驻村';\n" * 200}
    for name, text in files.items():
        raw = text.encode()
        (dist / name).write_bytes(raw)
        (dist / f"{name}.br").write_bytes(brotli.compress(raw, quality=11))
        (dist / f"{name}.gz").write_bytes(gzip.compress(raw, 9))


@pytest.fixture
def stack(client, world, settings, tmp_path):
    """nginx, two API processes and the dispatcher on this run's database."""
    env = {**os.environ, "ZHUCUN_DATABASE_URL": DB_URL, "ZHUCUN_ENV": "test",
           "ZHUCUN_SECRET_KEY": settings.signing_key(), "ZHUCUN_PWA_DIR": str(tmp_path / "none"),
           "ZHUCUN_MEDIA_DIR": str(tmp_path / "media")}
    zhucun = str(ROOT / ".venv" / "bin" / "zhucun")
    ports = [_free_port(), _free_port()]
    procs = [subprocess.Popen([zhucun, "serve", "--host", "127.0.0.1", "--port", str(p)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True) for p in ports]
    procs.append(subprocess.Popen([zhucun, "dispatch"], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, start_new_session=True))
    for folder in ("log", "dist", "srv", "cache", "run", "temp"):
        (tmp_path / folder).mkdir()
    _built_pwa(tmp_path / "dist")
    if MODULES.is_dir():
        # Debian's module files say `load_module modules/x.so`, relative to nginx's prefix.
        (tmp_path / "modules").symlink_to(MODULES)
    _self_signed(tmp_path / "tls")
    site, https = render((ROOT / "deploy" / "nginx.conf").read_text(), tmp_path, ports)
    (tmp_path / "site.conf").write_text(site)
    temp = tmp_path / "temp"
    (tmp_path / "nginx.conf").write_text(f"""
include {MODULES_ENABLED}/*.conf;
daemon off;
worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/log/error.log warn;
{'user root;' if os.geteuid() == 0 else ''}
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {tmp_path}/site.conf;
}}
""")
    checked = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                             capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr + site
    procs.append(subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  start_new_session=True))
    base = f"https://127.0.0.1:{https}"
    try:
        deadline = time.monotonic() + 120
        up: set[int] = set()
        while time.monotonic() < deadline and len(up) < 2:
            for p in ports:
                try:
                    if httpx.get(f"http://127.0.0.1:{p}/api/health", timeout=2).status_code == 200:
                        up.add(p)
                except httpx.HTTPError:
                    pass
            time.sleep(0.3)
        assert len(up) == 2, "the API processes did not start"
        yield base, ports, world
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def test_sync_journey_through_nginx(stack):
    base, ports, world = stack
    with httpx.Client(base_url=base, verify=False, timeout=60) as http:
        headers = world.headers("cadre_x1")
        items = [item(log_data(f"经 nginx {i}")) for i in range(30)]
        r = http.post("/api/sync/push", json={"items": items},
                      headers={**headers, "X-Request-ID": "journey-0001"})
        assert r.status_code == 200, r.text
        assert [x["status"] for x in r.json()["results"]] == ["applied"] * 30
        assert r.headers["x-request-id"] == "journey-0001"
        again = http.post("/api/sync/push", json={"items": items}, headers=headers)
        assert [x["status"] for x in again.json()["results"]] == ["duplicate"] * 30

        # The first pull, compressed on the wire; then the feed is empty from its cursor.
        raw = http.get("/api/sync/pull", headers={**headers, "Accept-Encoding": "gzip"})
        assert raw.status_code == 200 and raw.headers.get("content-encoding") == "gzip"
        assert len(raw.content) > 0
        body = raw.json()
        texts = {c["data"]["text"] for c in body["changes"] if c["kind"] == "work_log"}
        assert texts >= {f"经 nginx {i}" for i in range(30)}
        later = http.get("/api/sync/pull", params={"since": body["cursor"]}, headers=headers)
        assert [c for c in later.json()["changes"] if c["kind"] == "work_log"] == []

        # Both API processes served (least_conn spreads the requests), the PWA comes from disk,
        # and /metrics is not passed through nginx.
        for _ in range(10):
            http.get("/api/sync/pull", params={"since": body["cursor"]}, headers=headers)
        assert "驻村" in http.get("/").text
        assert http.get("/api/health").status_code == 200
        assert "zhucun_requests_total" not in http.get("/metrics").text
    served = []
    for p in ports:
        metrics = httpx.get(f"http://127.0.0.1:{p}/metrics", timeout=10)
        assert metrics.status_code == 200
        served.append(sum(float(v) for v in re.findall(
            r'^zhucun_requests_total\{[^}]*path="/api/sync/pull"[^}]*\} ([0-9.e+]+)$',
            metrics.text, re.M)))
    assert all(n > 0 for n in served), served


def _raw(http: httpx.Client, path: str, accept: str, **kw) -> tuple[httpx.Response, bytes]:
    """One GET with its body as sent on the wire (not decoded)."""
    with http.stream("GET", path, headers={"Accept-Encoding": accept, **kw.pop("headers", {})},
                     **kw) as r:
        return r, b"".join(r.iter_raw())


def test_nginx_sends_precompressed_files_and_compressed_json(stack, tmp_path):
    """What a phone receives: the build's Brotli file (gzip without br), cached for a year when
    hashed; the shell fresh for five minutes; API JSON compressed by the app and passed through."""
    base, _ports, world = stack
    dist = tmp_path / "dist"
    with httpx.Client(base_url=base, verify=False, timeout=60) as http:
        r, body = _raw(http, f"/{ASSET}", BROWSER)
        assert r.status_code == 200 and r.headers["content-encoding"] == "br"
        assert body == (dist / f"{ASSET}.br").read_bytes()
        assert "Accept-Encoding" in r.headers["vary"]
        assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
        r, body = _raw(http, f"/{ASSET}", "gzip")
        assert r.headers["content-encoding"] == "gzip"
        assert body == (dist / f"{ASSET}.gz").read_bytes()
        r, body = _raw(http, f"/{ASSET}", "identity")
        assert "content-encoding" not in r.headers and body == (dist / ASSET).read_bytes()

        for path in ("/", "/index.html"):
            r, body = _raw(http, path, BROWSER)
            assert r.headers["content-encoding"] == "br", path
            assert body == (dist / "index.html.br").read_bytes()
            assert r.headers["cache-control"] == "public, max-age=300"
            assert "Accept-Encoding" in r.headers["vary"]

        headers = world.headers("cadre_x1")
        for accept, coding in ((BROWSER, "br"), ("gzip", "gzip")):
            r, body = _raw(http, "/schema/openapi.json", accept, headers=headers)
            assert r.status_code == 200 and r.headers["content-encoding"] == coding
            plain = brotli_or_gzip(coding, body)
            assert b'"openapi"' in plain and len(body) < len(plain) / 3
            assert "Accept-Encoding" in r.headers["vary"]


def brotli_or_gzip(coding: str, body: bytes) -> bytes:
    import brotli

    return brotli.decompress(body) if coding == "br" else gzip.decompress(body)
