"""A push service on loopback and a browser's keys, for Web Push tests.

The receiver records every POST and answers from a script per path; the browser holds the
P-256 key and auth secret of its subscription, so a test can decrypt what the dispatcher sent
(aes128gcm) exactly as a browser would.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import SecretStr

from backend.notify.vapid import generate_key_pair

__all__ = ["Browser", "Received", "Receiver", "configure_push", "vapid_settings"]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def vapid_settings() -> dict[str, Any]:
    private, public = generate_key_pair()
    return {"vapid_private_key": private, "vapid_public_key": public,
            "vapid_subject": "mailto:push-test@zhucun.invalid"}


def configure_push(settings: Any, monkeypatch: Any) -> dict[str, Any]:
    """Push configured on the running app's settings object, until the test ends."""
    values = vapid_settings()
    monkeypatch.setattr(settings, "vapid_private_key", SecretStr(values["vapid_private_key"]))
    monkeypatch.setattr(settings, "vapid_public_key", values["vapid_public_key"])
    monkeypatch.setattr(settings, "vapid_subject", values["vapid_subject"])
    return values


class Browser:
    """The keys a browser makes for one push subscription."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)

    @property
    def p256dh(self) -> str:
        return b64url(self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))

    def subscription(self, endpoint: str) -> dict[str, Any]:
        """``PushSubscription.toJSON()`` as the browser posts it."""
        return {"endpoint": endpoint, "expirationTime": None,
                "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth)}}

    def decrypt(self, body: bytes) -> dict[str, Any]:
        plain = http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth,
                                 version="aes128gcm")
        return json.loads(plain)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int


@dataclass
class Receiver:
    """An HTTP server thread on 127.0.0.1 standing in for a push service.

    ``script[path]`` lists the statuses to answer in turn (then 201); ``hold`` makes every
    request wait until it is set (a push service that hangs); ``delay`` slows each answer.
    """

    script: dict[str, list[int]] = field(default_factory=dict)
    delay: float = 0.0
    hold: threading.Event | None = None
    received: list[Received] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver._lock:
                    answers = receiver.script.get(self.path, [])
                    status = answers.pop(0) if answers else 201
                    receiver.received.append(
                        Received(self.path, {k.lower(): v for k, v in self.headers.items()},
                                 body, status))
                receiver.arrived.set()
                if receiver.hold is not None:
                    receiver.hold.wait(60)
                if receiver.delay:
                    threading.Event().wait(receiver.delay)
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "120")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def endpoint(self, name: str) -> str:
        return f"{self.origin}/push/{name}"

    def to(self, name: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.path == f"/push/{name}"]

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.hold is not None:
            self.hold.set()
        self.server.shutdown()
        self.server.server_close()
