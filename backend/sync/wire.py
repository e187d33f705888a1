"""The typed wire in the OpenAPI document: each kind's ``data`` as a named schema.

Push items and pull changes are validated item by item at run time (one bad item never fails
a batch), so the request model stays open. The document, though, shows what each kind
carries: ``PushItem`` and ``Change`` become unions discriminated on ``kind``, one member per
registered kind with its ``data`` schema (``WorkLogPush``, ``WorkLogChange``…). Kinds register
their models in their capability's ``sync_kinds.py``; nothing here names a kind.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model

from backend.sync.registry import kinds

if TYPE_CHECKING:
    from collections.abc import Sequence

    from litestar import Litestar
    from pydantic.json_schema import JsonSchemaMode

__all__ = ["install", "typed_schemas", "typed_wire"]

_REF = "#/components/schemas/{model}"


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


class _PushBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID = Field(description="the client's UUID (v7 preferred)")
    base_version: int | None = Field(
        default=None, ge=1, description="the version edited; null when new"
    )


class _ChangeBase(BaseModel):
    id: uuid.UUID
    version: int
    deleted: bool = False


def _union(models: Sequence[type[BaseModel]]) -> Any:
    if len(models) == 1:
        return models[0]
    return Annotated[Union[tuple(models)], Field(discriminator="kind")]  # noqa: UP007


def typed_schemas() -> dict[str, dict[str, Any]]:
    """Component schemas: ``PushItem`` and ``Change`` as discriminated unions, and one named
    schema per kind's item and ``data``."""
    push, pull = [], []
    for kind in kinds():
        literal = Literal[kind.name]  # type: ignore[name-defined]  # built from the registry
        if kind.pushable and kind.data_model is not None:
            push.append(create_model(
                f"{_camel(kind.name)}Push", __base__=_PushBase,
                kind=(literal, Field(description="the record's kind")),
                data=(kind.data_model, ...),
            ))
        if kind.wire_model is not None:
            pull.append(create_model(
                f"{_camel(kind.name)}Change", __base__=_ChangeBase,
                kind=(literal, ...), data=(kind.wire_model, ...),
            ))
    schemas: dict[str, dict[str, Any]] = {}
    unions: tuple[tuple[str, Sequence[type[BaseModel]], JsonSchemaMode], ...] = (
        ("PushItem", push, "validation"), ("Change", pull, "serialization"),
    )
    for name, models, mode in unions:
        if not models:
            continue
        schema = TypeAdapter(_union(models)).json_schema(ref_template=_REF, mode=mode)
        schemas.update(schema.pop("$defs", {}))
        schema["description"] = (
            "One record to push: its kind decides the shape of data."
            if name == "PushItem"
            else "One changed record: its kind decides the shape of data."
        )
        schemas[name] = schema
    return schemas


def typed_wire(document: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI document with the typed ``PushItem`` and ``Change`` (pure: a new dict)."""
    out = dict(document)
    components = dict(out.get("components") or {})
    schemas = dict(components.get("schemas") or {})
    for name, schema in typed_schemas().items():
        if name in schemas and name not in {"PushItem", "Change"}:
            continue  # a model the API already documents under the same name
        schemas[name] = schema
    components["schemas"] = schemas
    out["components"] = components
    return out


def install(app: Litestar) -> None:
    """Serve the typed document at ``/schema/openapi.json`` (and to the docs pages).

    Built on the first request for it, as Litestar builds its own, so that starting a
    worker costs nothing more.
    """
    from litestar._openapi.plugin import OpenAPIPlugin

    class TypedOpenAPIPlugin(OpenAPIPlugin):
        __slots__ = ()

        def provide_openapi_schema(self) -> dict[str, Any]:
            if not self._openapi_schema:
                self._openapi_schema = typed_wire(super().provide_openapi_schema())
            return self._openapi_schema

    app.plugins.get(OpenAPIPlugin).__class__ = TypedOpenAPIPlugin
