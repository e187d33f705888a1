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
from backend.claims.records import ClaimRow
from backend.claims.schemas import ClaimWire, IncidentData, IncidentWire, TravelClaimData
from backend.claims.tables import Claim, Incident
from backend.core.money import fen_to_yuan
from backend.sync.compact import (
    Compact,
    instant,
    iso_date,
    month,
    shaped,
    stored_json,
    uuid_text,
    value,
)
from backend.sync.registry import SyncKind

__all__ = ["CLAIM", "CLAIM_COMPACT", "INSURANCE_INCIDENT", "TRAVEL_CLAIM"]


#: What a claim sends (kinds ``claim`` and ``travel_claim``, a conflict's server copy).
CLAIM_COMPACT = Compact({
    "type": value(Claim.kind),
    "state": value(Claim.state),
    "village_code": value(Claim.village_code),
    "township_code": value(Claim.township_code),
    "month": month(Claim.month),
    "date": iso_date(Claim.date),
    "mode": value(Claim.mode),
    "fare_fen": value(Claim.fare_fen),
    "road_km": shaped(queries.km, value(Claim.road_m)),
    "note": value(Claim.note),
    "evidence": stored_json(Claim.evidence, []),
    "corrects_id": uuid_text(Claim.corrects_id),
    "village_days": value(Claim.village_days),
    "sheet_id": uuid_text(Claim.sheet_id),
    "policy_version": value(Claim.policy_version),
    "rate_fen": value(Claim.rate_fen),
    "geodesic_km": shaped(queries.km, value(Claim.geodesic_m)),
    "amount_fen": value(Claim.amount_fen),
    "amount_yuan": shaped(fen_to_yuan, value(Claim.amount_fen)),
    "payable_fen": value(Claim.payable_fen),
    "flags": stored_json(Claim.flags, []),
    "reason": value(Claim.reason),
    "payment_reference": value(Claim.payment_reference),
    "submitted_at": instant(Claim.submitted_at),
    "paid_at": instant(Claim.paid_at),
    "cadre_id": uuid_text(Claim.owner_id),
})

TRAVEL_CLAIM = SyncKind(
    name="travel_claim",
    table=Claim,
    pull_where=travel.nothing,
    prepare=travel.prepare_travel_claim,
    locked=travel.travel_claim_locked,
    enrich=travel.enrich_travel_claims,
    after_write=travel.write_travel_links,
    data_model=TravelClaimData,
    wire_model=ClaimWire,
    compact=CLAIM_COMPACT,
)

CLAIM: SyncKind[ClaimRow] = SyncKind(
    name="claim",
    table=Claim,
    pull_where=queries.claim_pull_where,
    wire_model=ClaimWire,
    compact=CLAIM_COMPACT,
)

INSURANCE_INCIDENT = SyncKind(
    name="insurance_incident",
    table=Incident,
    pull_where=insurance.incident_pull_where,
    prepare=insurance.prepare_incident,
    locked=insurance.incident_locked,
    enrich=insurance.enrich_incidents,
    after_write=insurance.write_incident_links,
    data_model=IncidentData,
    wire_model=IncidentWire,
    compact=Compact({
        "village_code": value(Incident.village_code),
        "accident_date": iso_date(Incident.accident_date),
        "description": value(Incident.description),
        "evidence": stored_json(Incident.evidence, []),
        "state": value(Incident.state),
        "policy_id": uuid_text(Incident.policy_id),
        "forwarded_at": instant(Incident.forwarded_at),
        "forward_note": value(Incident.forward_note),
        "cadre_id": uuid_text(Incident.owner_id),
    }),
)
