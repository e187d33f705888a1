"""Validating plain data (sync items, CSV rows) with Pydantic into our field errors."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from backend.core.errors import FieldError, ValidationFailed
from backend.core.problems import field_code

__all__ = ["field_errors", "parse"]

M = TypeVar("M", bound=BaseModel)


def field_errors(exc: ValidationError, prefix: str = "") -> list[FieldError]:
    errors = []
    for err in exc.errors():
        path = ".".join(str(p) for p in err["loc"]) or "data"
        errors.append(FieldError(f"{prefix}{path}", field_code(f"{err['type']} {err['msg']}")))
    return errors


def parse(model: type[M], data: Any) -> M:
    """``model`` from ``data`` or ``ValidationFailed`` naming every bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(errors=field_errors(exc)) from None
