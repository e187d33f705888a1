"""Every object route, every role, inside and outside its scope.

Reading an object outside one's scope answers 404 (its existence is not revealed); acting on
an object one may see but not change answers 403. Later capabilities add their routes here.
"""

from __future__ import annotations

import pytest

from tests.world import (
    COUNTY_A,
    COUNTY_B,
    TOWNSHIP_X,
    TOWNSHIP_Y,
    TOWNSHIP_Z,
    VILLAGE_X1,
    VILLAGE_X2,
    VILLAGE_Y1,
    VILLAGE_Z1,
)

ALLOWED, HIDDEN, FORBIDDEN = 200, 404, 403


# (who, village) → expected status of GET /api/geo/divisions/{village}
@pytest.mark.parametrize(
    "who, code, expected",
    [
        ("cadre_x1", VILLAGE_X1, ALLOWED),
        ("cadre_x1", VILLAGE_X2, HIDDEN),
        ("cadre_x1", VILLAGE_Z1, HIDDEN),
        ("cadre_z1", VILLAGE_X1, HIDDEN),
        ("reviewer_x", VILLAGE_X1, ALLOWED),
        ("reviewer_x", VILLAGE_X2, ALLOWED),
        ("reviewer_x", VILLAGE_Y1, HIDDEN),
        ("reviewer_y", VILLAGE_X1, HIDDEN),
        ("reviewer_z", VILLAGE_X1, HIDDEN),
        ("admin_a", VILLAGE_Y1, ALLOWED),
        ("admin_a", VILLAGE_Z1, HIDDEN),
        ("admin_b", VILLAGE_X1, HIDDEN),
        ("finance_a", VILLAGE_X1, ALLOWED),
        ("reviewer_x", TOWNSHIP_X, ALLOWED),
        ("reviewer_x", TOWNSHIP_Y, HIDDEN),
        ("admin_b", TOWNSHIP_X, HIDDEN),
        ("admin_a", COUNTY_A, ALLOWED),
        ("admin_a", COUNTY_B, HIDDEN),
    ],
)
def test_read_division(client, world, who, code, expected):
    r = client.get(f"/api/geo/divisions/{code}", headers=world.headers(who))
    assert r.status_code == expected, r.text


def test_division_lists_are_cut_to_scope(client, world):
    def codes(who, **params):
        r = client.get("/api/geo/divisions", headers=world.headers(who), params=params)
        assert r.status_code == 200
        return {d["code"] for d in r.json()}

    assert codes("cadre_x1", level="village") == {VILLAGE_X1}
    assert codes("reviewer_x", level="village") == {VILLAGE_X1, VILLAGE_X2}
    assert codes("admin_a", level="village") == {VILLAGE_X1, VILLAGE_X2, VILLAGE_Y1}
    assert codes("admin_b", level="village") == {VILLAGE_Z1}
    assert codes("reviewer_z", level="township") == {TOWNSHIP_Z}


FENCE = {"center_lat": 26.41, "center_lon": 107.91, "radius_m": 1200}


@pytest.mark.parametrize(
    "who, code, expected",
    [
        ("admin_a", VILLAGE_X1, ALLOWED),
        ("admin_b", VILLAGE_X1, HIDDEN),
        ("reviewer_x", VILLAGE_X1, FORBIDDEN),
        ("cadre_x1", VILLAGE_X1, FORBIDDEN),
        ("finance_a", VILLAGE_X1, FORBIDDEN),
        ("reviewer_y", VILLAGE_X1, HIDDEN),
        ("cadre_z1", VILLAGE_X1, HIDDEN),
    ],
)
def test_write_fence_and_tier(client, world, who, code, expected):
    r = client.patch(f"/api/geo/divisions/{code}/fence", json=FENCE, headers=world.headers(who))
    assert r.status_code == expected, r.text
    r = client.patch(
        f"/api/geo/divisions/{code}/tier", json={"tier": "deep"}, headers=world.headers(who)
    )
    assert r.status_code == expected, r.text


@pytest.mark.parametrize(
    "who, target, expected",
    [
        ("cadre_x1", "cadre_x1", ALLOWED),
        ("cadre_x1", "cadre_x2", HIDDEN),
        ("cadre_x1", "reviewer_x", HIDDEN),
        ("reviewer_x", "cadre_x1", ALLOWED),
        ("reviewer_x", "cadre_x2", ALLOWED),
        ("reviewer_x", "cadre_y1", HIDDEN),
        ("reviewer_y", "cadre_x1", HIDDEN),
        ("admin_a", "cadre_y1", ALLOWED),
        ("admin_a", "reviewer_x", ALLOWED),
        ("admin_a", "cadre_z1", HIDDEN),
        ("admin_b", "cadre_x1", HIDDEN),
        ("finance_a", "cadre_x1", HIDDEN),
    ],
)
def test_read_user(client, world, who, target, expected):
    r = client.get(f"/api/accounts/users/{world.ids[target]}", headers=world.headers(who))
    assert r.status_code == expected, r.text


def test_user_and_posting_lists_are_cut_to_scope_and_sorted_by_name(client, world):
    def names(who):
        r = client.get("/api/accounts/users", headers=world.headers(who))
        assert r.status_code == 200
        return [u["name"] for u in r.json()]

    assert names("cadre_x1") == ["cadre_x1"]
    assert names("reviewer_x") == ["cadre_x1", "cadre_x2", "reviewer_x"]
    assert names("admin_b") == ["admin_b", "cadre_z1", "reviewer_z"]
    a = names("admin_a")
    assert a == sorted(a) and "cadre_z1" not in a and "cadre_y1" in a

    def villages(who):
        r = client.get("/api/accounts/postings", headers=world.headers(who))
        return {p["village_code"] for p in r.json()}

    assert villages("cadre_x1") == {VILLAGE_X1}
    assert villages("reviewer_x") == {VILLAGE_X1, VILLAGE_X2}
    assert villages("admin_a") == {VILLAGE_X1, VILLAGE_X2, VILLAGE_Y1}
    assert villages("finance_a") == set()


def _new_user(code, role="cadre"):
    return {
        "phone": "13311112222",
        "name": "新同志",
        "password": "long-enough-1",
        "roles": [{"role": role, "division_code": code}],
    }


@pytest.mark.parametrize(
    "who, code, expected",
    [
        ("admin_a", VILLAGE_X1, 201),
        ("admin_b", VILLAGE_X1, HIDDEN),
        ("reviewer_x", VILLAGE_X1, FORBIDDEN),
        ("cadre_x1", VILLAGE_X1, FORBIDDEN),
        ("finance_a", VILLAGE_X1, FORBIDDEN),
    ],
)
def test_create_user(client, world, who, code, expected):
    r = client.post("/api/accounts/users", json=_new_user(code), headers=world.headers(who))
    assert r.status_code == expected, r.text


@pytest.mark.parametrize(
    "who, code, expected",
    [
        ("admin_a", VILLAGE_Y1, 201),
        ("admin_b", VILLAGE_Y1, HIDDEN),
        ("reviewer_y", VILLAGE_Y1, FORBIDDEN),
        ("cadre_y1", VILLAGE_Y1, FORBIDDEN),
    ],
)
def test_create_posting(client, world, who, code, expected):
    r = client.post(
        "/api/accounts/postings",
        headers=world.headers(who),
        json={
            "cadre_id": str(world.ids["cadre_x1"]),
            "village_code": code,
            "start_date": "2026-01-01",
            "position": "first_secretary",
        },
    )
    assert r.status_code == expected, r.text


@pytest.mark.parametrize(
    "who, expected",
    [
        ("admin_a", ALLOWED),
        ("admin_b", ALLOWED),
        ("reviewer_x", FORBIDDEN),
        ("cadre_x1", FORBIDDEN),
        ("finance_a", FORBIDDEN),
    ],
)
def test_audit_routes(client, world, who, expected):
    for path in ("/api/audit/events", "/api/audit/verify"):
        assert client.get(path, headers=world.headers(who)).status_code == expected


def test_audit_events_are_cut_to_the_admins_county(client, world):
    client.patch(
        f"/api/geo/divisions/{VILLAGE_X1}/fence", json=FENCE, headers=world.headers("admin_a")
    )
    a = client.get("/api/audit/events", headers=world.headers("admin_a")).json()
    b = client.get("/api/audit/events", headers=world.headers("admin_b")).json()
    assert any(e["action"] == "geo.fence_set" for e in a)
    assert not any(e["object_id"] == VILLAGE_X1 for e in b)
    assert all(e["action"] != "geo.fence_set" for e in b)


@pytest.mark.parametrize(
    "who, expected",
    [
        ("admin_a", 200),
        ("admin_b", 422),
        ("reviewer_x", FORBIDDEN),
        ("cadre_x1", FORBIDDEN),
    ],
)
def test_import_only_into_own_county(client, world, who, expected):
    csv_text = f"code,name,level\n{TOWNSHIP_X}201000,x,village\n".replace(
        f"{TOWNSHIP_X}201000", f"{TOWNSHIP_X}299"
    )
    r = client.post(
        "/api/geo/divisions/import",
        content=csv_text.encode(),
        headers={**world.headers(who), "content-type": "text/csv"},
    )
    assert r.status_code == expected, r.text


# --- 人员与派驻 (/api/accounts/roster) ---------------------------------------------------------

ROSTER = "/api/accounts/roster"


@pytest.mark.parametrize(
    "who, target, expected",
    [
        ("admin_a", "cadre_x1", ALLOWED),
        ("admin_a", "reviewer_y", ALLOWED),
        ("admin_a", "cadre_z1", HIDDEN),
        ("admin_a", "admin_b", HIDDEN),
        ("admin_b", "cadre_x1", HIDDEN),
        ("admin_b", "admin_a", HIDDEN),
        ("reviewer_x", "cadre_x1", ALLOWED),
        ("reviewer_x", "cadre_y1", HIDDEN),
        ("reviewer_z", "cadre_x1", HIDDEN),
        ("cadre_x1", "cadre_x1", ALLOWED),
        ("cadre_x1", "cadre_x2", HIDDEN),
        ("finance_a", "cadre_x1", HIDDEN),
    ],
)
def test_roster_read_person(client, world, who, target, expected):
    r = client.get(f"{ROSTER}/people/{world.ids[target]}", headers=world.headers(who))
    assert r.status_code == expected, r.text


@pytest.mark.parametrize("who", ["admin_b", "reviewer_z", "cadre_z1"])
def test_no_roster_route_reaches_a_person_of_another_county(client, world, who):
    """To county B, county A's cadre is exactly an id that does not exist."""
    def routes(target):
        return [("GET", f"{ROSTER}/people/{target}", None),
                ("POST", f"{ROSTER}/people/{target}/disable", {}),
                ("POST", f"{ROSTER}/people/{target}/enable", {}),
                ("POST", f"{ROSTER}/people/{target}/roles",
                 {"role": "township_reviewer", "division_code": TOWNSHIP_Z}),
                ("DELETE", f"{ROSTER}/people/{target}/roles/{NOBODY}", None)]

    for (m, there_path, body), (_, nobody_path, _) in zip(
        routes(world.ids["cadre_x1"]), routes(NOBODY), strict=True
    ):
        there = _call(client, world, who, m, there_path, body)
        nobody = _call(client, world, who, m, nobody_path, body)
        assert there.status_code == nobody.status_code == HIDDEN, (there_path, there.text)
        assert there.json()["title"] == nobody.json()["title"]


@pytest.mark.parametrize(
    "who, target, expected",
    [
        ("admin_a", "cadre_x1", ALLOWED),
        ("admin_b", "cadre_x1", HIDDEN),
        ("admin_a", "cadre_z1", HIDDEN),
        ("reviewer_x", "cadre_x1", FORBIDDEN),
        ("reviewer_y", "cadre_x1", HIDDEN),
        ("cadre_x2", "cadre_x1", HIDDEN),
        ("finance_a", "cadre_x1", HIDDEN),
    ],
)
def test_roster_account_actions(client, world, who, target, expected):
    uid = world.ids[target]
    h = world.headers(who)
    for path, body in ((f"{ROSTER}/people/{uid}/disable", {}),
                       (f"{ROSTER}/people/{uid}/enable", {}),
                       (f"{ROSTER}/people/{uid}/roles",
                        {"role": "township_reviewer", "division_code": TOWNSHIP_X})):
        r = client.post(path, json=body, headers=h)
        assert r.status_code == expected, (path, r.text)


@pytest.mark.parametrize(
    "who, on_grant, expected",
    [("admin_a", ALLOWED, ALLOWED), ("admin_b", HIDDEN, HIDDEN),
     ("reviewer_x", FORBIDDEN, FORBIDDEN), ("cadre_x1", HIDDEN, FORBIDDEN),
     ("finance_a", HIDDEN, FORBIDDEN)],
)
def test_roster_posting_and_grant_changes(client, world, who, on_grant, expected):
    """A reviewer's grant is seen by the county's admins and the reviewer; changes need an
    admin."""
    admin = world.headers("admin_a")
    person = client.get(f"{ROSTER}/people/{world.ids['reviewer_x']}", headers=admin).json()
    [grant] = person["grants"]
    r = client.delete(f"{ROSTER}/people/{person['id']}/roles/{grant['id']}",
                      headers=world.headers(who))
    assert r.status_code == on_grant, r.text
    cadre = client.get(f"{ROSTER}/people/{world.ids['cadre_x2']}", headers=admin).json()
    posting = cadre["postings"][0]["id"]
    r = client.post(f"{ROSTER}/postings/{posting}/transfer",
                    json={"end_date": "2026-06-30", "village_code": VILLAGE_X1},
                    headers=world.headers(who))
    assert r.status_code == expected, r.text


def test_roster_lists_and_imports_are_cut_to_the_county(client, world):
    def listed(who):
        r = client.get(f"{ROSTER}/people", headers=world.headers(who),
                       params={"page_size": 100})
        return r.status_code, {p["name"] for p in r.json().get("items", [])}

    assert listed("admin_b") == (200, {"admin_b", "cadre_z1", "reviewer_z"})
    assert listed("reviewer_z") == (200, {"cadre_z1"})
    assert listed("cadre_z1")[0] == FORBIDDEN
    for who, expected in (("admin_a", 200), ("admin_b", 200), ("reviewer_x", FORBIDDEN)):
        r = client.get(f"{ROSTER}/import/template", headers=world.headers(who))
        assert r.status_code == expected
    body = f"姓名,手机号,村代码,开始日期\n甲,13355550101,{VILLAGE_Y1},2026-03-01\n".encode()
    r = client.post(f"{ROSTER}/import", params={"dry_run": "false"}, content=body,
                    headers={**world.headers("admin_b"), "content-type": "text/csv"})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "other_county"
    r = client.post(f"{ROSTER}/cadres", headers=world.headers("admin_b"),
                    json={"name": "甲", "phone": "13355550102", "village_code": VILLAGE_Y1,
                          "start_date": "2026-03-01"})
    assert r.status_code == 422
    assert listed("admin_a")[1].isdisjoint({"甲"})


# --- people across counties: one reach rule (accounts.in_reach), existence never revealed ----

NOBODY = "00000000-0000-7000-8000-000000000000"


def _person_routes(target: str) -> list[tuple[str, str, dict | None]]:
    """Every route that acts on or reads one person named by id (method, path, body)."""
    return [
        ("GET", f"/api/accounts/users/{target}", None),
        ("GET", f"/api/commendation/dossiers/{target}", None),
        ("GET", f"/api/commendation/dossiers/{target}/print", None),
        ("GET", f"/api/fieldwork/presence/{target}/2026-03", None),
        ("POST", "/api/fieldwork/talks/",
         {"cadre_id": target, "date": "2026-03-02", "summary": "谈心"}),
        ("POST", "/api/commendation/inspections",
         {"cadre_id": target, "date": "2026-03-02", "finding": "other"}),
        ("POST", "/api/accounts/postings",
         {"cadre_id": target, "village_code": VILLAGE_Z1, "start_date": "2026-01-01"}),
    ]


def _call(client, world, who, method, path, body):
    return client.request(method, path, json=body, headers=world.headers(who))


@pytest.mark.parametrize("who", ["admin_b", "reviewer_z", "cadre_z1"])
@pytest.mark.parametrize("index", range(7))
def test_no_route_reaches_a_person_of_another_county(client, world, who, index):
    """A person of county A is, to county B, exactly an id that does not exist (404; 403 where
    the caller's role may not use the route at all)."""
    method, path, body = _person_routes(str(world.ids["cadre_x1"]))[index]
    there = _call(client, world, who, method, path, body)
    method, path, body = _person_routes(NOBODY)[index]
    nobody = _call(client, world, who, method, path, body)
    assert there.status_code == nobody.status_code, (there.text, nobody.text)
    assert there.status_code in (HIDDEN, FORBIDDEN)
    assert there.json()["code"] == nobody.json()["code"]
    assert there.json()["title"] == nobody.json()["title"]


@pytest.mark.parametrize(
    "who, target, village, expected",
    [
        ("admin_b", "cadre_x1", VILLAGE_Z1, HIDDEN),  # finding 1: A's cadre into B's village
        ("admin_b", "reviewer_x", VILLAGE_Z1, HIDDEN),  # placed in A by a role grant
        ("admin_b", "admin_a", VILLAGE_Z1, HIDDEN),
        ("admin_a", "cadre_z1", VILLAGE_X1, HIDDEN),
        ("admin_a", "cadre_y1", VILLAGE_X1, 201),  # within the county
        ("admin_a", "reviewer_x", VILLAGE_X1, 201),
    ],
)
def test_posting_needs_the_person_in_the_admins_county(client, world, who, target, village,
                                                       expected):
    r = client.post(
        "/api/accounts/postings",
        headers=world.headers(who),
        json={"cadre_id": str(world.ids[target]), "village_code": village,
              "start_date": "2026-01-01"},
    )
    assert r.status_code == expected, r.text
    home = "admin_b" if target.endswith("z1") else "admin_a"
    postings = client.get(f"/api/accounts/users/{world.ids[target]}",
                          headers=world.headers(home)).json()["postings"]
    if expected == HIDDEN:
        assert village not in {p["village_code"] for p in postings}


def test_an_unplaced_person_is_in_every_admins_reach(client, world, run):
    """A new account with no posting and no role is in reach (so it can be posted)."""
    from backend.accounts.tables import User
    from backend.core.clock import utc_now
    from backend.core.ids import new_id

    person = new_id()
    run(User.insert(User(id=person, phone="13399990000", name="未安排", password_hash="x",
                         created_at=utc_now())).run)
    r = client.get(f"/api/accounts/users/{person}", headers=world.headers("admin_b"))
    assert r.status_code == 200, r.text
    assert client.get(f"/api/accounts/users/{person}",
                      headers=world.headers("reviewer_z")).status_code == HIDDEN
    r = client.post("/api/accounts/postings", headers=world.headers("admin_b"),
                    json={"cadre_id": str(person), "village_code": VILLAGE_Z1,
                          "start_date": "2026-01-01"})
    assert r.status_code == 201, r.text
    # Now placed in B: county A no longer reaches them.
    r = client.post("/api/accounts/postings", headers=world.headers("admin_a"),
                    json={"cadre_id": str(person), "village_code": VILLAGE_X1,
                          "start_date": "2026-01-01"})
    assert r.status_code == HIDDEN, r.text
    assert client.get(f"/api/accounts/users/{person}",
                      headers=world.headers("admin_a")).status_code == HIDDEN


def test_dossier_leaves_out_talks_recorded_outside_the_readers_scope(client, world):
    r = client.post("/api/fieldwork/talks/", headers=world.headers("reviewer_x"),
                    json={"cadre_id": str(world.ids["cadre_x1"]), "date": "2026-03-02",
                          "summary": "甲县的谈话"})
    assert r.status_code == 201, r.text
    mine = client.get(f"/api/commendation/dossiers/{world.ids['cadre_x1']}?year=2026",
                      headers=world.headers("cadre_x1")).json()
    assert [t["summary"] for t in mine["talks"]] == ["甲县的谈话"]
    assert client.get(f"/api/commendation/dossiers/{world.ids['cadre_x1']}?year=2026",
                      headers=world.headers("admin_b")).status_code == HIDDEN


# The console's geography, registers and imports (#12): another county's are invisible.
LABELS = {"deep": "深度贫困村", "key": "重点村", "ordinary": "一般村"}


@pytest.mark.parametrize(
    "who, expected",
    [
        ("admin_a", ALLOWED),
        ("admin_b", HIDDEN),
        ("reviewer_x", FORBIDDEN),
        ("cadre_x1", FORBIDDEN),
        ("finance_a", FORBIDDEN),
        ("reviewer_z", HIDDEN),
    ],
)
def test_tier_labels_of_a_county(client, world, who, expected):
    r = client.put(
        f"/api/geo/counties/{COUNTY_A}/tier-labels", json=LABELS, headers=world.headers(who)
    )
    assert r.status_code == expected, r.text


@pytest.mark.parametrize(
    "who, village, expected",
    [
        ("admin_a", VILLAGE_Y1, ALLOWED),
        ("reviewer_x", VILLAGE_X1, ALLOWED),
        ("reviewer_x", VILLAGE_Y1, HIDDEN),
        ("admin_b", VILLAGE_X1, HIDDEN),
        ("reviewer_z", VILLAGE_X1, HIDDEN),
        ("cadre_x1", VILLAGE_X1, FORBIDDEN),
        ("admin_a", VILLAGE_Z1, HIDDEN),
    ],
)
def test_household_import_preview_is_scoped(client, world, who, village, expected):
    r = client.post(
        f"/api/fieldwork/villages/{village}/households/import",
        params={"dry_run": "true"},
        content="户编号,户主\nH1,甲\n".encode(),
        headers={**world.headers(who), "content-type": "text/csv"},
    )
    assert r.status_code == expected, r.text


@pytest.mark.parametrize(
    "who, county, expected",
    [
        ("admin_a", COUNTY_A, 422),  # read, checked: the phone is nobody's in the county
        ("admin_b", COUNTY_A, HIDDEN),
        ("admin_a", COUNTY_B, HIDDEN),
        ("reviewer_x", COUNTY_A, FORBIDDEN),
    ],
)
def test_policy_import_preview_is_scoped(client, world, who, county, expected):
    r = client.post(
        "/api/insurance/policies/import",
        params={"dry_run": "true", "county": county},
        content="手机号,保险公司,保单号,保险金额,起保日期,止保日期\n"
        "13100000004,人保,P1,1000,2026-01-01,2026-12-31\n".encode(),
        headers={**world.headers(who), "content-type": "text/csv"},
    )
    assert r.status_code == expected, r.text


def test_division_import_preview_of_another_county_names_the_rows(client, world):
    r = client.post(
        "/api/geo/divisions/import",
        params={"dry_run": "true"},
        content=f"code,name,level\n{VILLAGE_X1},一村,village\n".encode(),
        headers={**world.headers("admin_b"), "content-type": "text/csv"},
    )
    assert r.status_code == 422
    assert [(e["row"], e["code"]) for e in r.json()["errors"]] == [(2, "out_of_scope")]
