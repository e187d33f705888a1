"""The first pull as a snapshot: the live rows the caller may see, then the feed from its end.

Whatever is written before, between and after the snapshot's pages (and, on PostgreSQL, by
writers still in flight when it begins, committing in any order), the phone ends with exactly
the server's live rows in their last versions, and no version reaches it twice.
"""

from __future__ import annotations

import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.fieldwork.tables import WorkLog
from backend.sync import services as sync_services
from tests.api.test_sync import item, log_data, pull_all, push, snapshot_changes
from tests.api.test_sync_cursor import _Gate
from tests.conftest import ENGINE
from tests.world import VILLAGE_X2, VILLAGE_Z1


class Phone:
    """What a phone keeps of the server: the last version of each record, and every
    ``(kind, id, version)`` it was handed (to see that none comes twice)."""

    def __init__(self) -> None:
        self.records: dict[tuple[str, str], tuple[int, dict]] = {}
        self.handed: list[tuple[str, str, int]] = []
        self.cursor: str | None = None

    def take(self, body: dict) -> None:
        if (body.get("snapshot") or {}).get("reset"):
            self.records.clear()
        for c in snapshot_changes(body) + body["changes"]:
            key = (c["kind"], c["id"])
            self.handed.append((*key, c["version"]))
            if c.get("deleted"):
                self.records.pop(key, None)
            else:
                self.records[key] = (c["version"], c["data"])
        self.cursor = body["cursor"]

    def page(self, client, world, who="cadre_x1") -> bool:
        params = {"snapshot": "true"} | ({"since": self.cursor} if self.cursor else {})
        r = client.get("/api/sync/pull", params=params, headers=world.headers(who))
        assert r.status_code == 200, (self.cursor, r.text)
        body = r.json()
        self.take(body)
        return body["more"]

    def pull_all(self, client, world, who="cadre_x1") -> None:
        while self.page(client, world, who):
            pass


def server_state(client, world, who="cadre_x1") -> dict[tuple[str, str], tuple[int, dict]]:
    """The live rows as the full replay (every change from the start) ends with them."""
    changes, _ = pull_all(client, world, who)
    state: dict[tuple[str, str], tuple[int, dict]] = {}
    for c in changes:
        if c["deleted"]:
            state.pop((c["kind"], c["id"]), None)
        else:
            state[(c["kind"], c["id"])] = (c["version"], c["data"])
    return state


def test_the_snapshot_holds_the_live_rows_then_the_feed_goes_on(client, world, run):
    logs = [item(log_data(f"第{i}条")) for i in range(5)]
    push(client, world, "cadre_x1", *logs)
    push(client, world, "cadre_x1", item(log_data("改过"), logs[1]["id"], base_version=1))
    push(client, world, "cadre_x2", item(log_data("别村", village=VILLAGE_X2)))
    push(client, world, "cadre_z1", item(log_data("别县", village=VILLAGE_Z1)))
    # A deleted row is history, not state: the replay hands it over, the snapshot leaves it out.
    run(WorkLog.update({WorkLog.deleted: True}).where(WorkLog.id == logs[4]["id"]).run)
    replay, _ = pull_all(client, world, "cadre_x1")
    assert any(c["deleted"] for c in replay)

    first = client.get("/api/sync/pull", params={"snapshot": "true"},
                       headers=world.headers("cadre_x1")).json()
    assert first["changes"] == [] and first["more"] is True
    assert first["snapshot"]["reset"] is True and first["snapshot"]["complete"] is True
    [block] = [b for b in first["snapshot"]["blocks"] if b["kind"] == "work_log"]
    assert block["fields"][:2] == ["id", "version"] and "text" in block["fields"]
    got = {c["id"]: (c["version"], c["data"]) for c in snapshot_changes(first)
           if c["kind"] == "work_log"}
    want = {c["id"]: (c["version"], c["data"]) for c in replay
            if c["kind"] == "work_log" and not c["deleted"]}
    assert got == want and len(got) == 4 and got[logs[1]["id"]][0] == 2
    assert {d["text"] for _, d in got.values()} == {"第0条", "改过", "第2条", "第3条"}

    # The feed goes on from where the snapshot ended: nothing again, then only what is new.
    nothing = client.get("/api/sync/pull", params={"since": first["cursor"], "snapshot": "true"},
                         headers=world.headers("cadre_x1")).json()
    assert nothing["changes"] == [] and nothing["snapshot"] is None and not nothing["more"]
    new = item(log_data("之后的"))
    push(client, world, "cadre_x1", new)
    later, _ = pull_all(client, world, "cadre_x1", since=nothing["cursor"], snapshot=True)
    assert [(c["id"], c["data"]["text"]) for c in later] == [(new["id"], "之后的")]


def test_the_snapshot_is_cut_to_the_callers_scope(client, world):
    x1 = item(log_data("x1"))
    x2 = item(log_data("x2", village=VILLAGE_X2))
    z1 = item(log_data("z1", village=VILLAGE_Z1))
    push(client, world, "cadre_x1", x1)
    push(client, world, "cadre_x2", x2)
    push(client, world, "cadre_z1", z1)
    for who, ids in (("cadre_x1", {x1["id"]}), ("reviewer_x", {x1["id"], x2["id"]}),
                     ("admin_b", {z1["id"]}), ("reviewer_y", set()), ("finance_a", set())):
        changes, _ = pull_all(client, world, who, snapshot=True)
        assert {c["id"] for c in changes if c["kind"] == "work_log"} == ids, who
        # Every kind the replay hands over, the snapshot holds the same rows of.
        replay, _ = pull_all(client, world, who)
        assert {(c["kind"], c["id"], c["version"]) for c in changes} == {
            (c["kind"], c["id"], c["version"]) for c in replay if not c["deleted"]}, who


def test_a_restore_starts_a_snapshot_over_and_bad_snapshot_cursors_are_refused(client, world):
    push(client, world, "cadre_x1", item(log_data("恢复前")))
    phone = Phone()
    phone.pull_all(client, world)
    epoch = phone.cursor.split(":")[0]
    stale = f"{int(epoch) + 1}:{phone.cursor.split(':')[1]}"
    r = client.get("/api/sync/pull", params={"since": stale, "snapshot": "true"},
                   headers=world.headers("cadre_x1")).json()
    assert r["snapshot"]["reset"] is True and r["cursor"].split(":")[0] == epoch
    assert "恢复前" in {c["data"]["text"] for c in snapshot_changes(r)}
    # Without snapshot=true the same cursor replays the feed from the start, as before.
    r = client.get("/api/sync/pull", params={"since": stale}, headers=world.headers("cadre_x1"))
    assert r.json()["snapshot"] is None and r.json()["changes"]
    wrong = f"{epoch}:s5.3" if ENGINE == "postgres" else f"{epoch}:s5.3.1"
    for since in (wrong, f"{epoch}:s", f"{epoch}:s1.2.3.4", "s1.2"):
        r = client.get("/api/sync/pull", params={"since": since, "snapshot": "true"},
                       headers=world.headers("cadre_x1"))
        assert r.status_code == 422, since


_PROPERTY = settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))


def test_writes_between_snapshot_pages_are_neither_missed_nor_handed_twice(
    client, world, monkeypatch
):
    monkeypatch.setattr(sync_services, "SNAPSHOT_PAGE", 2)
    run_no = iter(range(10**6))

    @_PROPERTY
    @given(plan=st.lists(st.sampled_from(["new", "edit_first", "edit_last", "page"]),
                         min_size=2, max_size=12),
           before=st.integers(min_value=0, max_value=6))
    def any_interleaving(plan, before):
        n = next(run_no)
        mine: list[dict] = []

        def write(what: str) -> None:
            if what == "new" or not mine:
                one = item(log_data(f"例{n}-{len(mine)}"))
                [r] = push(client, world, "cadre_x1", one)
                assert r["status"] == "applied"
                mine.append({**one, "version": 1})
                return
            target = mine[0] if what == "edit_first" else mine[-1]
            edit = item(log_data(f"例{n}改{target['version']}"), target["id"],
                        base_version=target["version"])
            [r] = push(client, world, "cadre_x1", edit)
            assert r["status"] == "applied", r
            target["version"] = r["version"]

        for _ in range(before):
            write("new")
        phone = Phone()
        for step in plan:
            if step == "page":
                phone.page(client, world)
            else:
                write(step)
        phone.pull_all(client, world)
        assert phone.records == server_state(client, world)
        assert len(phone.handed) == len(set(phone.handed)), "a version handed twice"

    any_interleaving()


def _hold_push(client, world, body_item, statuses):
    def send():
        r = client.post("/api/sync/push", json={"items": [body_item]},
                        headers=world.headers("cadre_x1"))
        statuses[body_item["data"]["text"]] = r.json()["results"][0]["status"]

    t = threading.Thread(target=send)
    t.start()
    return t


@pytest.mark.postgres_only
def test_writers_in_flight_when_the_snapshot_begins_commit_in_any_order(
    client, world, monkeypatch
):
    monkeypatch.setattr(sync_services, "SNAPSHOT_PAGE", 2)
    gate = _Gate(monkeypatch)
    run_no = iter(range(10**6))

    @_PROPERTY
    @given(order=st.permutations(range(3)),
           pages=st.lists(st.integers(min_value=0, max_value=2), min_size=3, max_size=3))
    def commits_in_any_order(order, pages):
        n = next(run_no)
        base = [item(log_data(f"底{n}-{i}")) for i in range(3)]
        push(client, world, "cadre_x1", *base)
        # Two new logs and an edit of an existing one write and hold before their commits…
        held = [item(log_data(f"飞{n}-0")), item(log_data(f"飞{n}-1")),
                item(log_data(f"飞{n}-改"), base[1]["id"], base_version=1)]
        statuses: dict[str, str] = {}
        threads = []
        try:
            for it in held:
                gate.hold(it["data"]["text"])
                threads.append(_hold_push(client, world, it, statuses))
                assert gate.wait_inside(it["data"]["text"])
            # …while the phone takes its snapshot, and they commit in any order between pages.
            phone = Phone()
            phone.page(client, world)
            for i, extra_pages in zip(order, pages, strict=True):
                gate.release[held[i]["data"]["text"]].set()
                threads[i].join(30)
                for _ in range(extra_pages):
                    phone.page(client, world)
        finally:  # a failed example never leaves a writer open for the next one
            for event in gate.release.values():
                event.set()
            for t in threads:
                t.join(30)
        phone.pull_all(client, world)
        assert set(statuses.values()) == {"applied"}
        assert phone.records == server_state(client, world)
        assert len(phone.handed) == len(set(phone.handed)), "a version handed twice"

    commits_in_any_order()
