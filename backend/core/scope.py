"""The caller's scope: which villages and records a user may touch, resolved once a request.

Every service query takes a ``Scope`` and narrows itself with ``Scope.where``; no query reads
an object without it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from piccolo.columns.combination import Or, WhereRaw

from backend.core.cache import RequestCache
from backend.core.errors import Forbidden, NotFound

if TYPE_CHECKING:
    from piccolo.columns import Column
    from piccolo.columns.combination import Combinable

_Row = TypeVar("_Row", bound=Mapping[str, Any])

__all__ = ["Actor", "Scope"]


@dataclass(frozen=True)
class Scope:
    """What one user may see, from their roles and postings.

    - ``own_villages``: villages of the cadre's postings (reference data such as households);
      their own records are matched by owner, not by village.
    - ``review_villages``: every village of the townships the user reviews.
    - ``admin_counties`` / ``finance_counties``: counties where the user is admin / finance.
    """

    user_id: uuid.UUID
    roles: frozenset[str] = frozenset()
    own_villages: frozenset[str] = frozenset()
    review_townships: frozenset[str] = frozenset()
    review_villages: frozenset[str] = frozenset()
    admin_counties: frozenset[str] = frozenset()
    finance_counties: frozenset[str] = frozenset()

    def has(self, role: str) -> bool:
        return role in self.roles

    @property
    def counties(self) -> frozenset[str]:
        return self.admin_counties | self.finance_counties

    def sees_village(self, village_code: str, county_code: str | None = None) -> bool:
        """Reference data of a village (households, fence): own, reviewed or county."""
        return (
            village_code in self.own_villages
            or village_code in self.review_villages
            or (county_code is not None and county_code in self.counties)
        )

    def reviews_village(self, village_code: str, county_code: str) -> bool:
        return village_code in self.review_villages or county_code in self.admin_counties

    def sees_record(
        self,
        owner_id: uuid.UUID | None,
        village_code: str,
        county_code: str,
        *,
        finance: bool = False,
    ) -> bool:
        """A record someone made: its owner, its township's reviewers, its county's admins."""
        return (
            (owner_id is not None and owner_id == self.user_id)
            or village_code in self.review_villages
            or county_code in self.admin_counties
            or (finance and county_code in self.finance_counties)
        )

    def reviewable(self, row: _Row | None) -> _Row:
        """A record the caller may act on as a reviewer: 404 outside the scope (existence is
        not revealed), 403 ``own_record`` for one's own (nobody reviews their own)."""
        if row is None or not self.sees_record(row["owner_id"], row["village_code"],
                                               row["county_code"]):
            raise NotFound()
        if row["owner_id"] == self.user_id:
            raise Forbidden("own_record")
        return row

    def where(
        self,
        *,
        village: Column,
        county: Column,
        owner: Column | None = None,
        finance: bool = False,
        reference: bool = False,
    ) -> Combinable:
        """A Piccolo where-clause limiting ``table`` rows to this scope.

        Args:
            village: the table's village code column.
            county: the table's county code column.
            owner: the column naming the cadre who made the record, for personal records.
            finance: whether county finance may read these rows (claims).
            reference: village reference data, readable by the cadres posted there.
        """
        clauses: list[Any] = []
        if owner is not None:
            clauses.append(owner == self.user_id)
        if reference and self.own_villages:
            clauses.append(village.is_in(sorted(self.own_villages)))
        if self.review_villages:
            clauses.append(village.is_in(sorted(self.review_villages)))
        counties = self.admin_counties | (self.finance_counties if finance else frozenset())
        if counties:
            clauses.append(county.is_in(sorted(counties)))
        if not clauses:
            return WhereRaw("1 = 0")
        combined = clauses[0]
        for clause in clauses[1:]:
            combined = Or(combined, clause)
        return combined


@dataclass(frozen=True)
class Actor:
    """The authenticated caller of a request: identity, scope and request context."""

    user_id: uuid.UUID
    name: str
    phone: str
    scope: Scope
    session_id: uuid.UUID | None = None
    request_id: str | None = None
    ip: str | None = None
    #: A temporary password not yet changed: every call but the change answers 403.
    must_change_password: bool = False
    #: Values read once for this request (villages, settings, postings): see ``core/cache.py``.
    cache: RequestCache = field(default_factory=RequestCache, compare=False, repr=False)

    @property
    def roles(self) -> frozenset[str]:
        return self.scope.roles
