"""Validating plain data (sync items, CSV rows) with Pydantic into our field errors."""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError

from backend.core import clock
from backend.core.errors import FieldError, ValidationFailed
from backend.core.problems import field_code

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "EARLIEST_RECORD",
    "PastDate",
    "PlannedDate",
    "field_errors",
    "parse",
    "parse_many",
    "parse_month",
    "plausible_past",
    "plausible_planned",
]

#: Zhucun's records begin with the 2018 notice (黔党办发〔2018〕38号).
EARLIEST_RECORD = dt.date(2018, 1, 1)
#: How far ahead a planned record (leave) may lie.
_PLANNED_AHEAD = dt.timedelta(days=366)


def _too_early(value: dt.date) -> None:
    if value < EARLIEST_RECORD:
        raise PydanticCustomError("date_too_early", "date_too_early: before 2018-01-01")


def plausible_past(value: dt.date) -> dt.date:
    """A date of something done (a log, a day, a talk, an accident): 2018 to today (Shanghai).

    >>> plausible_past(dt.date(1, 1, 1))
    Traceback (most recent call last):
    pydantic_core._pydantic_core.PydanticCustomError: date_too_early: before 2018-01-01
    """
    _too_early(value)
    if value > clock.local_date():
        raise PydanticCustomError("date_in_future", "date_in_future: after today")
    return value


def plausible_planned(value: dt.date) -> dt.date:
    """A date of something planned (leave): 2018 to a year from today."""
    _too_early(value)
    if value > clock.local_date() + _PLANNED_AHEAD:
        raise PydanticCustomError("date_too_late", "date_too_late: more than a year ahead")
    return value


PastDate = Annotated[dt.date, AfterValidator(plausible_past)]
PlannedDate = Annotated[dt.date, AfterValidator(plausible_planned)]

M = TypeVar("M", bound=BaseModel)


def parse_month(text: str, field: str = "month") -> dt.date:
    """A month ``YYYY-MM`` as the date of its first day; ``not_month`` on ``field`` otherwise.

    Example:
        >>> parse_month("2026-03")
        datetime.date(2026, 3, 1)
    """
    try:
        return dt.date.fromisoformat(f"{text}-01")
    except ValueError:
        raise ValidationFailed(errors=[FieldError(field, "not_month")]) from None


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


def parse_many(model: type[M], items: Sequence[Any]) -> list[M | ValidationFailed]:
    """``model`` from each of ``items``, or that item's ``ValidationFailed`` (as ``parse``).

    One validation call over a batch whose items are all valid, the common case (a sync push
    of 500 records); the items of a batch that is not are then validated one by one, so that
    each is answered with its own problems, named as ``parse`` names them.
    """
    try:
        return list(_list_of(model).validate_python(items))
    except ValidationError:
        pass
    out: list[M | ValidationFailed] = []
    for item in items:
        try:
            out.append(parse(model, item))
        except ValidationFailed as exc:
            out.append(exc)
    return out


@functools.cache
def _list_of(model: type[M]) -> TypeAdapter[list[M]]:
    return TypeAdapter(list[model])  # type: ignore[valid-type]  # a model chosen at run time
