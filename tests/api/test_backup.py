"""The restore drill: ``zhucun backup`` while the API runs, ``zhucun restore`` into an empty
database and photo store, then ``zhucun audit verify`` passes and the restored server answers
the same pull; a restore refuses a database that is not empty."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests import dbconf
from tests.api.test_sync import item, log_data, pull_all, push
from tests.conftest import DB_URL

ROOT = Path(__file__).resolve().parents[2]
ZHUCUN = str(ROOT / ".venv" / "bin" / "zhucun")

_PULL = """
import json, sys
from litestar.testing import TestClient
from backend.app import create_app
from backend.core.settings import Settings
settings = Settings(database_url=sys.argv[1], env="test", pwa_dir="none", media_dir=sys.argv[2])
with TestClient(create_app(settings)) as client:
    changes, since = [], None
    while True:
        r = client.get("/api/sync/pull", params={"since": since} if since else {},
                       headers={"Authorization": "Bearer " + sys.argv[3]})
        assert r.status_code == 200, r.text
        body = r.json()
        changes += body["changes"]
        since = body["cursor"]
        if not body["more"]:
            break
    print(json.dumps(changes))
"""


def _zhucun(args: list[str], url: str, media: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "ZHUCUN_DATABASE_URL": url, "ZHUCUN_MEDIA_DIR": str(media),
           "ZHUCUN_ENV": "test"}
    return subprocess.run([ZHUCUN, *args], env=env, capture_output=True, text=True, timeout=300,
                          check=False)


def _key(change: dict) -> str:
    return json.dumps({k: change[k] for k in ("kind", "id", "version", "data")}, sort_keys=True)


def test_restore_drill(client, world, settings, tmp_path):
    push(client, world, "cadre_x1", *[item(log_data(f"备份前 {i}")) for i in range(5)])
    before, _ = pull_all(client, world, "cadre_x1")
    media = tmp_path / "media"
    (media / "ab").mkdir(parents=True)
    (media / "ab" / "photo.jpg").write_bytes(b"\xff\xd8 a photo")

    done = _zhucun(["backup", str(tmp_path / "backup")], DB_URL, media)
    assert done.returncode == 0, done.stderr
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["photos"] == 1

    url, token = dbconf.create_database()
    try:
        restored_media = tmp_path / "restored-media"
        done = _zhucun(["restore", str(tmp_path / "backup")], url, restored_media)
        assert done.returncode == 0, done.stderr
        assert (restored_media / "ab" / "photo.jpg").read_bytes() == b"\xff\xd8 a photo"

        verified = _zhucun(["audit", "verify"], url, restored_media)
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert "intact" in verified.stdout

        pulled = subprocess.run(
            [sys.executable, "-c", _PULL, url, str(restored_media), world.tokens["cadre_x1"]],
            capture_output=True, text=True, timeout=300, check=False, cwd=ROOT,
            env={**os.environ, "ZHUCUN_SECRET_KEY": settings.signing_key()})
        assert pulled.returncode == 0, pulled.stderr[-3000:]
        after = json.loads(pulled.stdout.strip().splitlines()[-1])
        assert sorted(map(_key, after)) == sorted(map(_key, before))
        assert len(after) >= 5

        again = _zhucun(["restore", str(tmp_path / "backup")], url, restored_media)
        assert again.returncode == 1 and "not empty" in again.stderr
    finally:
        dbconf.drop_database(token)


def test_backup_refuses_a_directory_that_is_not_empty(tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "x").write_text("x")
    done = _zhucun(["backup", str(tmp_path / "old")], DB_URL, tmp_path / "media")
    assert done.returncode == 1 and "not empty" in done.stderr
