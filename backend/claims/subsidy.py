"""The living subsidy, drafted when the township confirms a cadre's month."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from backend.claims import amounts, records
from backend.claims.messages import Notices
from backend.claims.tables import Claim
from backend.core.cache import RequestCache
from backend.core.context import RequestContext
from backend.core.db import present
from backend.core.formats import money, month_label
from backend.core.ids import new_id
from backend.geo import services as geo
from backend.notify.services import notify
from backend.sync.services import allocate_seqs

if TYPE_CHECKING:
    from backend.fieldwork.presence import PresenceSheetRow

__all__ = ["draft_subsidy"]


async def draft_subsidy(ctx: RequestContext, sheet: PresenceSheetRow) -> None:
    """The township confirmed a cadre's month: draft its living subsidy claim from the confirmed
    village days and the rate in force, once (unique per cadre and month). Runs inside the
    confirming transaction, so both happen or neither."""
    cache = RequestCache()
    village = await geo.cached_village(cache, sheet["village_code"])
    values: dict[str, Any] = {
        "kind": "subsidy",
        "township_code": village.township_code if village else sheet["village_code"][:9],
        "month": sheet["month"],
        "sheet_id": sheet["id"],
        "village_days": sheet["village_days"],
        "note": "",
        "evidence": [],
    }
    values |= await amounts.computed(
        sheet["owner_id"], sheet["village_code"], sheet["county_code"], values, cache
    )
    engine = Claim._meta.db
    [seq] = await allocate_seqs(engine, 1)
    claim_id = new_id()
    done = await records.insert_draft(claim_id, sheet, seq, values)
    if not done:
        return
    row = present(records.claim_row(await Claim.select().where(Claim.id == claim_id).first()))
    await records.audit_step(ctx, row, "drafted", None, "draft")
    month = month_label(sheet["month"])
    days = sheet["village_days"]
    amount = money(row["amount_fen"])
    await notify(
        records.owner_notice(
            row,
            "claim.drafted",
            Notices.subsidy_drafted.fill(month_zh=month[0], month_en=month[1]),
            (Notices.subsidy_drafted_body_one_day if days == 1
             else Notices.subsidy_drafted_body).fill(days=days, amount=amount),
        )
    )
