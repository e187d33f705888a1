"""Demo surveys for 云岭乡 and 清水乡: a spring survey already answered (so households there
have known facts that the next survey shows pre-filled), and a winter draft for the county to
look at before publishing. Everything goes through the services the app uses.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid

from backend.core.context import RequestContext
from backend.core.scope import Actor, Scope
from backend.demo.activity import demo_actor
from backend.fieldwork import services as fieldwork
from backend.surveys import services as surveys
from backend.surveys.schemas import SurveyIn
from backend.surveys.xlsform import example_xlsform, read_xlsform
from backend.sync import services as sync
from backend.sync.schemas import PushItem

__all__ = ["seed_surveys"]

_HOUSING = ["brick", "brick", "wood", "other"]


async def seed_surveys(ctx: RequestContext, county: str, villages: list[str]) -> None:
    """``villages``: the villages to survey; their first cadre answers eight households each."""
    rng = random.Random(8)
    admin = Actor(user_id=uuid.UUID(int=0), name="seed", phone="",
                  scope=Scope(user_id=uuid.UUID(int=0), admin_counties=frozenset({county})))
    form = read_xlsform(example_xlsform()).form
    assert form is not None
    spring = await surveys.create_survey(ctx, admin, SurveyIn(
        title="2026年春季农户基本信息采集", target="households", village_codes=villages,
        period_start=dt.date(2026, 4, 1), period_end=dt.date(2026, 4, 30), form=form))
    published = await surveys.publish_survey(ctx, admin, spring.id)
    version_id = published.versions[-1].id
    for serial, village in _first_cadres(villages):
        cadre = await demo_actor(f"139{serial:08d}")
        rows = (await fieldwork.household_rows({village}))[:8]
        items = [PushItem(kind="survey_response", id=str(uuid.UUID(int=rng.getrandbits(128),
                                                                    version=4)),
                          base_version=None, data={
            "survey_id": str(spring.id), "form_version_id": str(version_id),
            "village_code": village, "household_id": str(h["id"]),
            "answers": _answers(rng), "confirmed": [],
            "answered_at": dt.datetime(2026, 4, 10 + i, 2, 30, tzinfo=dt.UTC).isoformat(),
        }) for i, h in enumerate(rows)]
        await sync.push(ctx, cadre, items, "zh")
    await surveys.close_survey(ctx, admin, spring.id)
    await surveys.create_survey(ctx, admin, SurveyIn(
        title="2026年冬季住房安全排查", target="households", village_codes=villages[:1],
        description="排查农户住房安全，已登记的信息只需确认",
        period_start=dt.date(2026, 12, 1), period_end=dt.date(2026, 12, 31), form=form))


def _first_cadres(villages: list[str]) -> list[tuple[int, str]]:
    """The demo numbers cadres three a village, in village order (``seed.py``)."""
    from backend.demo.seed import village_serials

    return [(village_serials()[v], v) for v in villages]


def _answers(rng: random.Random) -> dict[str, object]:
    housing = rng.choice(_HOUSING)
    answers: dict[str, object] = {
        "members": rng.randint(1, 6), "phone": f"138{rng.randint(0, 99999999):08d}",
        "housing": housing, "income": rng.sample(["farm", "work", "pension", "aid"], 2),
        "land_mu": round(rng.uniform(0.5, 8), 1), "needs_help": rng.random() < 0.3,
    }
    if housing == "other":
        answers["housing_note"] = "土木结构老房"
    return answers
