"""The OpenAPI document as the PWA's generated types need it (``make api-types``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, get_args, get_type_hints

from litestar.openapi.spec import Schema
from litestar.plugins.pydantic import PydanticSchemaPlugin
from litestar.typing import FieldDefinition

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator

__all__ = ["ExtraKeysSchemaPlugin"]


class ExtraKeysSchemaPlugin(PydanticSchemaPlugin):
    """Pydantic models as Litestar describes them, and one that takes further keys
    (``extra="allow"``: a label's other languages) says so with ``additionalProperties``,
    typed by its ``__pydantic_extra__`` annotation when it has one. Litestar leaves them out,
    so the generated types would refuse what the server accepts."""

    @classmethod
    def for_pydantic_model(cls, field_definition: FieldDefinition,
                           schema_creator: SchemaCreator) -> Schema:
        schema = super().for_pydantic_model(field_definition, schema_creator)
        model: Any = field_definition.annotation
        if model.model_config.get("extra") == "allow":
            extra = get_type_hints(model).get("__pydantic_extra__")
            value = get_args(extra)[1] if get_args(extra) else None
            schema.additional_properties = (
                schema_creator.for_field_definition(FieldDefinition.from_annotation(value))
                if value is not None else True)
        return schema
