"""Which file (and encoding) the server picks for a phone's request."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.web.compression import is_compressible
from backend.web.static import IMMUTABLE, REVALIDATE, SHELL, accepted_encodings, resolve


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / ".vite").mkdir()
    for name in ("index.html", "sw.js", "assets/app-1a2b.js", ".vite/manifest.json"):
        (tmp_path / name).write_text("x" * 2000)
    for suffix in (".br", ".gz"):
        (tmp_path / f"assets/app-1a2b.js{suffix}").write_bytes(b"packed")
    (tmp_path / "index.html.gz").write_bytes(b"packed")
    (tmp_path.parent / "secret.txt").write_text("no")
    return tmp_path


def test_accept_encoding_is_read_with_q_values():
    assert accepted_encodings("gzip, deflate, br") == {"gzip", "deflate", "br"}
    assert accepted_encodings("br;q=0, gzip;q=0.5") == {"gzip"}
    assert accepted_encodings("") == set()
    assert accepted_encodings("br;q=x") == set()


def test_brotli_first_then_gzip_then_identity(dist: Path):
    js = "assets/app-1a2b.js"
    assert resolve(dist, js, "gzip, deflate, br").encoding == "br"
    assert resolve(dist, js, "gzip").encoding == "gzip"
    assert resolve(dist, js, "br;q=0, gzip").encoding == "gzip"
    plain = resolve(dist, js, "identity")
    assert plain.encoding is None and plain.path == dist / js
    assert plain.media_type == "text/javascript" and plain.cache_control == IMMUTABLE
    # No .br for the shell: gzip is sent to a Brotli phone.
    shell = resolve(dist, "", "br, gzip")
    assert shell.encoding == "gzip" and shell.cache_control == SHELL
    # The service worker is always asked for again; the shell after a few minutes.
    assert resolve(dist, "sw.js", "br").cache_control == REVALIDATE


@pytest.mark.parametrize(
    "path", ["../secret.txt", ".vite/manifest.json", "assets/../../secret.txt", "nope.js"]
)
def test_nothing_outside_the_build_or_hidden_is_served(dist: Path, path: str):
    assert resolve(dist, path, "gzip") is None


def test_only_text_is_compressed_on_the_fly():
    assert is_compressible("application/json")
    assert is_compressible("application/problem+json; charset=utf-8")
    assert is_compressible("text/csv; charset=utf-8")
    assert not is_compressible("image/jpeg")
    assert not is_compressible("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
