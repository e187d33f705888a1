"""HTTP for feedback (messages themselves are written through sync, kind ``feedback``)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK

from backend.core.context import RequestContext
from backend.core.scope import Actor
from backend.feedback import services
from backend.feedback.schemas import AnswerIn, FeedbackOut

__all__ = ["FeedbackController"]


class FeedbackController(Controller):
    path = "/api/feedback"
    tags = ["feedback 投诉建议"]

    @get("/")
    async def list_feedback(
        self, actor: NamedDependency[Actor],
        feedback_state: Annotated[Literal["open", "answered"] | None,
                                  QueryParameter(name="state")] = None,
    ) -> list[FeedbackOut]:
        """One's own messages; county admins see all of their counties', oldest first."""
        return await services.list_feedback(actor.scope, feedback_state)

    @post("/{feedback_id:uuid}/answer", status_code=HTTP_200_OK)
    async def answer(self, feedback_id: FromPath[uuid.UUID], data: JSONBody[AnswerIn],
                     actor: NamedDependency[Actor],
                     ctx: NamedDependency[RequestContext]) -> FeedbackOut:
        """County admins answer; the answer reaches the author's inbox."""
        return await services.answer(ctx, actor, feedback_id, data.answer)
