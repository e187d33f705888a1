"""A small two-county world for API tests: every role, inside and outside each scope."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from backend.accounts import services as accounts
from backend.accounts.passwords import hash_password
from backend.accounts.schemas import PostingDetails, RoleIn, UserIn
from backend.accounts.tables import Session
from backend.accounts.tokens import hash_refresh_token, issue_access_token, new_refresh_token
from backend.core.clock import utc_now
from backend.core.context import RequestContext
from backend.core.ids import new_id
from backend.core.settings import Settings
from backend.geo import services as geo

PASSWORD = "correct horse battery"
_HASH = hash_password(PASSWORD)

COUNTY_A, COUNTY_B = "529801", "529802"
TOWNSHIP_X, TOWNSHIP_Y, TOWNSHIP_Z = "529801001", "529801002", "529802001"
VILLAGE_X1, VILLAGE_X2 = "529801001201", "529801001202"
VILLAGE_Y1, VILLAGE_Z1 = "529801002201", "529802001201"

DIVISIONS_CSV = f"""code,name,level,parent_code,tier,valid_from,center_lat,center_lon,radius_m
520000,贵州省,province,,ordinary,2000-01-01,,,
529800,测试州,prefecture,520000,ordinary,2000-01-01,,,
{COUNTY_A},甲县,county,529800,key,2000-01-01,26.40,107.90,
{COUNTY_B},乙县,county,529800,ordinary,2000-01-01,26.10,107.50,
{TOWNSHIP_X},甲一镇,township,{COUNTY_A},deep,2000-01-01,26.41,107.91,
{TOWNSHIP_Y},甲二乡,township,{COUNTY_A},key,2000-01-01,26.45,107.95,
{TOWNSHIP_Z},乙一镇,township,{COUNTY_B},ordinary,2000-01-01,26.11,107.51,
{VILLAGE_X1},一村,village,{TOWNSHIP_X},deep,2000-01-01,26.4100,107.9100,1500
{VILLAGE_X2},二村,village,{TOWNSHIP_X},key,2000-01-01,26.4200,107.9200,1500
{VILLAGE_Y1},三村,village,{TOWNSHIP_Y},ordinary,2000-01-01,26.4500,107.9500,2000
{VILLAGE_Z1},四村,village,{TOWNSHIP_Z},ordinary,2000-01-01,26.1100,107.5100,1500
"""

#: name → (phone, role, division)
PEOPLE = {
    "cadre_x1": ("13100000001", "cadre", VILLAGE_X1),
    "cadre_x2": ("13100000002", "cadre", VILLAGE_X2),
    "cadre_y1": ("13100000003", "cadre", VILLAGE_Y1),
    "cadre_z1": ("13100000004", "cadre", VILLAGE_Z1),
    "reviewer_x": ("13100000011", "township_reviewer", TOWNSHIP_X),
    "reviewer_y": ("13100000012", "township_reviewer", TOWNSHIP_Y),
    "reviewer_z": ("13100000013", "township_reviewer", TOWNSHIP_Z),
    "admin_a": ("13100000021", "county_admin", COUNTY_A),
    "admin_b": ("13100000022", "county_admin", COUNTY_B),
    "finance_a": ("13100000031", "county_finance", COUNTY_A),
}


@dataclass
class World:
    settings: Settings
    ids: dict[str, uuid.UUID] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, who: str, lang: str = "zh-CN") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}", "Accept-Language": lang}

    def phone(self, who: str) -> str:
        return PEOPLE[who][0]


async def mint_token(settings: Settings, user_id: uuid.UUID) -> str:
    """An access token over a real session row, without paying for an Argon2 login."""
    session_id = new_id()
    now = utc_now()
    await Session.insert(
        Session(
            id=session_id,
            account=user_id,
            token_hash=hash_refresh_token(new_refresh_token()),
            created_at=now,
            last_used_at=now,
        )
    )
    return issue_access_token(settings, user_id, session_id)


async def build_world(settings: Settings) -> World:
    ctx = RequestContext.system("test-world")
    await geo.import_divisions(ctx, None, DIVISIONS_CSV)
    world = World(settings)
    for name, (phone, role, code) in PEOPLE.items():
        posting = (
            PostingDetails(
                dispatching_unit="县农业农村局",
                unit_lat=26.42,
                unit_lon=107.88,
                start_date=dt.date(2025, 1, 1),
            )
            if role == "cadre"
            else None
        )
        user = await accounts.create_user(
            ctx,
            None,
            UserIn(
                phone=phone,
                name=name,
                password=PASSWORD,
                roles=[RoleIn(role=role, division_code=code)],
                posting=posting,
            ),
            password_hash=_HASH,
        )
        world.ids[name] = user.id
        world.tokens[name] = await mint_token(settings, user.id)
    return world
