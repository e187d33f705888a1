"""What claims store: claims under review, insurance policies, and incident reports."""

from __future__ import annotations

from piccolo.columns import JSON, UUID, BigInt, Date, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from backend.sync.tables import SyncedColumns

__all__ = ["CLAIM_KINDS", "Claim", "Incident", "InsurancePolicy"]

#: 生活补贴 (drafted by the server when the township confirms a month), 往返交通费 (made by
#: the cadre, offline too).
CLAIM_KINDS = ("subsidy", "travel")


class Claim(SyncedColumns, Table, tablename="claims_claim"):
    """A claim for money: a month's living subsidy or one round trip.

    ``state`` follows ``claims.rules.TRANSITIONS``; ``version`` moves with every edit and every
    transition, so two reviewers acting at once: one wins. Amounts are integer fen, computed by
    the server from the inputs and the policy in force (``policy_version``, ``rate_fen``,
    ``road_factor_x100`` record which); they are recomputed when the cadre submits, never
    after. A correction of an approved claim is a new claim with ``corrects_id``; its
    ``payable_fen`` is the difference to the claim it corrects.

    Unique: one subsidy claim per cadre and month (``owner_id, kind, month`` where the claim
    is no correction); at most one live correction per claim (``corrects_id`` unless rejected).
    """

    kind = Varchar(length=10)
    state = Varchar(length=20, default="draft", index=True)
    township_code = Varchar(length=9, index=True)
    #: First day of the month the claim is for (the subsidy's month, the trip's month).
    month = Date(index=True)
    # Travel inputs: the trip's date and mode, the fare (fen) or the one-way road distance (m).
    date = Date(null=True, default=None)
    mode = Varchar(length=10, null=True, default=None)
    fare_fen = Integer(null=True, default=None)
    road_m = Integer(null=True, default=None)
    note = Text(default="")
    evidence = JSON(default=[])
    # Subsidy inputs: the confirmed presence sheet and its village days.
    sheet_id = UUID(null=True, default=None)
    village_days = Integer(null=True, default=None)
    # Computed by the server.
    policy_version = Integer(default=0)
    rate_fen = Integer(default=0)
    road_factor_x100 = Integer(null=True, default=None)
    geodesic_m = Integer(null=True, default=None)
    amount_fen = BigInt(default=0)
    payable_fen = BigInt(default=0)
    flags = JSON(default=[])
    corrects_id = UUID(null=True, default=None, index=True)
    # Review.
    reason = Text(null=True, default=None)
    submitted_at = Timestamptz(null=True, default=None)
    township_by = UUID(null=True, default=None)
    township_at = Timestamptz(null=True, default=None)
    county_by = UUID(null=True, default=None)
    county_at = Timestamptz(null=True, default=None)
    decided_by = UUID(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    paid_by = UUID(null=True, default=None)
    paid_at = Timestamptz(null=True, default=None)
    payment_reference = Varchar(length=64, null=True, default=None)


class InsurancePolicy(Table, tablename="claims_insurance_policy"):
    """人身意外保险: one policy record per cadre and period, imported by the county from CSV.

    ``village_code`` is the cadre's village when imported, so that reviewers of that township
    see it too. Unique on (cadre_id, insurer, policy_number, start_date): a group policy
    covers many cadres under one number, and a renewal starts a new period.
    """

    id = UUID(primary_key=True)
    cadre_id = UUID(index=True)
    village_code = Varchar(length=12, index=True)
    county_code = Varchar(length=6, index=True)
    insurer = Varchar(length=100)
    policy_number = Varchar(length=64)
    sum_insured_fen = BigInt()
    start_date = Date()
    end_date = Date()
    imported_by = UUID(null=True, default=None)
    imported_at = Timestamptz()


class Incident(SyncedColumns, Table, tablename="claims_incident"):
    """意外事故报告: an accident reported by the cadre (offline too) with document photos; the
    county forwards it to the insurer. ``state``: reported → forwarded."""

    accident_date = Date()
    description = Text()
    evidence = JSON(default=[])
    state = Varchar(length=12, default="reported")
    #: The policy covering the accident date when reported, if any.
    policy_id = UUID(null=True, default=None)
    forwarded_by = UUID(null=True, default=None)
    forwarded_at = Timestamptz(null=True, default=None)
    forward_note = Text(null=True, default=None)
