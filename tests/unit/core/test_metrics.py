"""Sync items are counted by kind and result, each item once."""

from __future__ import annotations

from prometheus_client import REGISTRY

from backend.core.metrics import count_sync_results


def _count(kind: str, result: str) -> float:
    labels = {"kind": kind, "result": result}
    return REGISTRY.get_sample_value("zhucun_sync_items_total", labels) or 0.0


def test_each_item_counted_once_under_its_kind_and_result() -> None:
    pairs = [("work_log", "applied"), ("work_log", "rejected"), ("unknown", "rejected")]
    before = {p: _count(*p) for p in pairs}
    count_sync_results(
        ["work_log", "work_log", "work_log", "unknown", "work_log"],
        ["applied", "rejected", "applied", "rejected", "applied"],
    )
    assert {p: _count(*p) - before[p] for p in pairs} == {
        ("work_log", "applied"): 3, ("work_log", "rejected"): 1, ("unknown", "rejected"): 1,
    }
