"""A Hypothesis state machine over claims: random users take random actions on random claims
while the county changes its policy, on either engine.

It shows that no transition leaves the state diagram, nobody reviews their own claim, nothing
changes after approval, amounts always equal the rule applied to the inputs and the policy in
force when they were computed, and every transition is one audit event.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from backend.audit.tables import AuditEvent
from backend.claims import rules
from backend.claims.subsidy import draft_subsidy
from backend.claims.tables import Claim
from backend.core.canonical import loads
from backend.core.context import RequestContext
from backend.core.db import write_transaction
from backend.evidence.tables import PhotoLink
from backend.policy.tables import PolicySetting
from tests.api.test_claims import MONTH, travel, trip
from tests.world import COUNTY_A, VILLAGE_X1

OWNER, OTHER_CADRE = "cadre_x1", "cadre_x2"
TOWNSHIP, OTHER_TOWNSHIP = "reviewer_x", "reviewer_y"
COUNTY, OTHER_COUNTY, FINANCE = "admin_a", "admin_b", "finance_a"
USERS = [OWNER, OTHER_CADRE, TOWNSHIP, OTHER_TOWNSHIP, COUNTY, OTHER_COUNTY, FINANCE]

#: The diagram of domain.md, written independently of ``claims.rules``: (state, action) →
#: (next state, who may take the arrow). The township reviews first, then the county.
STEPS = {
    ("draft", "submit"): ("submitted", {OWNER}),
    ("returned", "submit"): ("submitted", {OWNER}),
    ("submitted", "approve"): ("township_approved", {TOWNSHIP}),
    ("submitted", "return"): ("returned", {TOWNSHIP, COUNTY}),
    ("submitted", "reject"): ("rejected", {TOWNSHIP, COUNTY}),
    ("township_approved", "approve"): ("county_approved", {COUNTY}),
    ("township_approved", "return"): ("returned", {COUNTY}),
    ("township_approved", "reject"): ("rejected", {COUNTY}),
    ("county_approved", "pay"): ("paid", {FINANCE}),
}
DIAGRAM = {(None, "draft")} | {(s, to) for (s, _a), (to, _w) in STEPS.items()}
BODIES = {
    "submit": {},
    "approve": {},
    "return": {"reason": "请补充说明"},
    "reject": {"reason": "不符合规定"},
    "pay": {"payment_reference": "PZ-42"},
}
LOCKED_STATES = {"township_approved", "county_approved", "paid"}
#: Those who see a claim once submitted: its township, its county, its county's finance.
REVIEW_SCOPE = {TOWNSHIP, COUNTY, FINANCE}
YEAR = MONTH.year


@dataclass
class Policy:
    version: int = 0
    subsidy_daily_fen: int = 6000
    round_trips_per_month: int = 4
    car_fen_per_km: int = 180
    road_factor_x100: int = 250


@dataclass
class Model:
    """What the machine expects of one claim."""

    id: str
    kind: str
    state: str = "draft"
    version: int = 1
    data: dict[str, Any] | None = None  # the travel data last applied (a resend is a duplicate)
    policy: Policy = field(default_factory=Policy)  # in force when last computed
    corrects: str | None = None
    frozen: dict[str, Any] | None = None  # the stored row when the township approved it


modes = st.one_of(
    st.tuples(st.just("public"), st.integers(1, 50_000)),
    st.tuples(st.just("car"), st.decimals(1, 400, places=1).map(str)),
)


def _data(n: int, mode: tuple[str, Any], corrects: str | None) -> dict[str, Any]:
    kind, value = mode
    extra = {"corrects_id": corrects} if corrects else {}
    if kind == "public":
        return trip(n, "public", fare_fen=value, **extra)
    return trip(n, "car", road_km=value, **extra)


def test_claims_state_machine(client, world, run):  # noqa: C901 (the machine is one class)
    def call(who, method, url, **kwargs):
        return client.request(method, url, headers=world.headers(who, "en"), **kwargs)

    class ClaimMachine(RuleBasedStateMachine):
        claims = Bundle("claims")

        @initialize()
        def empty(self):
            for table in (Claim, PolicySetting, PhotoLink):
                run(table.delete(force=True).run)
            self.models: dict[str, Model] = {}
            self.policy = Policy()
            self.months_used: set[int] = set()
            self.transitions = 0

        # --- making claims ----------------------------------------------------------------

        @rule(target=claims, n=st.integers(1, 28), mode=modes)
        def push_trip(self, n, mode):
            it = travel(_data(n, mode, None))
            r = call(OWNER, "POST", "/api/sync/push", json={"items": [it]}).json()["results"][0]
            assert (r["status"], r["version"]) == ("applied", 1), r
            self.models[it["id"]] = Model(it["id"], "travel", data=it["data"], policy=self.policy)
            self.transitions += 1
            return it["id"]

        @rule(target=claims, month=st.integers(1, MONTH.month), days=st.integers(0, 31))
        def confirmed_month(self, month, days):
            """The township confirmed a month: the subsidy is drafted (the presence flow itself
            is tested in test_claims.py; here the listener is called as confirmation does)."""
            sheet = {
                "id": uuid.uuid4(),
                "owner_id": world.ids[OWNER],
                "village_code": VILLAGE_X1,
                "county_code": COUNTY_A,
                "month": dt.date(YEAR, month, 1),
                "village_days": days,
            }

            async def draft():
                async with write_transaction(Claim._meta.db):
                    await draft_subsidy(RequestContext.system("machine"), sheet)

            run(draft)
            row = run(
                Claim.select(Claim.id)
                .where(Claim.kind == "subsidy", Claim.month == sheet["month"])
                .where(Claim.corrects_id.is_null())
                .first()
                .run
            )
            claim_id = str(row["id"])
            if month not in self.months_used:  # drafting twice changes nothing
                self.months_used.add(month)
                self.models[claim_id] = Model(claim_id, "subsidy", policy=self.policy)
                self.transitions += 1
            return claim_id

        @rule(target=claims, claim=claims, who=st.sampled_from(USERS))
        def correct(self, claim, who):
            m = self.models[claim]
            r = call(who, "POST", f"/api/claims/{claim}/correction")
            live = [
                c for c in self.models.values() if c.corrects == claim and c.state != "rejected"
            ]
            if not self._visible(m, who):
                assert r.status_code == 404
            elif who != OWNER:
                assert r.status_code == 403
            elif m.state not in ("county_approved", "paid"):
                assert r.status_code == 409 and r.json()["code"] == "wrong_state"
            elif live:
                assert r.status_code == 409 and r.json()["code"] == "already_corrected"
            else:
                assert r.status_code == 201, r.text
                new = r.json()["id"]
                # Made by HTTP: nothing pushed yet, so no resend can be a duplicate of it.
                self.models[new] = Model(new, m.kind, policy=self.policy, corrects=claim)
                self.transitions += 1
                return new
            return claim

        @rule(target=claims, claim=claims)
        def owner_corrects(self, claim):
            """The owner starts a correction (random users rarely are the owner)."""
            return self.correct(claim, OWNER)

        # --- the owner edits offline --------------------------------------------------------

        @rule(claim=claims, mode=modes, n=st.integers(1, 28))
        def edit(self, claim, mode, n):
            m = self.models[claim]
            data = _data(n, mode, m.corrects if m.kind == "travel" else None)
            it = travel(data, claim, base_version=m.version)
            [r] = call(OWNER, "POST", "/api/sync/push", json={"items": [it]}).json()["results"]
            if m.kind == "travel" and data == m.data:
                assert (r["status"], r["version"]) == ("duplicate", m.version)
            elif m.kind == "travel" and m.state in rules.EDITABLE:
                assert (r["status"], r["version"]) == ("applied", m.version + 1), r
                m.version += 1
                m.data = data
                m.policy = self.policy
            else:
                assert r["status"] == "rejected" and r["errors"][0]["code"] == "locked", r

        # --- review ---------------------------------------------------------------------------

        def _visible(self, m, who):
            return who == OWNER or (m.state != "draft" and who in REVIEW_SCOPE)

        def _trips_counted(self, m):
            month = self._row(m.id)["month"]
            return sum(
                1
                for c in self.models.values()
                if c.kind == "travel"
                and c.id != m.id
                and c.corrects is None
                and c.state in rules.TRIP_COUNTED
                and self._row(c.id)["month"] == month
            )

        def _expected(self, m, who, action, stale):
            if not self._visible(m, who):
                return 404, "not_found"
            if who == OWNER and action != "submit":
                return 403, "own_record"
            if not any(who in w for (_s, a), (_t, w) in STEPS.items() if a == action):
                return 403, "forbidden"
            if (m.state, action) not in STEPS:
                return 409, "wrong_state"
            if who not in STEPS[(m.state, action)][1]:
                return 403, "forbidden"
            if stale:
                return 409, "conflict"
            if (
                action == "submit"
                and m.kind == "travel"
                and m.corrects is None
                and self._trips_counted(m) >= self.policy.round_trips_per_month
            ):
                return 422, "trip_cap"
            return 200, None

        @rule(
            claim=claims,
            who=st.sampled_from(USERS),
            action=st.sampled_from(list(BODIES)),
            stale=st.booleans(),
        )
        def act(self, claim, who, action, stale):
            m = self.models[claim]
            stale = stale and m.version > 1
            version = m.version - 1 if stale else m.version
            expected, code = self._expected(m, who, action, stale)
            r = call(
                who,
                "POST",
                f"/api/claims/{claim}/{action}",
                json={"version": version, **BODIES[action]},
            )
            assert r.status_code == expected, (m.state, who, action, r.text)
            if expected != 200:
                assert r.json()["code"] == code
                return
            m.state = STEPS[(m.state, action)][0]
            m.version += 1
            self.transitions += 1
            if action == "submit":
                m.policy = self.policy
            assert r.json()["state"] == m.state and r.json()["version"] == m.version
            if m.state == "township_approved":
                m.frozen = self._row(claim)

        @rule(claim=claims, steps=st.integers(1, 5), data=st.data())
        def advance(self, claim, steps, data):
            """Arrows of the diagram taken by someone allowed to (random steps rarely are)."""
            m = self.models[claim]
            for _ in range(steps):
                # Forward arrows three times as often, so that claims get paid.
                options = [
                    (action, who)
                    for (state, action), (_to, allowed) in STEPS.items()
                    if state == m.state
                    for who in sorted(allowed)
                    for _ in range(1 if action in ("return", "reject") else 3)
                ]
                if not options:
                    return
                action, who = data.draw(st.sampled_from(options))
                self.act(claim, who, action, False)

        @rule(
            subsidy=st.integers(0, 20_000),
            car=st.integers(0, 500),
            trips=st.integers(1, 4),
            k=st.integers(150, 400),
        )
        def change_policy(self, subsidy, car, trips, k):
            body = {
                "subsidy_daily_fen": subsidy,
                "round_trips_per_month": trips,
                "car_fen_per_km": car,
                "road_factor": k / 100,
                "leave_limit_days": 3,
                "min_days_month": 20,
                "min_days_year": 200,
                "version": self.policy.version,
            }
            r = call(COUNTY, "PUT", f"/api/policy/{COUNTY_A}/{YEAR}", json=body)
            assert r.status_code == 200, r.text
            self.policy = Policy(self.policy.version + 1, subsidy, trips, car, k)

        @precondition(lambda self: self.policy.version > 0)
        @rule(who=st.sampled_from([TOWNSHIP, FINANCE, OWNER, OTHER_COUNTY]))
        def others_cannot_change_the_policy(self, who):
            body = {"subsidy_daily_fen": 1, "round_trips_per_month": 1, "car_fen_per_km": 1,
                    "road_factor": 2, "leave_limit_days": 3, "min_days_month": 20,
                    "min_days_year": 200, "version": self.policy.version}  # fmt: skip
            r = call(who, "PUT", f"/api/policy/{COUNTY_A}/{YEAR}", json=body)
            assert r.status_code == (404 if who == OTHER_COUNTY else 403)

        # --- what must always hold ------------------------------------------------------------

        def _row(self, claim_id):
            return run(Claim.select().where(Claim.id == uuid.UUID(claim_id)).first().run)

        @invariant()
        def stored_as_expected(self):
            if not hasattr(self, "models"):
                return
            rows = {str(r["id"]): r for r in run(Claim.select().run)}
            assert set(rows) == set(self.models)
            for claim_id, m in self.models.items():
                row = rows[claim_id]
                assert (row["state"], row["version"]) == (m.state, m.version), claim_id
                p = m.policy
                # The amount is the rule applied to the inputs, with the policy in force when
                # the claim was last computed (made, edited or submitted).
                assert row["policy_version"] == p.version
                if row["kind"] == "subsidy":
                    assert row["rate_fen"] == p.subsidy_daily_fen
                    assert row["amount_fen"] == row["village_days"] * p.subsidy_daily_fen
                elif row["mode"] == "public":
                    assert row["amount_fen"] == row["fare_fen"]
                else:
                    assert row["rate_fen"] == p.car_fen_per_km
                    assert row["amount_fen"] == rules.car_amount_fen(row["road_m"], row["rate_fen"])
                    assert row["road_factor_x100"] == p.road_factor_x100
                    flagged = row["geodesic_m"] is None or rules.road_too_long(
                        row["road_m"], row["geodesic_m"], p.road_factor_x100
                    )
                    assert bool(loads(row["flags"])) == flagged
                corrected = rows[m.corrects]["amount_fen"] if m.corrects else 0
                assert row["payable_fen"] == row["amount_fen"] - corrected
                # Nobody reviews their own claim, and two people approve it.
                owner = row["owner_id"]
                assert owner not in {row["township_by"], row["county_by"], row["paid_by"]}
                if row["county_by"]:
                    assert row["county_by"] != row["township_by"]
                # Nothing changes after approval but the state and its stamps.
                if m.state in LOCKED_STATES:
                    keep = ("amount_fen", "payable_fen", "rate_fen", "mode", "fare_fen", "road_m",
                        "date", "village_days", "evidence", "policy_version")  # fmt: skip
                    assert {k: row[k] for k in keep} == {k: m.frozen[k] for k in keep}

        @invariant()
        def every_transition_is_one_audit_event_on_the_diagram(self):
            if not hasattr(self, "models"):
                return
            events = run(
                AuditEvent.select(AuditEvent.before, AuditEvent.after, AuditEvent.actor_id)
                .where(AuditEvent.object_kind == "claim")
                .where(AuditEvent.object_id.is_in(list(self.models) or ["-"]))
                .run
            )
            assert len(events) == self.transitions
            for e in events:
                move = (
                    (loads(e["before"]) or {}).get("state"),
                    (loads(e["after"]) or {}).get("state"),
                )
                assert move in DIAGRAM, move

    run_state_machine_as_test(
        ClaimMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=50,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
