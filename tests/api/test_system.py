"""Health, the OpenAPI document, the docs UI, request ids and the served PWA."""

from __future__ import annotations

import re

import pytest

from backend.app import create_app
from backend.core.settings import DEMO_SECRET, InsecureSettings, Settings


def test_health_checks_the_database(client):
    r = client.get("/api/health")
    assert r.status_code == 200
    assert r.json()["database"] == "ok"


def test_every_api_route_is_in_the_openapi_document(client):
    doc = client.get("/schema/openapi.json").json()
    documented = set(doc["paths"])
    app_paths = {route.path for route in client.app.routes if route.path.startswith("/api/")}
    normalised = {re.sub(r":(uuid|str|int)}", "}", p) for p in app_paths}
    assert normalised <= documented
    assert "BearerToken" in str(doc["components"]["securitySchemes"])
    assert client.get("/schema/swagger").status_code == 200


def test_request_id_is_echoed(client):
    r = client.get("/api/health", headers={"X-Request-ID": "abcdef0123456789"})
    assert r.headers["x-request-id"] == "abcdef0123456789"
    assert len(client.get("/api/health").headers["x-request-id"]) == 32


def test_production_refuses_the_demo_secret():
    with pytest.raises(InsecureSettings):
        create_app(Settings(env="production", secret_key=DEMO_SECRET))
    Settings(env="production", secret_key="3f9a0c6e1b7d4a2f8e5c0b9d6a3f1e7c").check_production()


def test_retention_below_six_months_is_refused():
    with pytest.raises(ValueError):
        Settings(audit_retention_days=90)


def test_pwa_is_served_when_built(client, settings):
    if not (settings.pwa_dir / "index.html").is_file():
        pytest.skip("PWA not built (make builds it)")
    r = client.get("/")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert r.headers.get("cache-control") == "public, max-age=300"
    manifest = client.get("/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest.headers["cache-control"] == "no-cache"
    assert client.get("/sw.js").headers["cache-control"] == "no-cache"


def test_pwa_files_arrive_precompressed_and_cached(client, settings):
    if not (settings.pwa_dir / "index.html.gz").is_file():
        pytest.skip("PWA not built (make builds it)")
    r = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    assert r.headers["vary"] == "Accept-Encoding"
    assert r.headers["cache-control"] == "public, max-age=300"
    assert "<div id=\"app\">" in r.text  # httpx decoded the gzip the server sent as it is
    again = client.get("/", headers={"Accept-Encoding": "gzip", "If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    asset = next(p for p in (settings.pwa_dir / "assets").glob("*.js"))
    a = client.get(f"/assets/{asset.name}", headers={"Accept-Encoding": "gzip"})
    assert a.headers["content-encoding"] == "gzip"
    assert a.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert a.content == asset.read_bytes()
    # What Chromium asks for: the Brotli file the build wrote, sent as it is.
    chromium = {"Accept-Encoding": "gzip, deflate, br"}
    sent = client.send(
        client.build_request("GET", f"/assets/{asset.name}", headers=chromium), stream=True)
    body = b"".join(sent.iter_raw())
    sent.close()
    assert sent.headers["content-encoding"] == "br" and sent.headers["vary"] == "Accept-Encoding"
    assert sent.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert body == (asset.parent / f"{asset.name}.br").read_bytes()
    assert client.get("/assets/none.js").status_code == 404
    assert client.get("/.vite/manifest.json").status_code == 404


def test_api_json_is_compressed_above_the_threshold(client):
    """Brotli for a browser (it accepts br), gzip for a client without it, nothing when small."""
    import brotli

    for accepted, coding in (("gzip, deflate, br", "br"), ("gzip", "gzip")):
        big = client.get("/schema/openapi.json", headers={"Accept-Encoding": accepted})
        assert big.headers["content-encoding"] == coding
        assert "Accept-Encoding" in big.headers["vary"]
        assert big.json()["openapi"]
    raw = client.build_request("GET", "/schema/openapi.json", headers={"Accept-Encoding": "br"})
    sent = client.send(raw, stream=True)
    packed = b"".join(sent.iter_raw())
    sent.close()
    plain = brotli.decompress(packed)
    assert b'"openapi"' in plain and len(packed) < len(plain) / 3
    small = client.get("/api/health", headers={"Accept-Encoding": "gzip, br"})
    assert "content-encoding" not in small.headers
    identity = client.get("/schema/openapi.json", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in identity.headers and identity.json()["openapi"]
