"""deploy/nginx.conf parses (nginx -t) and sets the limits issue 13 asks for."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

CONF = Path(__file__).resolve().parents[3] / "deploy" / "nginx.conf"
#: Debian's dynamic modules (brotli_static among them), loaded as Debian's own nginx.conf does.
MODULES = Path("/usr/lib/nginx/modules")
MODULES_ENABLED = Path("/etc/nginx/modules-enabled")


def test_nginx_sets_timeouts_limits_and_the_client_address_header():
    text = CONF.read_text()
    for directive in ("client_header_timeout", "client_body_timeout", "send_timeout",
                      "limit_conn zhucun_conn", "limit_req zone=zhucun_login",
                      "client_max_body_size", "large_client_header_buffers"):
        assert re.search(rf"^\s*{directive}\b", text, re.M), directive
    # The app takes the client address from X-Real-IP only (ZHUCUN_TRUSTED_PROXIES).
    assert text.count("proxy_set_header X-Real-IP $remote_addr;") == 2


@pytest.mark.skipif(not shutil.which("nginx") or not shutil.which("openssl"),
                    reason="nginx or openssl not installed")
def test_nginx_accepts_the_configuration(tmp_path):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=zhucun.test", "-keyout", str(tmp_path / "key.pem"),
                    "-out", str(tmp_path / "cert.pem")], check=True, capture_output=True)
    site = (CONF.read_text()
            .replace("/etc/zhucun/tls/fullchain.pem", str(tmp_path / "cert.pem"))
            .replace("/etc/zhucun/tls/privkey.pem", str(tmp_path / "key.pem"))
            .replace("/var/log/nginx/", f"{tmp_path}/"))
    (tmp_path / "site.conf").write_text(site)
    if MODULES.is_dir():
        # Debian's module files say `load_module modules/x.so`, relative to nginx's prefix.
        (tmp_path / "modules").symlink_to(MODULES)
    (tmp_path / "nginx.conf").write_text(
        f"include {MODULES_ENABLED}/*.conf;\n"
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n include {tmp_path}/site.conf;\n}}\n")
    r = subprocess.run(["nginx", "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
