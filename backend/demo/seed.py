"""A deterministic demo county in the mountains of Guizhou: 6 townships, 40 villages, 120 cadres.

Everything here is fictional and flagged ``is_demo``; the county code 529901 belongs to no real
county (Guizhou's prefectures are 5201–5206, 5223, 5226, 5227).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import random
from dataclasses import dataclass

from backend.accounts import services as accounts
from backend.accounts.passwords import hash_password
from backend.accounts.schemas import PostingDetails, RoleIn, UserIn
from backend.core.context import RequestContext
from backend.demo.year import YEAR_TOWNSHIPS, posting_start, seed_previous_year
from backend.geo import services as geo

__all__ = ["DEMO_COUNTY", "DEMO_PASSWORD", "DemoAccount", "demo_accounts", "seed_demo"]

DEMO_PASSWORD = "zhucun-demo"
DEMO_PROVINCE = "520000"
DEMO_PREFECTURE = "529900"
DEMO_COUNTY = "529901"
_CENTER = (26.42, 107.88)

TOWNSHIPS = [
    ("001", "青山镇", "key", (0.00, 0.00)),
    ("002", "石桥镇", "ordinary", (0.12, 0.10)),
    ("003", "云岭乡", "deep", (-0.15, 0.18)),
    ("004", "清水乡", "deep", (0.20, -0.14)),
    ("005", "龙潭镇", "key", (-0.10, -0.20)),
    ("006", "岩脚乡", "deep", (-0.24, 0.02)),
]
_VILLAGE_NAMES = [
    "红岩",
    "杉木",
    "新寨",
    "大坪",
    "水井",
    "坡脚",
    "平寨",
    "高枧",
    "岩上",
    "田坝",
    "新场",
    "龙井",
    "河边",
    "沙坝",
    "茶园",
    "梨树",
    "竹林",
    "松坡",
    "板桥",
    "白岩",
    "黄泥",
    "金竹",
    "桃子",
    "中寨",
    "上坝",
    "下院",
    "石门",
    "凉水",
    "坪上",
    "干溪",
    "核桃",
    "马鞍",
    "羊场",
    "猫洞",
    "麻窝",
    "木城",
    "顶坛",
    "柏杨",
    "丫口",
    "湾子",
]
_SURNAMES = [
    "王",
    "李",
    "张",
    "刘",
    "陈",
    "杨",
    "黄",
    "赵",
    "吴",
    "周",
    "徐",
    "孙",
    "罗",
    "龙",
    "潘",
    "石",
    "杨",
    "韦",
    "吴",
    "欧",
]
_GIVEN = [
    "建",
    "国",
    "明",
    "华",
    "丽",
    "芳",
    "军",
    "伟",
    "敏",
    "静",
    "强",
    "磊",
    "洋",
    "艳",
    "勇",
    "杰",
    "娟",
    "涛",
    "超",
    "霞",
    "平",
    "刚",
    "琳",
    "波",
    "红",
    "燕",
    "斌",
    "宇",
    "婷",
    "鑫",
]
_UNITS = [
    ("省农业农村厅", 26.578, 106.713),
    ("省交通运输厅", 26.594, 106.705),
    ("州人民医院", 26.258, 107.517),
    ("州教育局", 26.265, 107.522),
    ("县发展和改革局", 26.421, 107.879),
    ("县卫生健康局", 26.425, 107.884),
    ("县农业农村局", 26.418, 107.876),
    ("县自然资源局", 26.423, 107.881),
    ("县人民法院", 26.419, 107.872),
    ("县供销社", 26.427, 107.886),
]
_POSITIONS = ["first_secretary", "team_member", "team_member"]


@dataclass(frozen=True)
class DemoAccount:
    phone: str
    name: str
    role: str
    where: str


def _offset(rng: random.Random, origin: tuple[float, float], km: float) -> tuple[float, float]:
    bearing = rng.uniform(0, 2 * math.pi)
    dist = rng.uniform(0.3, 1.0) * km
    lat = origin[0] + dist / 111.0 * math.cos(bearing)
    lon = origin[1] + dist / (111.0 * math.cos(math.radians(origin[0]))) * math.sin(bearing)
    return round(lat, 6), round(lon, 6)


def _villages(rng: random.Random) -> list[tuple[str, str, str, str, tuple[float, float]]]:
    """(township suffix, village code, name, tier, centre) — 40 villages over 6 townships."""
    counts = [7, 7, 7, 7, 6, 6]
    names = iter(_VILLAGE_NAMES)
    out = []
    for (suffix, _name, tier, (dlat, dlon)), count in zip(TOWNSHIPS, counts, strict=True):
        t_center = (_CENTER[0] + dlat, _CENTER[1] + dlon)
        for i in range(1, count + 1):
            v_tier = tier if rng.random() < 0.6 else rng.choice(["deep", "key", "ordinary"])
            code = f"{DEMO_COUNTY}{suffix}{200 + i:03d}"
            out.append((suffix, code, f"{next(names)}村", v_tier, _offset(rng, t_center, 7.0)))
    return out


def divisions_csv(rng: random.Random) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(
        [
            "code",
            "name",
            "level",
            "parent_code",
            "tier",
            "valid_from",
            "center_lat",
            "center_lon",
            "radius_m",
        ]
    )
    w.writerow([DEMO_PROVINCE, "贵州省", "province", "", "ordinary", "2000-01-01", "", "", ""])
    w.writerow(
        [
            DEMO_PREFECTURE,
            "示范州（演示）",
            "prefecture",
            DEMO_PROVINCE,
            "ordinary",
            "2000-01-01",
            "",
            "",
            "",
        ]
    )
    w.writerow(
        [
            DEMO_COUNTY,
            "示范县（演示）",
            "county",
            DEMO_PREFECTURE,
            "key",
            "2000-01-01",
            *_CENTER,
            "",
        ]
    )
    for suffix, name, tier, (dlat, dlon) in TOWNSHIPS:
        w.writerow(
            [
                f"{DEMO_COUNTY}{suffix}",
                name,
                "township",
                DEMO_COUNTY,
                tier,
                "2000-01-01",
                round(_CENTER[0] + dlat, 6),
                round(_CENTER[1] + dlon, 6),
                "",
            ]
        )
    for suffix, code, name, tier, (lat, lon) in _villages(rng):
        w.writerow(
            [
                code,
                name,
                "village",
                f"{DEMO_COUNTY}{suffix}",
                tier,
                "2000-01-01",
                lat,
                lon,
                rng.choice([1200, 1500, 2000, 2500]),
            ]
        )
    return buf.getvalue()


def demo_accounts() -> list[DemoAccount]:
    """The accounts the README lists (all with password ``zhucun-demo``)."""
    accounts_ = [
        DemoAccount("13800000001", "周县管（演示）", "county_admin", "示范县"),
        DemoAccount("13800000002", "钱财务（演示）", "county_finance", "示范县"),
    ]
    for i, (_suffix, name, _tier, _d) in enumerate(TOWNSHIPS, start=1):
        accounts_.append(
            DemoAccount(f"1380000010{i}", f"乡镇审核{i}（演示）", "township_reviewer", name)
        )
    return accounts_


def village_serials() -> dict[str, int]:
    """Village code → the serial of its first cadre (phone 139 + serial), as seeded below."""
    codes = [code for _s, code, *_rest in _villages(random.Random(2026))]
    return {code: 1 + len(_POSITIONS) * i for i, code in enumerate(codes)}


def _cadre_name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice([1, 2])))


async def seed_demo(ctx: RequestContext | None = None) -> bool:
    """Create the demo county once. Returns False when it is already there."""
    ctx = ctx or RequestContext.system("seed-demo")
    if await geo.current(DEMO_COUNTY):
        return False
    rng = random.Random(2026)
    await geo.import_divisions(ctx, None, divisions_csv(rng), demo=True)
    password_hash = hash_password(DEMO_PASSWORD)
    for account in demo_accounts():
        code = (
            DEMO_COUNTY
            if account.role.startswith("county")
            else next(f"{DEMO_COUNTY}{s}" for s, n, _t, _d in TOWNSHIPS if n == account.where)
        )
        await accounts.create_user(
            ctx,
            None,
            UserIn(
                phone=account.phone,
                name=account.name,
                password=DEMO_PASSWORD,
                roles=[RoleIn(role=account.role, division_code=code)],
            ),
            demo=True,
            password_hash=password_hash,
        )
    start = dt.date(2026, 3, 1)
    serial = 0
    year_cadres = []
    for suffix, code, _name, _tier, _centre in _villages(random.Random(2026)):
        for position in _POSITIONS:
            serial += 1
            unit, lat, lon = rng.choice(_UNITS)
            posted = posting_start(serial, suffix, start)
            user = await accounts.create_user(
                ctx,
                None,
                UserIn(
                    phone=f"139{serial:08d}",
                    name=_cadre_name(rng),
                    password=DEMO_PASSWORD,
                    roles=[RoleIn(role="cadre", division_code=code)],
                    posting=PostingDetails(
                        position=position,
                        dispatching_unit=unit,
                        unit_lat=lat,
                        unit_lon=lon,
                        start_date=posted,
                    ),
                ),
                demo=True,
                password_hash=password_hash,
            )
            if suffix in YEAR_TOWNSHIPS:
                year_cadres.append({"serial": serial, "id": user.id, "village_code": code,
                                    "start": posted})
    from backend.capabilities import plug_in
    from backend.demo.activity import seed_activity
    from backend.demo.surveys import seed_surveys

    plug_in()
    codes = [code for _s, code, *_rest in _villages(random.Random(2026))]
    await seed_activity(ctx, DEMO_COUNTY, codes)
    await seed_previous_year(ctx, DEMO_COUNTY, year_cadres)
    # 云岭乡's first village and 清水乡's first three (the browser tests keep to 青山镇/石桥镇
    # and 清水乡's first village for surveys).
    await seed_surveys(ctx, DEMO_COUNTY, [codes[14], *codes[21:24]])
    return True
