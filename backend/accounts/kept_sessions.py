"""Live sessions kept between requests in each API process, on PostgreSQL.

Every authenticated request needs its session (live? its user active? a temporary password?)
and the reference-data version its process caches are keyed by (``core/cache``). Read from the
database that was a statement a request, two in every sync cycle. Here they are kept while the
database says nothing of them changed: triggers (migration ``accounts`` of 5 Dec 23:20) notify
channel ``zhucun_sessions`` when a session ends or is deleted (``s`` + its id), when a user's
name, phone, ``active`` or ``must_change_password`` changes or the user goes (``u`` + the id),
when the reference-data version moves (``v``), and when a table is emptied (``*``); every API
process listens (``core/listening``) and forgets what a notice names. A session ended in another
process is refused as soon as its notice is delivered, which PostgreSQL does at the commit
(a loopback round trip later; milliseconds where the database is remote), not after a time.

Only what the notices cover is kept, and only while the process listens: without a connection
listening (SQLite, a start before the first connection, a lost one) every request reads the
database, as before. An entry is kept at most ``KEEP_FOR`` seconds, so that a session seldom
used is read again and ``last_used_at`` (which a refresh moves without a notice; it only makes
a session live longer) stays near the truth, and at most ``KEEP_AT_MOST`` sessions are kept
(the least recently used go first).
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from backend.core.listening import Listening

if TYPE_CHECKING:
    from litestar import Litestar

__all__ = ["CHANNEL", "KEEP_AT_MOST", "KEEP_FOR", "KEPT", "KeptSessions", "install"]

CHANNEL = "zhucun_sessions"
KEEP_FOR = 60.0
KEEP_AT_MOST = 50_000

_UNKNOWN = object()


class KeptSessions:
    """Sessions as ``accounts.services.live_session`` reads them (a row with the
    reference-data version in ``data_version``), by session id."""

    def __init__(self, notices: Listening, *, keep_for: float = KEEP_FOR,
                 keep_at_most: int = KEEP_AT_MOST) -> None:
        self.notices = notices
        self.keep_for = keep_for
        self.keep_at_most = keep_at_most
        self._sessions: OrderedDict[uuid.UUID, tuple[float, dict[str, Any]]] = OrderedDict()
        self._version: Any = _UNKNOWN
        self._forgotten = 0
        notices.subscribe(self.changed)

    @property
    def generation(self) -> int:
        """Moves at every notice, loss of the notices and forgetting here: what a reader notes
        before it reads the database, for :meth:`keep`."""
        return self.notices.generation + self._forgotten

    def forget_user(self, account: uuid.UUID) -> None:
        """Forget a user's sessions now, in this process, after a change committed here (a
        logout, a password change, sessions ended): its notice reaches the other processes,
        and this one a moment later; the user's next request must not come first."""
        self._forgotten += 1
        self._drop_user(account)

    def get(self, session_id: uuid.UUID) -> dict[str, Any] | None:
        """The session as last read, with the version now; None when it must be read."""
        if not self.notices.listening or self._version is _UNKNOWN:
            return None
        entry = self._sessions.get(session_id)
        if entry is None:
            return None
        kept_at, row = entry
        if time.monotonic() - kept_at > self.keep_for:
            del self._sessions[session_id]
            return None
        self._sessions.move_to_end(session_id)
        return {**row, "data_version": self._version}

    def keep(self, session_id: uuid.UUID, row: dict[str, Any], generation: int) -> None:
        """Keep a session read from the database, unless a notice (or a loss of the notices)
        came after ``generation`` was noted, before the read: the row may predate it."""
        if not self.notices.listening or generation != self.generation:
            return
        self._version = row["data_version"]
        self._sessions[session_id] = (time.monotonic(), row)
        self._sessions.move_to_end(session_id)
        while len(self._sessions) > self.keep_at_most:
            self._sessions.popitem(last=False)

    def changed(self, payload: str) -> None:
        """A notice: forget what it names (anything not understood: everything)."""
        kind, rest = payload[:1], payload[1:]
        try:
            if kind == "s":
                self._sessions.pop(uuid.UUID(rest), None)
                return
            if kind == "u":
                self._drop_user(uuid.UUID(rest))
                return
            if kind == "v" and not rest:
                self._version = _UNKNOWN
                return
        except ValueError:
            pass
        self._sessions.clear()
        self._version = _UNKNOWN

    def _drop_user(self, account: uuid.UUID) -> None:
        for sid in [s for s, (_, row) in self._sessions.items() if row["account"] == account]:
            del self._sessions[sid]

    def __len__(self) -> int:
        return len(self._sessions)


NOTICES = Listening(CHANNEL)
#: This process's kept sessions.
KEPT = KeptSessions(NOTICES)


def install(app: Litestar) -> None:
    """While the app runs, hear the notices (PostgreSQL; nothing on SQLite)."""

    async def start() -> None:
        await NOTICES.start(app.state.engine)

    async def stop() -> None:
        await NOTICES.stop()
        KEPT.changed("*")

    app.on_startup.append(start)
    app.on_shutdown.insert(0, stop)
