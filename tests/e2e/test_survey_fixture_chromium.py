"""The shared survey fixture in Chromium: every expression of
``tests/fixtures/survey_rules.json`` evaluated by the phone's own code (Enketo's evaluator
over the browser's XPath, which jsdom only imitates in the vitest run) gives the value the
server gives, in both languages, with the browser itself set to another locale."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from tests.e2e.support import ROOT

PWA = ROOT / "pwa"
#: The bundle: vite (the PWA's own build tool) builds the test entry as one script.
BUILD = """
import { build } from 'vite';
await build({
  configFile: false, root: process.cwd(), logLevel: 'error',
  build: { outDir: process.argv[1], emptyOutDir: true, minify: false, write: true,
           lib: { entry: 'test/survey-fixture-browser.ts', formats: ['iife'],
                  name: 'surveyFixtureBundle', fileName: () => 'fixture.js' } },
});
"""
NOW = "2026-12-03T10:00:00+08:00"


def test_every_fixture_expression_gives_the_servers_value_in_chromium(
        browser: Any, tmp_path: Path) -> None:
    fixture = json.loads((ROOT / "tests/fixtures/survey_rules.json").read_text("utf-8"))
    assert fixture["expressions"]["now"] == NOW
    subprocess.run(["node", "--input-type=module", "-e", BUILD, str(tmp_path)], cwd=PWA,
                   check=True, timeout=300, capture_output=True)
    context = browser.new_context(locale="en-GB", timezone_id="Asia/Shanghai")
    try:
        page = context.new_page()
        page.clock.set_fixed_time(NOW)
        page.set_content("<!doctype html><title>fixture</title>")
        page.add_script_tag(path=str(tmp_path / "fixture.js"))
        result = page.evaluate("surveyFixture()")
    finally:
        context.close()
    expected = sum(len(fixture[k]["functions"]["cases"]) for k in ("expressions", "nested"))
    assert result["ran"] == expected > 190
    assert result["wrong"] == []
