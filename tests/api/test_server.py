"""``zhucun serve`` itself, over real sockets: the largest request head
(``ZHUCUN_SERVER_MAX_HEAD_BYTES``) is applied by the httptools protocol it runs
(``core/server.BoundedHttpToolsProtocol``) however a head is split across reads, and nothing
else is refused for it: bodies, keep-alive and pipelined requests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from backend.core.server import http_protocol
from tests.conftest import DB_URL, ROOT

pytest.importorskip("httptools", reason="zhucun serve parses HTTP with httptools (a dependency)")

LIMIT = 4096


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: Bytes read past an answer (pipelined answers arrive together), per socket.
_unread: dict[int, bytes] = {}


def _read_answer(sock: socket.socket) -> tuple[int, bytes]:
    """One answer (status and body) of a request sent on ``sock``."""
    data = _unread.pop(sock.fileno(), b"")
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"closed before an answer: {data!r}"
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        assert chunk
        rest += chunk
    if len(rest) > length:
        _unread[sock.fileno()] = rest[length:]
    return int(head.split(b" ", 2)[1]), rest[:length]


def _closed(sock: socket.socket) -> bool:
    assert not _unread.get(sock.fileno()), "bytes after the last answer"
    sock.settimeout(10)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def _head(size: int, path: str = "/api/health", method: str = "GET",
          extra: str = "") -> bytes:
    """A request head of exactly ``size`` bytes (padded by an ``X-Pad`` header)."""
    start = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}X-Pad: "
    pad = size - len(start) - len("\r\n\r\n")
    head = f"{start}{'p' * pad}\r\n\r\n".encode()
    assert len(head) == size
    return head


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    env = {**os.environ, "ZHUCUN_DATABASE_URL": DB_URL, "ZHUCUN_ENV": "test",
           "ZHUCUN_PWA_DIR": str(ROOT / "none"), "ZHUCUN_SERVER_MAX_HEAD_BYTES": str(LIMIT)}
    proc = subprocess.Popen([sys.executable, "-m", "backend.cli", "serve", "--host",
                             "127.0.0.1", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                    s.sendall(_head(200))
                    if _read_answer(s)[0] == 200:
                        break
            except (OSError, AssertionError):
                time.sleep(0.3)
        else:
            pytest.fail("zhucun serve did not start")
        yield port
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _connect(port: int) -> socket.socket:
    _unread.clear()
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def test_serve_runs_the_bounded_httptools_protocol():
    assert http_protocol() == "backend.core.server:BoundedHttpToolsProtocol"


def test_a_head_of_the_limit_passes_and_one_byte_more_is_refused(server):
    with _connect(server) as s:
        s.sendall(_head(LIMIT))
        assert _read_answer(s)[0] == 200
        s.sendall(_head(LIMIT))  # the next head on the connection is counted afresh
        assert _read_answer(s)[0] == 200
        s.sendall(_head(LIMIT + 1))
        status, body = _read_answer(s)
        assert status == 431 and b"too large" in body
        assert _closed(s)


@pytest.mark.parametrize("chunk", [1, 100, 1000])
def test_a_head_split_across_reads_is_counted_whole(server, chunk):
    head = _head(LIMIT + 1)
    with _connect(server) as s:
        for n, i in enumerate(range(0, len(head), chunk)):
            if n % 40 == 39:
                time.sleep(0.005)  # separate reads on the server's side, not a timing check
            try:
                s.sendall(head[i:i + chunk])
            except (BrokenPipeError, ConnectionResetError):
                break  # refused before the last byte
        assert _read_answer(s)[0] == 431
        assert _closed(s)


def test_a_header_that_never_ends_is_cut_off_at_the_limit(server):
    with _connect(server) as s:
        s.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Endless: ")
        sent = 0
        with pytest.raises((BrokenPipeError, ConnectionResetError)):
            while sent < 10 * 1024 * 1024:  # bounded: the server must close long before
                s.sendall(b"a" * 1024)
                sent += 1024
                time.sleep(0.001)
        assert sent < 1024 * 1024


def test_bodies_keep_alive_and_pipelining_are_not_counted_as_head(server):
    body = b'{"items": []}' + b" " * (3 * LIMIT)
    post = _head(LIMIT - 64, "/api/sync/push", "POST",
                 f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n") + body
    with _connect(server) as s:
        s.sendall(post)  # head and a body larger than the limit in one write
        assert _read_answer(s)[0] == 401  # the app answered: no token, not 431
        s.sendall(_head(LIMIT - 10) * 3)  # three requests at once
        assert [_read_answer(s)[0] for _ in range(3)] == [200, 200, 200]
        s.sendall(post + _head(LIMIT))
        assert [_read_answer(s)[0] for _ in range(2)] == [401, 200]
