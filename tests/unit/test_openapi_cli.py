"""``zhucun openapi``: the API's OpenAPI document without a server, from which the PWA's types
(pwa/src/api.gen.ts) are generated; `make api-types-check` compares them."""

from __future__ import annotations

import json

from click.testing import CliRunner

from backend.cli import main


def test_openapi_writes_the_apps_document_to_standard_output():
    result = CliRunner().invoke(main, ["openapi"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["openapi"].startswith("3.")
    assert "/api/sync/push" in doc["paths"]
    claim = doc["components"]["schemas"]["ClaimOut"]
    assert {"id", "state", "payable_fen", "flags"} <= set(claim["properties"])


def test_openapi_writes_the_same_document_twice_to_a_file(tmp_path):
    out = tmp_path / "openapi.json"
    runner = CliRunner()
    assert runner.invoke(main, ["openapi", "--out", str(out)]).exit_code == 0
    first = out.read_text(encoding="utf-8")
    assert runner.invoke(main, ["openapi", "--out", str(out)]).exit_code == 0
    assert out.read_text(encoding="utf-8") == first
    # Keys sorted and Chinese kept as it is: a schema change is a small, readable diff.
    assert list(json.loads(first)) == sorted(json.loads(first))
    assert "驻村" in first
