"""Feedback as a sync kind: written offline like everything else."""

from __future__ import annotations

from backend.feedback import services
from backend.feedback.schemas import FeedbackData, FeedbackWire
from backend.feedback.tables import Feedback
from backend.sync.compact import Compact, instant, stored_json, value
from backend.sync.registry import SyncKind

__all__ = ["FEEDBACK"]


FEEDBACK = SyncKind(
    name="feedback", table=Feedback,
    pull_where=services.feedback_where, prepare=services.prepare_feedback,
    locked=services.feedback_locked, after_write=services.write_links,
    data_model=FeedbackData, wire_model=FeedbackWire,
    compact=Compact({
        "text": value(Feedback.text),
        "evidence": stored_json(Feedback.evidence, []),
        "state": value(Feedback.state),
        "answer": value(Feedback.answer),
        "created_at": instant(Feedback.created_at),
        "answered_at": instant(Feedback.answered_at),
    }),
)
