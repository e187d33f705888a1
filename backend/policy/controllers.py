"""HTTP for policy settings: read by everyone in the county, versioned edits by its admin."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, Parameter

from backend.core.context import RequestContext
from backend.core.scope import Actor
from backend.policy import services
from backend.policy.schemas import PolicyIn, PolicyOut

__all__ = ["PolicyController"]

#: A policy year: Zhucun's records begin with the 2018 notice.
PolicyYear = Annotated[int, Parameter(ge=2018, le=2100)]


class PolicyController(Controller):
    path = "/api/policy"
    tags = ["policy 政策参数"]

    @get("/{county_code:str}/{year:int}")
    async def read(
        self, county_code: FromPath[str], year: PolicyYear, actor: NamedDependency[Actor]
    ) -> PolicyOut:
        """The settings in force for the county and year (version 0: the defaults)."""
        return await services.read_policy(actor.scope, county_code, year)

    @get("/{county_code:str}/{year:int}/history")
    async def history(
        self, county_code: FromPath[str], year: PolicyYear, actor: NamedDependency[Actor]
    ) -> list[PolicyOut]:
        """Every saved version, newest first."""
        return await services.policy_history(actor.scope, county_code, year)

    @put("/{county_code:str}/{year:int}")
    async def save(
        self,
        county_code: FromPath[str],
        year: PolicyYear,
        data: JSONBody[PolicyIn],
        actor: NamedDependency[Actor],
        ctx: NamedDependency[RequestContext],
    ) -> PolicyOut:
        """Save a new version (county admin); ``version`` is the one edited, 409 if stale.
        Claims already computed keep their values."""
        return await services.set_policy(ctx, actor.scope, county_code, year, data)
