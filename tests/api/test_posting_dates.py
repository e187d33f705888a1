"""Issue 13, finding 6: scope follows the posting's dates. A transferred cadre stops reading
and writing the old village (after a short grace for unsent work); their own records of it
stay readable as theirs."""

from __future__ import annotations

import datetime as dt
import uuid

from backend.accounts.services import POSTING_GRACE_DAYS
from backend.accounts.tables import Posting
from backend.core.clock import local_date
from backend.core.ids import new_id
from tests.world import COUNTY_A, VILLAGE_X1, VILLAGE_X2


def _log(day: dt.date, village: str = VILLAGE_X1, text: str = "走访") -> dict:
    return {"kind": "work_log", "id": str(uuid.uuid4()), "base_version": None,
            "data": {"village_code": village, "date": day.isoformat(), "kind": "visit",
                     "text": text, "household_ids": [], "location": None, "evidence": []}}


def _push(client, world, *items):
    r = client.post("/api/sync/push", json={"items": list(items)},
                    headers=world.headers("cadre_x1"))
    assert r.status_code == 200, r.text
    return r.json()["results"]


def _transfer(run, world, ended_days_ago: int) -> dt.date:
    """cadre_x1's posting to X1 ended that many days ago; a new one to X2 began the day after."""
    end = local_date() - dt.timedelta(days=ended_days_ago)
    cadre = world.ids["cadre_x1"]
    run(Posting.update({Posting.end_date: end}).where(Posting.cadre == cadre).run)
    run(Posting.insert(Posting(id=new_id(), cadre=cadre, village_code=VILLAGE_X2,
                               county_code=COUNTY_A, start_date=end + dt.timedelta(days=1)
                               )).run)
    return end


def test_a_transferred_cadre_no_longer_reads_or_writes_the_old_village(client, world, run):
    before = local_date() - dt.timedelta(days=POSTING_GRACE_DAYS + 20)
    [old] = _push(client, world, _log(before, text="调动前的日志"))
    assert old["status"] == "applied"
    end = _transfer(run, world, POSTING_GRACE_DAYS + 5)
    h = world.headers("cadre_x1")

    # Writing in the old village has ended, even for a day inside the old posting.
    [late] = _push(client, world, _log(end - dt.timedelta(days=1)))
    assert late["status"] == "rejected", late
    # The new village is theirs.
    [new] = _push(client, world, _log(local_date(), VILLAGE_X2))
    assert new["status"] == "applied", new
    # The old village's reference data is no longer theirs to read.
    assert client.get(f"/api/geo/divisions/{VILLAGE_X1}", headers=h).status_code == 404
    assert client.get(f"/api/fieldwork/villages/{VILLAGE_X1}/households",
                      headers=h).status_code in (403, 404)
    assert client.get(f"/api/geo/divisions/{VILLAGE_X2}", headers=h).status_code == 200
    me = client.get("/api/auth/me", headers=h).json()
    assert me["scope"]["own_villages"] == [VILLAGE_X2]
    # Their own past records stay theirs.
    changes = client.get("/api/sync/pull", headers=h).json()["changes"]
    texts = {c["data"].get("text") for c in changes if c["kind"] == "work_log"}
    assert "调动前的日志" in texts


def test_unsent_work_of_the_old_village_arrives_within_the_grace(client, world, run):
    end = _transfer(run, world, 3)
    [late] = _push(client, world, _log(end - dt.timedelta(days=1), text="离岗前未发送"))
    assert late["status"] == "applied", late
    # But not dated after the posting ended.
    [after] = _push(client, world, _log(end + dt.timedelta(days=1)))
    assert after["status"] == "rejected"
