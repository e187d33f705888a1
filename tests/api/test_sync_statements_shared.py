"""The pull's statements are kept by shape of scope (``backend/sync/statements.py``): written
once for a stand-in scope, then filled with each caller's values. Filled, each must be exactly
the statement written for the caller's own scope, for every kind and every statement of a
pull, whatever the scope holds: shared codes between fields, places in any order, no places
at all."""

from __future__ import annotations

import functools
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from piccolo.querystring import QueryString

from backend.accounts.tables import ROLES
from backend.core.scope import Scope
from backend.sync import services, statements
from backend.sync.cursor import Cursor
from backend.sync.registry import kinds

COUNTIES = ["510101", "510102", "500101", "110105"]
TOWNSHIPS = ["510101001", "510101002", "510102001", "110105010"]
VILLAGES = ["510101001001", "510101001002", "510101002007", "510102001003", "110105010001"]


def places(pool: list[str]) -> st.SearchStrategy[frozenset[str]]:
    return st.frozensets(st.sampled_from(pool), max_size=len(pool))


scopes = st.builds(
    Scope,
    user_id=st.uuids(version=4),
    roles=st.frozensets(st.sampled_from(ROLES)),
    own_villages=places(VILLAGES),
    review_townships=places(TOWNSHIPS),
    review_villages=places(VILLAGES),
    admin_counties=places(COUNTIES),
    finance_counties=places(COUNTIES),
)


def writes() -> list[tuple[tuple[object, ...], object]]:
    """Every statement a pull keeps, by its key, with the function ``services`` writes it by."""
    out: list[tuple[tuple[object, ...], object]] = [
        (("kinds", live), functools.partial(services._kinds_query, live=live))
        for live in (False, True)
    ]
    out.append((("bound and kinds",), services._bound_and_kinds_query))
    for kind in kinds():
        for live in (False, True):
            out.append((("feed", kind.name, 500, live), functools.partial(
                services._feed_query, kind=kind, limit=500, live=live)))
        out.append((("snapshot", kind.name, 5000), functools.partial(
            services._snapshot_query, kind=kind, limit=5000)))
    return out


def compiled(query: QueryString) -> tuple[str, list[object]]:
    sql, args = query._frozen_compiled_strings
    return sql, list(args)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scope=scopes)
def test_a_kept_statement_filled_is_the_statement_of_the_scope_itself(client, scope):
    engine = kinds()[0].table._meta.db
    after = Cursor(3, 41)
    for key, write in writes():
        kept = statements.statement(scope, engine, key, write)
        own = statements.Statement.of(write(scope), engine)
        assert compiled(kept.bind(after, bound=77, upto=99)) == \
            compiled(own.bind(after, bound=77, upto=99)), key


def test_cadres_of_one_shape_share_their_statements(client):
    engine = kinds()[0].table._meta.db
    one, other = (Scope(user_id=uuid.uuid4(), roles=frozenset({"cadre"}),
                        own_villages=frozenset({village})) for village in VILLAGES[:2])
    reviewer = Scope(user_id=uuid.uuid4(), roles=frozenset({"cadre", "township_reviewer"}),
                     own_villages=frozenset({VILLAGES[0]}),
                     review_townships=frozenset({TOWNSHIPS[0]}),
                     review_villages=frozenset(VILLAGES[:2]))
    key, write = writes()[0]
    first, second, third = (statements.statement(s, engine, key, write)
                            for s in (one, other, reviewer))
    assert first.statement is second.statement
    assert third.statement is not first.statement
    assert first.values != second.values


def test_a_value_derived_from_the_scope_is_refused(client):
    """A ``pull_where`` that cut a code (its county, a prefix) would write a value no fill
    gives: refused when the statement is written, never run with another scope's values."""
    engine = kinds()[0].table._meta.db
    scope = Scope(user_id=uuid.uuid4(), own_villages=frozenset({VILLAGES[0]}))

    def prefix(s: Scope) -> QueryString:
        return QueryString("SELECT 1 WHERE {} = {}", "x", next(iter(s.own_villages))[:6])

    def text_of_user(s: Scope) -> QueryString:
        return QueryString("SELECT 1 WHERE {} = {}", "x", str(s.user_id))

    def list_of_places(s: Scope) -> QueryString:
        return QueryString("SELECT 1 WHERE {} = ANY({})", "x", [c[:6] for c in s.own_villages])

    for write in (prefix, text_of_user, list_of_places):
        with pytest.raises(RuntimeError, match="derived a value"):
            statements.statement(scope, engine, ("refused", write.__name__), write)
