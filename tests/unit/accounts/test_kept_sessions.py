"""What an API process keeps of sessions between requests (``accounts/kept_sessions``): only
while it listens, forgetting what each notice names, never a row read before a notice."""

from __future__ import annotations

import uuid

import pytest

from backend.accounts import kept_sessions
from backend.accounts.kept_sessions import KeptSessions

ALICE, BOB = uuid.UUID(int=1), uuid.UUID(int=2)
S1, S2, S3 = uuid.UUID(int=11), uuid.UUID(int=12), uuid.UUID(int=13)


class Heard:
    """A stand-in for ``core.listening.Listening``: listening or not, and its generation."""

    def __init__(self) -> None:
        self.listening = True
        self.generation = 0
        self.receivers: list = []

    def subscribe(self, receive) -> None:
        self.receivers.append(receive)

    def notice(self, payload: str) -> None:
        self.generation += 1
        for receive in self.receivers:
            receive(payload)


def row(account: uuid.UUID, version: int = 5) -> dict:
    return {"account": account, "active": True, "data_version": version}


@pytest.fixture
def heard() -> Heard:
    return Heard()


@pytest.fixture
def kept(heard: Heard) -> KeptSessions:
    out = KeptSessions(heard)  # type: ignore[arg-type]
    for sid, account in ((S1, ALICE), (S2, ALICE), (S3, BOB)):
        out.keep(sid, row(account), heard.generation)
    return out


def test_a_kept_session_comes_back_with_the_version(kept):
    assert kept.get(S1) == row(ALICE)
    assert kept.get(uuid.UUID(int=99)) is None


def test_nothing_is_kept_or_given_while_not_listening(kept, heard):
    heard.listening = False
    assert kept.get(S1) is None
    kept.keep(uuid.UUID(int=14), row(BOB), heard.generation)
    heard.listening = True
    assert kept.get(uuid.UUID(int=14)) is None


def test_a_session_notice_forgets_that_session(kept, heard):
    heard.notice(f"s{S1}")
    assert kept.get(S1) is None and kept.get(S2) == row(ALICE)


def test_a_user_notice_forgets_every_session_of_that_user(kept, heard):
    heard.notice(f"u{ALICE}")
    assert kept.get(S1) is None and kept.get(S2) is None and kept.get(S3) == row(BOB)


def test_a_version_notice_makes_every_session_read_again(kept, heard):
    heard.notice("v")
    assert kept.get(S3) is None
    kept.keep(S3, row(BOB, 6), heard.generation)  # the next read brings the new version
    assert kept.get(S3) == row(BOB, 6) and kept.get(S1) == row(ALICE, 6)


@pytest.mark.parametrize("payload", ["*", "sNOT-AN-ID", "x", "", "v1"])
def test_anything_else_forgets_everything(kept, heard, payload):
    heard.notice(payload)
    assert len(kept) == 0 and kept.get(S3) is None


def test_a_row_read_before_a_notice_is_not_kept(kept, heard):
    """A request notes the generation, reads the session; a notice (of that session's end)
    arrives before it keeps the row: the row may be older than the end, so it is dropped."""
    sid = uuid.UUID(int=15)
    noted = heard.generation
    heard.notice(f"s{sid}")
    kept.keep(sid, row(BOB), noted)
    assert kept.get(sid) is None


def test_a_session_is_read_again_after_keep_for(kept, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(kept_sessions.time, "monotonic", lambda: now[0])
    kept.keep(S1, row(ALICE), 0)
    now[0] += kept.keep_for - 1
    assert kept.get(S1) is not None
    now[0] += 2
    assert kept.get(S1) is None


def test_the_least_recently_used_go_first(heard):
    kept = KeptSessions(heard, keep_at_most=2)  # type: ignore[arg-type]
    kept.keep(S1, row(ALICE), 0)
    kept.keep(S2, row(ALICE), 0)
    assert kept.get(S1) is not None  # S1 used: S2 is now the oldest
    kept.keep(S3, row(BOB), 0)
    assert kept.get(S2) is None and kept.get(S1) is not None and kept.get(S3) is not None


def test_a_user_forgotten_here_is_read_again_at_once(kept, heard):
    """A logout committed in this process: the user's next request reads its session, before
    the notice comes back; a row read before the forgetting is not kept."""
    noted = kept.generation
    kept.forget_user(ALICE)
    assert kept.get(S1) is None and kept.get(S2) is None and kept.get(S3) == row(BOB)
    kept.keep(S1, row(ALICE), noted)
    assert kept.get(S1) is None
    kept.keep(S1, row(ALICE), kept.generation)
    assert kept.get(S1) == row(ALICE)
