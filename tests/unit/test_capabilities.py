"""The capability manifests: one tuple wires everything, the core knows no domain, and no
capability reads another's tables."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from backend.capabilities import CAPABILITIES, plug_in
from backend.core.events import Event
from backend.core.messages import Catalogue, Message, field_message, problem_message
from backend.manifest import Capability

BACKEND = Path(__file__).resolve().parents[2] / "backend"
NAMES = {c.name for c in CAPABILITIES}

#: Imports of another capability's tables module that are not reads of its rows, with why.
ALLOWED_TABLE_IMPORTS = {
    # The columns every synced table carries (id, version, seq…): the protocol's mixin.
    ("sync", "SyncedColumns"),
}


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every import in ``path``, at any depth (lazy imports too)."""
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((a.name, []) for a in node.names)
    return found


def test_core_imports_no_capability() -> None:
    wrong = [
        f"{path.relative_to(BACKEND)}: {module}"
        for path in sorted((BACKEND / "core").rglob("*.py"))
        for module, _ in _imports(path)
        if module.startswith("backend.") and not module.startswith("backend.core")
    ]
    assert wrong == []


@pytest.mark.parametrize("capability", sorted(NAMES))
def test_no_capability_reads_anothers_tables(capability: str) -> None:
    wrong = []
    for path in sorted((BACKEND / capability).rglob("*.py")):
        for module, names in _imports(path):
            match = re.fullmatch(r"backend\.(\w+)\.tables", module)
            if not match or match[1] == capability:
                continue
            rest = [n for n in names if (match[1], n) not in ALLOWED_TABLE_IMPORTS]
            if rest or not names:
                wrong.append(f"{path.relative_to(BACKEND)}: {module} {rest}")
    assert wrong == []


def test_every_capability_folder_has_one_manifest() -> None:
    folders = {
        p.parent.name for p in BACKEND.glob("*/capability.py")
    }
    assert folders == NAMES
    assert len(NAMES) == len(CAPABILITIES)
    for capability in CAPABILITIES:
        module = __import__(f"backend.{capability.name}.capability", fromlist=["CAPABILITY"])
        assert module.CAPABILITY is capability


def _app_tables(capability: Capability) -> list:
    module = __import__(capability.piccolo_app, fromlist=["APP_CONFIG"])
    return list(module.APP_CONFIG.table_classes)


def test_apps_come_after_the_apps_they_refer_to() -> None:
    """Migrations run in the tuple's order: a foreign key may only point backwards."""
    seen: set[str] = set()
    for capability in CAPABILITIES:
        if capability.piccolo_app is None:
            continue
        tables = _app_tables(capability)
        own = {t._meta.tablename for t in tables}
        for table in tables:
            for fk in table._meta.foreign_key_columns:
                target = fk._foreign_key_meta.resolved_references._meta.tablename
                assert target in own | seen, (
                    f"{table.__name__}.{fk._meta.name} refers to {target}, of a later app"
                )
        seen |= own


def test_piccolo_conf_lists_every_app_in_the_tuples_order() -> None:
    from backend.piccolo_conf import APPS

    assert [c.piccolo_app for c in CAPABILITIES if c.piccolo_app] == APPS


def test_plug_in_registers_what_the_manifests_declare() -> None:
    from backend.claims.subsidy import draft_subsidy
    from backend.evidence.services import evidence_changed
    from backend.fieldwork import services as fieldwork
    from backend.fieldwork.presence import month_confirmed
    from backend.notify import reminders
    from backend.sync.registry import get_kind

    plug_in()
    plug_in()  # twice changes nothing
    assert month_confirmed.listeners == (draft_subsidy,)
    assert evidence_changed.listeners == (fieldwork.reverify_logs,)
    assert set(reminders._sources) >= {"presence_month_end", "insurance_expiry"}
    for capability in CAPABILITIES:
        for kind in capability.sync_kinds:
            assert get_kind(kind.name) is kind
    assert problem_message("trip_cap") is not None
    assert field_message("not_choice") is not None


async def test_an_event_calls_each_listener_once_in_order() -> None:
    heard: list[tuple[str, int]] = []

    async def first(n: int) -> None:
        heard.append(("first", n))

    async def second(n: int) -> None:
        heard.append(("second", n))

    event: Event[[int]] = Event("test.counted")
    event.listen(first)
    event.listen(second)
    event.listen(first)
    await event.emit(7)
    assert heard == [("first", 7), ("second", 7)]


def _placeholders(template: str) -> set[str]:
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    # ``label_zh`` / ``label_en``: the same value in each language.
    return {re.sub(r"_(zh|en)$", "", name) for name in names}


def _catalogues() -> list[tuple[str, type[Catalogue]]]:
    """The core's catalogues and every one of each capability's ``messages.py``."""
    from backend.core.errors import Problems
    from backend.core.problems import Fields

    found = [("core.Problems", Problems), ("core.Fields", Fields)]
    for path in sorted(BACKEND.glob("*/messages.py")):
        if path.parent.name == "core":
            continue
        module = __import__(f"backend.{path.parent.name}.messages", fromlist=["__all__"])
        catalogues = [(name, getattr(module, name)) for name in module.__all__
                      if isinstance(getattr(module, name), type)
                      and issubclass(getattr(module, name), Catalogue)]
        assert catalogues, path  # a messages.py holds at least one catalogue
        found += [(f"{path.parent.name}.{name}", c) for name, c in catalogues]
    return found


@pytest.mark.parametrize("name, catalogue", _catalogues())
def test_each_message_says_the_same_in_both_languages(
    name: str, catalogue: type[Catalogue]
) -> None:
    entries = catalogue.entries()
    assert entries, name
    for code, message in entries.items():
        assert isinstance(message, Message)
        assert message.zh.strip() and message.en.strip(), code
        assert _placeholders(message.zh) == _placeholders(message.en), code


def test_two_capabilities_cannot_give_one_code_two_texts() -> None:
    from backend.core.messages import register_problems

    plug_in()

    class Clash(Catalogue):
        trip_cap = Message("别的", "Something else")

    with pytest.raises(ValueError, match="trip_cap"):
        register_problems(Clash)
