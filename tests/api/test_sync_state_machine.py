"""A Hypothesis state machine over push, resend, edit, stale edit and pull, on either engine.

It shows that every acknowledged item is stored exactly once, a resend returns the original
answer, a stale edit never overwrites, and pull after any sequence returns the server's state.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from backend.evidence.tables import PhotoLink
from backend.fieldwork.tables import WorkLog
from tests.api.test_sync import item, log_data, pull_all

texts = st.text(alphabet="走访村民会议培训调解abc123", min_size=1, max_size=12)


def test_sync_protocol_state_machine(client, world, run):  # noqa: C901 (the machine is one class)
    headers = world.headers("cadre_x1")

    class SyncMachine(RuleBasedStateMachine):
        records = Bundle("records")

        @initialize()
        def empty(self):
            run(WorkLog.delete(force=True).run)
            run(PhotoLink.delete(force=True).run)
            self.server: dict[str, tuple[int, str]] = {}  # id → (version, text)
            self.applied: dict[str, dict] = {}  # id → last applied push item

        def send(self, *items):
            r = client.post("/api/sync/push", json={"items": list(items)}, headers=headers)
            assert r.status_code == 200, r.text
            results = r.json()["results"]
            assert [x["id"] for x in results] == [i["id"] for i in items]
            return results

        @rule(target=records, text=texts)
        def push_new(self, text):
            new = item(log_data(text))
            [r] = self.send(new)
            assert (r["status"], r["version"]) == ("applied", 1)
            self.server[new["id"]] = (1, text)
            self.applied[new["id"]] = new
            return new["id"]

        @rule(record=records)
        def resend(self, record):
            last = self.applied[record]
            [r] = self.send(last)
            version, text = self.server[record]
            if last["data"]["text"] == text:
                assert (r["status"], r["version"]) == ("duplicate", version)
            else:
                assert r["status"] == "conflict"
                assert r["server"]["data"]["text"] == text

        @rule(record=records, text=texts)
        def edit(self, record, text):
            version, current = self.server[record]
            edited = item(log_data(text), record, base_version=version)
            [r] = self.send(edited)
            if text == current:
                assert (r["status"], r["version"]) == ("duplicate", version)
                return
            assert (r["status"], r["version"]) == ("applied", version + 1)
            self.server[record] = (version + 1, text)
            self.applied[record] = edited

        @rule(record=records, text=texts)
        def stale_edit(self, record, text):
            version, current = self.server[record]
            if version < 2 or text == current:
                return
            stale = item(log_data(text), record, base_version=version - 1)
            [r] = self.send(stale)
            assert r["status"] == "conflict" and r["version"] == version
            assert r["server"]["data"]["text"] == current

        @rule(new_texts=st.lists(texts, min_size=1, max_size=4), data=st.data())
        def batch(self, new_texts, data):
            items = [item(log_data(t)) for t in new_texts]
            resends = []
            if self.applied:
                record = data.draw(st.sampled_from(sorted(self.applied)))
                _version, text = self.server[record]
                if self.applied[record]["data"]["text"] == text:
                    resends.append(self.applied[record])
            results = self.send(*items, *resends)
            for new, r in zip(items, results, strict=False):
                assert r["status"] == "applied"
                self.server[new["id"]] = (1, new["data"]["text"])
                self.applied[new["id"]] = new
            for r in results[len(items) :]:
                assert r["status"] == "duplicate"

        @rule()
        def pull(self):
            changes, _ = pull_all(client, world, "cadre_x1")
            got = {
                c["id"]: (c["version"], c["data"]["text"])
                for c in changes
                if c["kind"] == "work_log"
            }
            assert got == self.server

        @invariant()
        def stored_exactly_once(self):
            if not hasattr(self, "server"):
                return
            rows = run(WorkLog.select(WorkLog.id, WorkLog.version, WorkLog.text).run)
            assert len(rows) == len(self.server)
            assert {str(r["id"]): (r["version"], r["text"]) for r in rows} == self.server

    run_state_machine_as_test(
        SyncMachine,
        settings=settings(
            max_examples=20,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
