"""Validating plain data (sync items, CSV rows) with Pydantic into our field errors."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ValidationError
from pydantic_core import PydanticCustomError

from backend.core.errors import FieldError, ValidationFailed
from backend.core.problems import field_code

__all__ = [
    "EARLIEST_RECORD",
    "PastDate",
    "PlannedDate",
    "field_errors",
    "parse",
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
    from backend.core.clock import local_date

    _too_early(value)
    if value > local_date():
        raise PydanticCustomError("date_in_future", "date_in_future: after today")
    return value


def plausible_planned(value: dt.date) -> dt.date:
    """A date of something planned (leave): 2018 to a year from today."""
    from backend.core.clock import local_date

    _too_early(value)
    if value > local_date() + _PLANNED_AHEAD:
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
