"""Issue 13, memory and slow clients: uploads stream through a bounded buffer, a cap on
uploads at once per process (503 with Retry-After), a stalled body is dropped (408), and the
server's connection limits come from settings. Bounded by construction, not by timing."""

from __future__ import annotations

import asyncio
import hashlib

import pytest

from backend.core.errors import PayloadTooLarge, ServiceUnavailable
from backend.core.settings import Settings
from backend.core.uploads import MEMORY_BUFFER_BYTES, RequestTimeout, UploadSlots, spool_chunks
from tests.images import encode, scene

CHUNK = 64 * 1024


async def _chunks(total: int, sent: list[int] | None = None, pause_after: int | None = None):
    block = bytes(range(256)) * (CHUNK // 256)
    n = 0
    while n < total:
        if pause_after is not None and n >= pause_after:
            await asyncio.sleep(3600)
        piece = block[: min(CHUNK, total - n)]
        n += len(piece)
        if sent is not None:
            sent.append(len(piece))
        yield piece


def test_a_large_body_is_held_on_disk_not_in_memory():
    total = 9 * 1024 * 1024
    body = asyncio.run(spool_chunks(_chunks(total), max_bytes=10 * 1024 * 1024,
                                    idle_seconds=30))
    try:
        assert body.size == total
        assert body.in_memory_bytes == 0  # rolled over to a temporary file
        expected = hashlib.sha256()
        for piece in asyncio.run(_collect(_chunks(total))):
            expected.update(piece)
        assert body.sha256 == expected.hexdigest()
    finally:
        body.close()
    small = asyncio.run(spool_chunks(_chunks(1000), max_bytes=10_000, idle_seconds=30))
    assert small.in_memory_bytes == 1000 <= MEMORY_BUFFER_BYTES and small.read()[:3] == b"\0\1\2"


async def _collect(chunks):
    return [c async for c in chunks]


def test_an_oversized_body_is_refused_before_it_is_all_read():
    sent: list[int] = []
    with pytest.raises(PayloadTooLarge):
        asyncio.run(spool_chunks(_chunks(50 * 1024 * 1024, sent), max_bytes=1024 * 1024,
                                 idle_seconds=30))
    assert sum(sent) <= 1024 * 1024 + CHUNK


def test_a_stalled_body_is_dropped():
    with pytest.raises(RequestTimeout):
        asyncio.run(spool_chunks(_chunks(10 * CHUNK, pause_after=2 * CHUNK),
                                 max_bytes=10 * 1024 * 1024, idle_seconds=0.05))


def test_upload_slots_cap_uploads_at_once():
    slots = UploadSlots(2)
    with slots.take(), slots.take():
        with pytest.raises(ServiceUnavailable) as refused, slots.take():
            pass
        assert refused.value.headers["Retry-After"].isdigit()
        assert refused.value.code == "uploads_busy"
    assert slots.in_use == 0 and slots.peak == 2
    with slots.take():  # free again once the others finished
        assert slots.in_use == 1


def test_past_the_cap_an_upload_gets_503_with_retry_after(client, world):
    slots = client.app.state.upload_slots
    photo = encode(scene(7))
    address = hashlib.sha256(photo).hexdigest()
    held = slots.in_use
    slots.in_use = slots.limit
    try:
        r = client.put(f"/api/evidence/{address}", content=photo,
                       headers={**world.headers("cadre_x1", "en"), "content-type": "image/jpeg"})
    finally:
        slots.in_use = held
    assert r.status_code == 503 and int(r.headers["retry-after"]) > 0
    assert r.json()["code"] == "uploads_busy" and "nothing is lost" in r.json()["title"]
    r = client.put(f"/api/evidence/{address}", content=photo,
                   headers={**world.headers("cadre_x1"), "content-type": "image/jpeg"})
    assert r.status_code == 201, r.text
    assert slots.in_use == held


def test_the_server_limits_are_valid_uvicorn_settings():
    import uvicorn

    limits = Settings().server_limits()
    config = uvicorn.Config("backend.app:create_app", factory=True, **limits)
    assert config.limit_concurrency == 1000 and config.timeout_keep_alive == 5
    assert config.h11_max_incomplete_event_size == 16 * 1024
    assert config.timeout_worker_healthcheck == 30
