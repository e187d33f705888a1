"""Issue 17: one ``own_village`` for every record a cadre pushes. A village the cadre is not
posted to is ``out_of_scope``; a village they are posted to that is no longer a current
division (retired by a re-zoning) is ``unknown_division``, on the field ``village_code``, for
every kind alike (before, work logs and presence answered one way and travel claims another).
"""

from __future__ import annotations

import datetime as dt

import pytest

from backend.core.clock import local_date
from backend.geo.tables import Division
from tests.api.test_sync import item, push
from tests.world import VILLAGE_X1, VILLAGE_X2


def _records(village: str) -> list[dict]:
    today = local_date()
    day = today.isoformat()
    return [
        item({"village_code": village, "date": day, "kind": "visit", "text": "走访",
              "household_ids": [], "location": None, "evidence": []}),
        item({"village_code": village, "date": day, "status": "in_village", "note": ""},
             kind="presence_day"),
        item({"village_code": village, "start_date": (today + dt.timedelta(days=3)).isoformat(),
              "end_date": (today + dt.timedelta(days=4)).isoformat(), "reason": "家中有事"},
             kind="leave_request"),
        item({"village_code": village, "date": day, "mode": "public", "fare_fen": 4550},
             kind="travel_claim"),
        item({"village_code": village, "accident_date": day, "description": "摔伤"},
             kind="insurance_incident"),
    ]


def _refusals(results: list[dict]) -> list[tuple[str, list[tuple[str, str]]]]:
    return [(r["status"], [(e["field"], e["code"]) for e in r.get("errors") or []])
            for r in results]


def test_every_kind_refuses_a_village_the_cadre_is_not_posted_to(client, world):
    results = push(client, world, "cadre_x1", *_records(VILLAGE_X2))
    assert _refusals(results) == [("rejected", [("village_code", "out_of_scope")])] * 5


@pytest.mark.parametrize("kind", range(5))
def test_every_kind_refuses_a_retired_village_even_when_posted_to_it(client, world, run, kind):
    # The same record is accepted while the village is current...
    [ok] = push(client, world, "cadre_x1", _records(VILLAGE_X1)[kind])
    assert ok["status"] == "applied", ok
    # ...and refused once the village is retired (the posting still names it).
    run(Division.update({Division.valid_to: local_date()})
        .where(Division.code == VILLAGE_X1, Division.valid_to.is_null()).run)
    results = push(client, world, "cadre_x1", _records(VILLAGE_X1)[kind])
    assert _refusals(results) == [("rejected", [("village_code", "unknown_division")])]
