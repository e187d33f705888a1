"""A roster kept as a household fact (the members), as pure functions.

A repeat at the top of a household form marked with a ``fact`` keeps its entries as one
household fact: each member with the lasting id its entry carries (``@id``, made on the phone
when the entry was added) and its answers to the questions inside marked with a ``fact`` (the
member facts, by fact name). The next survey of the household pre-fills the roster from it;
what is sent replaces it member by member (``docs/surveys.md``). The PWA does the same
(``pwa/src/surveys/facts.ts``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from backend.core.errors import FieldError
from backend.surveys.rules import MEMBER_ID, repeat_of, type_error

__all__ = ["ROSTER", "RosterFact", "fact_fields", "kind_conflicts", "known_entries",
           "roster_facts", "roster_value", "sent_entries"]

#: The ``value_type`` of a roster fact.
ROSTER = "roster"


@dataclass(frozen=True)
class RosterFact:
    #: The repeat and the household fact it is kept as.
    repeat: str
    fact: str
    #: The questions inside it marked with a member fact, in form order.
    questions: tuple[Mapping[str, Any], ...]


def roster_facts(form: Mapping[str, Any]) -> list[RosterFact]:
    """The rosters of a form kept as household facts, in form order."""
    out = []
    for group in form.get("groups") or []:
        if group.get("repeat") and group.get("fact"):
            questions = tuple(q for q in form["questions"] if q.get("fact")
                              and repeat_of(form, q.get("group")) == group["name"])
            out.append(RosterFact(group["name"], group["fact"], questions))
    return out


def fact_fields(form: Mapping[str, Any]) -> dict[str, tuple[bool, str]]:
    """The household facts a form keeps: fact name → (kept as a roster?, the field that names
    it, ``questions.N.fact`` or ``groups.N.fact``). Member facts inside a roster are the
    roster's own and not listed."""
    out: dict[str, tuple[bool, str]] = {}
    for index, group in enumerate(form.get("groups") or []):
        if group.get("repeat") and group.get("fact"):
            out.setdefault(group["fact"], (True, f"groups.{index}.fact"))
    for index, q in enumerate(form.get("questions") or []):
        if q.get("fact") and repeat_of(form, q.get("group")) is None:
            out.setdefault(q["fact"], (False, f"questions.{index}.fact"))
    return out


def kind_conflicts(form: Mapping[str, Any], used: Mapping[str, bool]) -> list[FieldError]:
    """Facts of ``form`` that the county already keeps as the other kind (``used``: fact name →
    kept as a roster?, from its other surveys and the facts on record). One name holds one kind:
    a roster ``members`` and a count ``members`` would overwrite each other in turn, each survey
    asking again what the other replaced."""
    return [FieldError(field, "fact_kept_as_roster" if used[name] else "fact_kept_as_answer",
                       {"fact": name})
            for name, (roster, field) in fact_fields(form).items()
            if name in used and used[name] != roster]


def _members(value: Any) -> list[dict[str, Any]]:
    members = value.get("members") if isinstance(value, dict) else None
    return [m for m in members or [] if isinstance(m, dict) and isinstance(m.get("id"), str)]


def _values(member: Any) -> dict[str, Any]:
    values = member.get("values") if isinstance(member, dict) else None
    return values if isinstance(values, dict) else {}


def _types(value: Any) -> dict[str, str]:
    types = value.get("types") if isinstance(value, dict) else None
    return types if isinstance(types, dict) else {}


def known_entries(roster: RosterFact, value: Any) -> list[dict[str, Any]]:
    """The roster's entries as the household's fact fills them in: each member's id and its
    answers to the member facts this form asks, where the value kept is of the question's type
    and the question still takes it (a choice dropped from the form does not pre-fill)."""
    types = _types(value)
    out = []
    for member in _members(value):
        values = _values(member)
        entry: dict[str, Any] = {MEMBER_ID: member["id"]}
        for q in roster.questions:
            kept = values.get(q["fact"])
            if kept is not None and types.get(q["fact"]) == q["type"] and not type_error(q, kept):
                entry[q["name"]] = kept
        out.append(entry)
    return out


def sent_entries(roster: RosterFact, entries: Any) -> list[dict[str, Any]]:
    """What of a roster's sent entries the fact keeps: the member id and the answered member
    facts (a confirmed roster is sent exactly as ``known_entries`` gave it)."""
    names = [q["name"] for q in roster.questions]
    return [{MEMBER_ID: e.get(MEMBER_ID), **{n: e[n] for n in names if n in e}}
            for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []


def roster_value(roster: RosterFact, entries: list[dict[str, Any]], old: Any) -> dict[str, Any]:
    """The fact after a roster was sent: its members in the order sent (a member not sent has
    left it), each with its answered member facts; what this form does not ask of a member, or
    left unanswered, is kept from before when of the same type."""
    asked = {q["fact"]: q["type"] for q in roster.questions}
    before = {m["id"]: m for m in _members(old)}
    old_types = _types(old)
    types = {f: t for f, t in old_types.items() if f not in asked} | asked
    members = []
    for entry in sent_entries(roster, entries):
        kept = _values(before.get(entry[MEMBER_ID]))
        values = {f: v for f, v in kept.items() if f in types and types[f] == old_types.get(f)}
        for q in roster.questions:
            if q["name"] in entry:
                values[q["fact"]] = entry[q["name"]]
        members.append({"id": entry[MEMBER_ID], "values": values})
    return {"members": members, "types": types}
