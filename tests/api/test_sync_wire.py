"""The wire is typed (#14.5): each kind's data is a named schema in the OpenAPI document, a
union discriminated on kind, and what pull delivers matches it."""

from __future__ import annotations

import datetime as dt

from pydantic import TypeAdapter

from backend.sync.registry import kinds
from backend.sync.wire import _union
from tests.api.test_claims import submitted_trip
from tests.api.test_sync import item, log_data, pull_all, push
from tests.world import VILLAGE_X1

PULLED = {"work_log", "presence_day", "presence_sheet", "leave_request", "claim",
          "insurance_incident", "feedback", "inbox", "household", "survey",
          "household_fact", "survey_response"}


def test_every_kind_has_a_named_schema_in_a_discriminated_union(client):
    doc = client.get("/schema/openapi.json").json()
    schemas = doc["components"]["schemas"]
    push_union, change_union = schemas["PushItem"], schemas["Change"]
    assert push_union["discriminator"]["propertyName"] == "kind"
    pushable = {k.name for k in kinds() if k.pushable}
    assert set(push_union["discriminator"]["mapping"]) == pushable
    assert {"work_log", "presence_day", "leave_request", "travel_claim", "insurance_incident",
            "feedback", "survey_response", "inbox"} <= pushable
    assert set(change_union["discriminator"]["mapping"]) >= PULLED
    work_log = schemas["WorkLogPush"]
    assert work_log["properties"]["data"] == {"$ref": "#/components/schemas/WorkLogData"}
    assert set(schemas["WorkLogData"]["properties"]) >= {"village_code", "date", "kind", "text",
                                                         "household_ids", "location", "evidence"}
    # The payload that marks an inbox item read is documented.
    assert schemas["InboxPush"]["properties"]["data"] == {"$ref": "#/components/schemas/ReadData"}
    assert "read" in schemas["ReadData"]["required"]
    assert schemas["PushIn"]["properties"]["items"]["items"] == {
        "$ref": "#/components/schemas/PushItem"}
    pull = doc["paths"]["/api/sync/pull"]["get"]["responses"]["200"]
    assert "PullOut" in str(pull)


def test_what_pull_delivers_matches_the_documented_schemas(client, world):
    today = dt.date.today()
    push(client, world, "cadre_x1",
         item(log_data("走访")),
         item({"village_code": VILLAGE_X1, "date": today.isoformat(), "status": "in_village",
               "note": ""}, kind="presence_day"),
         item({"village_code": VILLAGE_X1, "start_date": today.isoformat(),
               "end_date": today.isoformat(), "reason": "看病"}, kind="leave_request"),
         item({"text": "希望增加离线地图"}, kind="feedback"),
         item({"village_code": VILLAGE_X1, "accident_date": today.isoformat(),
               "description": "摔伤"}, kind="insurance_incident"))
    submitted_trip(client, world, "cadre_x1")
    changes, _ = pull_all(client, world, "cadre_x1")
    seen = {c["kind"] for c in changes}
    assert {"work_log", "presence_day", "leave_request", "feedback", "insurance_incident",
            "claim"} <= seen
    models = []
    from typing import Literal

    from pydantic import create_model

    from backend.sync.wire import _camel, _ChangeBase
    for kind in kinds():
        if kind.wire_model is not None:
            models.append(create_model(f"{_camel(kind.name)}Check", __base__=_ChangeBase,
                                       kind=(Literal[kind.name], ...),
                                       data=(kind.wire_model, ...)))
    adapter = TypeAdapter(_union(models))
    for change in changes:
        adapter.validate_python(change)
