"""A pushable kind declares the model its data is validated against (sync validates it)."""

from __future__ import annotations

import pytest

from backend.fieldwork.tables import WorkLog
from backend.sync.compact import Compact
from backend.sync.registry import Prepared, SyncKind


async def _prepare(actor: object, data: object) -> Prepared:
    return Prepared({}, None, None)


def test_prepare_without_a_data_model_is_a_wiring_error() -> None:
    with pytest.raises(ValueError, match="data_model"):
        SyncKind(name="x", table=WorkLog, pull_where=lambda s: s, compact=Compact({}),
                 prepare=_prepare)
