"""Requests take turns (``core/admission``): at most ``active`` at work, in order of arrival;
bodies read and answers sent outside the turn; what streams or is exempt never waits."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from backend.core import admission
from backend.core.admission import admission_middleware

Message = dict[str, Any]


class Phone:
    """One request to the middleware: its body comes in ``parts`` (each sent when
    ``release_part`` is set, or at once), and what the app sent back is kept."""

    def __init__(self, path: str = "/api/sync/push", parts: tuple[bytes, ...] = (b"{}",),
                 headers: list[tuple[bytes, bytes]] | None = None, slow: bool = False) -> None:
        self.path = path
        self.parts = list(parts)
        length = sum(map(len, parts))
        self.headers = headers if headers is not None else [
            (b"content-type", b"application/json"), (b"content-length", str(length).encode())]
        self.gate = asyncio.Event()
        if not slow:
            self.gate.set()
        self.sent: list[Message] = []

    def scope(self) -> dict[str, Any]:
        return {"type": "http", "path": self.path, "method": "POST", "headers": self.headers}

    async def receive(self) -> Message:
        if not self.parts:
            await asyncio.Event().wait()  # nothing more: a client that stays
        if len(self.parts) == 1:
            await self.gate.wait()
        body = self.parts.pop(0)
        return {"type": "http.request", "body": body, "more_body": bool(self.parts)}

    async def send(self, message: Message) -> None:
        self.sent.append(message)

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.sent if m["type"] == "http.response.body")


class Work:
    """An app that records who is at work at once and in which order requests began; each
    request works until its ``finish`` event is set (or at once), then answers ``answer``."""

    def __init__(self, answer: bytes = b"ok", chunks: int = 1) -> None:
        self.running = 0
        self.most = 0
        self.began: list[str] = []
        self.bodies: list[bytes] = []
        self.finish: dict[str, asyncio.Event] = {}
        self.answer = answer
        self.chunks = chunks
        self.fail = False

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.running += 1
        self.most = max(self.most, self.running)
        name = dict(scope["headers"]).get(b"x-name", b"").decode()
        self.began.append(name)
        try:
            body = b""
            while True:
                message = await receive()
                body += message.get("body", b"")
                if not message.get("more_body"):
                    break
            self.bodies.append(body)
            if name in self.finish:
                await self.finish[name].wait()
            if self.fail:
                raise RuntimeError("the work failed")
            await send({"type": "http.response.start", "status": 200, "headers": []})
            for i in range(self.chunks):
                await send({"type": "http.response.body", "body": self.answer,
                            "more_body": i < self.chunks - 1})
        finally:
            self.running -= 1


def named(phone: Phone, name: str) -> Phone:
    phone.headers = [*phone.headers, (b"x-name", name.encode())]
    return phone


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def test_at_most_active_at_work_and_in_order_of_arrival() -> None:
    work = Work()
    app = admission_middleware(work, active=2, exempt=("/metrics",))
    names = [f"p{i}" for i in range(6)]
    for name in names:
        work.finish[name] = asyncio.Event()
    phones = [named(Phone(), name) for name in names]
    tasks = []
    for phone in phones:
        tasks.append(asyncio.create_task(app(phone.scope(), phone.receive, phone.send)))
        await settle()
    assert work.began == ["p0", "p1"]
    assert admission.WAITING._value.get() == 4
    for name in names:
        work.finish[name].set()
        await settle()
    await asyncio.gather(*tasks)
    assert work.began == names  # in the order they arrived
    assert work.most == 2
    assert admission.WAITING._value.get() == 0
    assert all(p.body == b"ok" and p.sent[0]["status"] == 200 for p in phones)


async def test_a_slow_body_does_not_hold_a_turn() -> None:
    work = Work()
    app = admission_middleware(work, active=1, exempt=())
    slow = named(Phone(parts=(b'{"items":', b"[]}"), slow=True), "slow")
    quick = named(Phone(), "quick")
    sending = asyncio.create_task(app(slow.scope(), slow.receive, slow.send))
    await settle()
    await app(quick.scope(), quick.receive, quick.send)  # not behind the phone still sending
    assert work.began == ["quick"]
    slow.gate.set()
    await sending
    assert work.bodies == [b"{}", b'{"items":[]}']  # the whole body, as sent
    assert slow.body == b"ok"


async def test_the_turn_is_passed_on_before_a_slow_client_reads_its_answer() -> None:
    work = Work()
    app = admission_middleware(work, active=1, exempt=())
    reading = asyncio.Event()
    first = named(Phone(), "first")

    async def slow_send(message: Message) -> None:
        await reading.wait()  # a phone on a bad line taking its answer
        first.sent.append(message)

    task = asyncio.create_task(app(first.scope(), first.receive, slow_send))
    await settle()
    second = named(Phone(), "second")
    await app(second.scope(), second.receive, second.send)
    assert work.began == ["first", "second"] and second.body == b"ok"
    reading.set()
    await task
    assert first.body == b"ok"


async def test_a_large_answer_streams_after_passing_the_turn() -> None:
    chunk = b"x" * (64 * 1024)
    work = Work(answer=chunk, chunks=8)  # 512 KiB, past what is held
    app = admission_middleware(work, active=1, exempt=())
    reading = asyncio.Event()
    first = named(Phone(), "first")

    async def slow_send(message: Message) -> None:
        await reading.wait()  # the phone takes its answer slowly
        first.sent.append(message)

    task = asyncio.create_task(app(first.scope(), first.receive, slow_send))
    await settle()
    second = named(Phone(), "second")
    await asyncio.wait_for(app(second.scope(), second.receive, second.send), 5)
    assert second.body == chunk * 8  # worked while the first answer was still streaming
    assert work.began == ["first", "second"]
    reading.set()
    await task
    assert first.body == chunk * 8
    assert first.sent[0]["type"] == "http.response.start"


async def test_an_answer_within_the_bound_is_held_until_the_work_ends() -> None:
    work = Work(answer=b"y" * 1024, chunks=3)
    app = admission_middleware(work, active=1, exempt=())
    sent_while_working: list[int] = []
    phone = named(Phone(), "one")

    async def send(message: Message) -> None:
        sent_while_working.append(work.running)
        phone.sent.append(message)

    await app(phone.scope(), phone.receive, send)
    assert sent_while_working == [0, 0, 0, 0]  # all of it after the work
    assert phone.body == b"y" * 3072


async def one_at_work() -> tuple[Work, Any, asyncio.Task[None]]:
    """An app with one turn, taken by a request ("busy") that works until told to finish."""
    work = Work()
    app = admission_middleware(work, active=1, exempt=())
    work.finish["busy"] = asyncio.Event()
    busy = named(Phone(), "busy")
    task = asyncio.create_task(app(busy.scope(), busy.receive, busy.send))
    await settle()
    return work, app, task


@pytest.mark.parametrize("headers", [
    [(b"content-type", b"multipart/form-data; boundary=x"), (b"content-length", b"10")],
    [(b"content-type", b"application/json"), (b"transfer-encoding", b"chunked")],
    [(b"content-type", b"application/json"),
     (b"content-length", str(admission.BODY_BYTES + 1).encode())],
    [(b"content-length", b"not a number")],
    [(b"content-type", b"image/jpeg"), (b"content-length", b"300000")],  # a photo streams
    [(b"content-type", b"text/csv"), (b"content-length", b"10")],
])
async def test_bodies_that_stream_do_not_wait(headers: list[tuple[bytes, bytes]]) -> None:
    work, app, task = await one_at_work()
    upload = named(Phone(headers=headers), "upload")
    await app(upload.scope(), upload.receive, upload.send)  # beside the one at work
    assert work.began == ["busy", "upload"]
    work.finish["busy"].set()
    await task


async def test_json_and_empty_bodies_wait_for_their_turn() -> None:
    for headers in ([(b"content-type", b"application/json; charset=utf-8"),
                     (b"content-length", b"2")],
                    [(b"content-type", b"application/problem+json"), (b"content-length", b"2")],
                    []):
        work, app, task = await one_at_work()
        other = named(Phone(headers=headers), "other")
        waiting = asyncio.create_task(app(other.scope(), other.receive, other.send))
        await settle()
        assert work.began == ["busy"]  # waits behind the one at work
        work.finish["busy"].set()
        await asyncio.gather(task, waiting)
        assert work.began == ["busy", "other"]


async def test_exempt_paths_do_not_wait() -> None:
    work = Work()
    app = admission_middleware(work, active=1, exempt=("/metrics", "/api/auth/"))
    work.finish["busy"] = asyncio.Event()
    busy = named(Phone(), "busy")
    task = asyncio.create_task(app(busy.scope(), busy.receive, busy.send))
    await settle()
    for path in ("/metrics", "/api/auth/login"):
        phone = named(Phone(path=path), path)
        await app(phone.scope(), phone.receive, phone.send)
        assert phone.body == b"ok"
    work.finish["busy"].set()
    await task


async def test_a_failure_passes_the_turn_on() -> None:
    work = Work()
    app = admission_middleware(work, active=1, exempt=())
    work.fail = True
    failing = named(Phone(), "failing")
    with pytest.raises(RuntimeError):
        await app(failing.scope(), failing.receive, failing.send)
    work.fail = False
    after = named(Phone(), "after")
    await asyncio.wait_for(app(after.scope(), after.receive, after.send), 5)
    assert after.body == b"ok"


async def test_a_client_that_leaves_while_sending_is_told_to_the_app() -> None:
    seen: list[Message] = []

    async def app_(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(await receive())

    app = admission_middleware(app_, active=1, exempt=())

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        raise AssertionError("nothing to answer")

    scope = Phone().scope()
    await app(scope, receive, send)
    assert seen == [{"type": "http.disconnect"}]
