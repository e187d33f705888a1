"""A batch validated in one call answers each item as validating it alone would."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from backend.core.errors import ValidationFailed
from backend.core.validation import parse, parse_many
from backend.fieldwork.schemas import WorkLogData

_GOOD = {
    "village_code": "520101001001", "date": "2025-01-02", "kind": "visit", "text": " 走访 ",
    "household_ids": [], "evidence": [],
    "location": {"lat": 26.41, "lon": 107.91, "accuracy_m": 20.0,
                 "captured_at": "2025-01-02T08:00:00+00:00"},
}
_BAD = [
    {**_GOOD, "kind": "party"},
    {**_GOOD, "date": "2017-12-31", "text": ""},
    {**_GOOD, "location": {"lat": 91, "lon": 0}},
    {**_GOOD, "extra": 1},
    "not an object",
    None,
]


def _alone(item: Any) -> WorkLogData | list[tuple[str, str]]:
    try:
        return parse(WorkLogData, item)
    except ValidationFailed as exc:
        return [(e.field, e.code) for e in exc.errors]


def _answer(result: WorkLogData | ValidationFailed) -> WorkLogData | list[tuple[str, str]]:
    if isinstance(result, ValidationFailed):
        return [(e.field, e.code) for e in result.errors]
    return result


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([_GOOD, *_BAD]), max_size=8))
def test_each_item_answered_as_alone(items: list[Any]) -> None:
    assert [_answer(r) for r in parse_many(WorkLogData, items)] == [_alone(i) for i in items]


def test_an_all_valid_batch_gives_the_models() -> None:
    out = parse_many(WorkLogData, [_GOOD, _GOOD])
    assert out == [WorkLogData.model_validate(_GOOD)] * 2
    assert isinstance(out[0], WorkLogData) and out[0].text == "走访"
