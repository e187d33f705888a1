"""Demo activity for 云岭乡, so that a first look finds screens with something on them.

Everything goes through the same services the app uses (sync push, submission, review,
imports). 青山镇 and 石桥镇 are left untouched: the browser tests start from their empty months.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid

from backend.accounts import services as accounts
from backend.claims import insurance
from backend.core.clock import local_date
from backend.core.context import RequestContext
from backend.core.scope import Actor, Scope
from backend.fieldwork import presence
from backend.fieldwork import services as fieldwork
from backend.sync import services as sync
from backend.sync.schemas import PushItem

__all__ = ["POLICY_START", "demo_actor", "seed_activity"]

#: The demo's current accident-insurance policies run a year from here.
POLICY_START = dt.date(2026, 3, 1)
_POLICY_END = dt.date(2027, 2, 28)

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙罗龙潘石韦欧"
_KINDS = ["visit", "visit", "visit", "meeting", "project", "training", "duty", "mediation"]
_TEXTS = {
    "visit": "入户走访，了解家庭收入和务工情况，宣传防返贫政策",
    "meeting": "参加村两委会议，研究产业发展和集体经济",
    "project": "到茶叶基地项目现场，查看施工进度",
    "training": "参加乡镇组织的业务培训",
    "duty": "村委会值班，接待群众来访",
    "mediation": "调解邻里土地纠纷，双方达成一致",
}


async def demo_actor(phone: str) -> Actor:
    user_id, name = (await accounts.users_by_phone([phone]))[phone]
    scope = await accounts.resolve_scope(user_id)
    return Actor(user_id=user_id, name=name, phone=phone, scope=scope)


def _households_csv(village: str, rng: random.Random) -> str:
    lines = ["户编号,户主,人口,村民组,标签"]
    for i in range(1, 21):
        tag = rng.choice(["脱贫户", "监测户", "", "", ""])
        name = rng.choice(_SURNAMES) + rng.choice("明华芳军伟敏静强")
        lines.append(f"{village[-3:]}{i:03d},{name},{rng.randint(1, 6)},{(i - 1) // 7 + 1}组,{tag}")
    return "\n".join(lines) + "\n"


async def seed_activity(ctx: RequestContext, county: str, villages: list[str]) -> None:
    rng = random.Random(2026)
    admin = Actor(user_id=uuid.UUID(int=0), name="seed", phone="",
                  scope=Scope(user_id=uuid.UUID(int=0), admin_counties=frozenset({county})))
    for village in villages:
        await fieldwork.import_households(ctx, admin, village, _households_csv(village, rng))
    policies = ["手机号,保险公司,保单号,保险金额,起保日期,止保日期"]
    for serial in range(1, 121):
        if serial % 10:  # every tenth cadre left uncovered: the county sees the gaps
            policies.append(f"139{serial:08d},中国人民财产保险,PICC-2026-001,500000,"
                            f"{POLICY_START},{_POLICY_END}")
    await insurance.import_policies(ctx, admin.scope, county, "\n".join(policies) + "\n")
    month = (local_date().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    for serial in range(43, 46):  # the first village of 云岭乡
        cadre = await demo_actor(f"139{serial:08d}")
        village = sorted(cadre.scope.own_villages)[0]
        households = [h.id for h in await fieldwork.list_households(cadre.scope, village)]
        items = []
        for day in range(1, 29):
            if rng.random() < 0.25:
                continue
            kind = rng.choice(_KINDS)
            log_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            items.append(PushItem(kind="work_log", id=str(log_id), base_version=None, data={
                "village_code": village, "date": month.replace(day=day).isoformat(),
                "kind": kind, "text": _TEXTS.get(kind, "其他工作"),
                "household_ids": [str(h) for h in rng.sample(households, 2)]
                if kind == "visit" else [], "location": None, "evidence": []}))
        await sync.push(ctx, cadre, items, "zh")
        await presence.submit_month(ctx, cadre, month.strftime("%Y-%m"))
    reviewer = await demo_actor("13800000103")
    sheets = await presence.sheet_queue(reviewer.scope, "submitted", month.strftime("%Y-%m"))
    for sheet in sheets[:2]:  # two confirmed (their subsidy drafted), one left to review
        await presence.confirm_sheet(ctx, reviewer, sheet.id, sheet.version)
