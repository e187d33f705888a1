"""The claim kinds of the sync protocol, plugged in by the manifest (``capability.py``).

- ``travel_claim`` (pushable): a round trip the cadre records, offline too. Pull does not
  return it under this kind:
- ``claim`` (pull-only) carries every claim — travel claims under the same id, and the
  living subsidy the server drafts — with its state, amounts and flags, to its owner and,
  once submitted, to its reviewers and county finance.
- ``insurance_incident`` (pushable): an accident report; pull returns its state.

Submitting and reviewing are HTTP actions (``/api/claims/{id}/submit`` and so on), as for the
presence sheet. A month confirmed by the township drafts its subsidy claim: the manifest
listens to ``presence.month_confirmed``.
"""

from __future__ import annotations

from backend.claims import insurance, queries, travel
from backend.claims.schemas import ClaimWire, IncidentData, IncidentWire, TravelClaimData
from backend.claims.tables import Claim, Incident
from backend.sync.registry import SyncKind

__all__ = ["CLAIM", "INSURANCE_INCIDENT", "TRAVEL_CLAIM"]


TRAVEL_CLAIM = SyncKind(
    name="travel_claim",
    table=Claim,
    to_wire=queries.claim_wire,
    pull_where=travel.nothing,
    prepare=travel.prepare_travel_claim,
    locked=travel.travel_claim_locked,
    enrich=travel.enrich_travel_claims,
    after_write=travel.write_travel_links,
    data_model=TravelClaimData,
    wire_model=ClaimWire,
)

CLAIM = SyncKind(
    name="claim",
    table=Claim,
    to_wire=queries.claim_wire,
    pull_where=queries.claim_pull_where,
    wire_model=ClaimWire,
)

INSURANCE_INCIDENT = SyncKind(
    name="insurance_incident",
    table=Incident,
    to_wire=insurance.incident_wire,
    pull_where=insurance.incident_pull_where,
    prepare=insurance.prepare_incident,
    locked=insurance.incident_locked,
    enrich=insurance.enrich_incidents,
    after_write=insurance.write_incident_links,
    data_model=IncidentData,
    wire_model=IncidentWire,
)
