"""The fast check of body bounds agrees with the walk that names the problems."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from backend.core.bounds import MAX_DEPTH, _fine, _walk, body_problems, problems_each

_text = st.one_of(st.text(max_size=8), st.sampled_from(["a\x00", "\x7f", "\ufffe", "ok\t\n"]))
_scalars = st.one_of(
    st.none(), st.booleans(), _text,
    st.integers(min_value=-(2**60), max_value=2**60),
    st.floats(allow_nan=True, allow_infinity=True),
)
_bodies = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(_text, inner, max_size=4)),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None)
@given(_bodies, st.booleans())
def test_fast_check_agrees_with_the_walk(body: object, text: bool) -> None:
    assert _fine(body, 0, text) == (not list(_walk(body, "", 0, text)))


@settings(max_examples=200, deadline=None)
@given(st.lists(_bodies, max_size=6))
def test_many_values_checked_at_once_agree_with_each_alone(values: list[object]) -> None:
    assert problems_each(values, path="data") == [body_problems(v, path="data") for v in values]


def test_depth_limit_same_in_both() -> None:
    deep: object = 1
    for _ in range(MAX_DEPTH + 1):
        deep = [deep]
    assert not _fine(deep, 0, True)
    assert [p.code for p in body_problems(deep)] == ["too_deep"]
    assert _fine(deep[0], 0, True) and body_problems(deep[0]) == []  # type: ignore[index]
