"""Common marshmallow fields and the one way every entrypoint loads its input."""
import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import marshmallow as ma
from marshmallow import fields

from shared.errors import ValidationError
from shared.money import money_str, parse_amount


class Money(fields.Field):
    """A decimal string with at most two places in, exactly two places out."""

    def __init__(self, *, places: int = 2, minimum: Decimal | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.places = places
        self.minimum = minimum

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        amount = parse_amount(value, self.places) if isinstance(value, str) else Decimal(value)
        return money_str(amount) if self.places == 2 else str(amount)

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None,
                     **kwargs: Any) -> Any:
        try:
            amount = parse_amount(value, self.places)
        except ValueError as exc:
            raise ma.ValidationError(str(exc)) from None
        if self.minimum is not None and amount < self.minimum:
            raise ma.ValidationError(f"must be at least {self.minimum}")
        return amount


class Id(fields.Field):
    """A UUID carried as its canonical string."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else str(value)

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None,
                     **kwargs: Any) -> Any:
        if not isinstance(value, str):
            raise ma.ValidationError("must be a UUID string")
        try:
            return str(uuid.UUID(value))
        except ValueError:
            raise ma.ValidationError("not a valid UUID") from None


class IsoDate(fields.Date):
    """An ISO date; a datetime string is refused rather than truncated."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            value = dt.date.fromisoformat(value)
        return super()._serialize(value, attr, obj, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None,
                     **kwargs: Any) -> Any:
        if not isinstance(value, str) or len(value) != 10:
            raise ma.ValidationError("must be an ISO date (YYYY-MM-DD)")
        return super()._deserialize(value, attr, data, **kwargs)


class Instant(fields.DateTime):
    """A UTC instant in ISO-8601; naive input is taken as UTC."""

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None,
                     **kwargs: Any) -> Any:
        result = super()._deserialize(value, attr, data, **kwargs)
        if result.tzinfo is None:
            result = result.replace(tzinfo=dt.UTC)
        return result.astimezone(dt.UTC)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat()


class StrictSchema(ma.Schema):
    """Unknown fields are errors: a typo must not pass silently."""

    class Meta:
        unknown = ma.RAISE


def load(schema: ma.Schema, payload: Any, partial: bool | Sequence[str] = False) -> Any:
    """Load ``payload`` with ``schema`` or raise the typed ValidationError with per-field messages."""
    if not isinstance(payload, dict):
        raise ValidationError("the request must be an object", {"_schema": ["must be an object"]})
    try:
        return schema.load(payload, partial=partial)
    except ma.ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        raise ValidationError("invalid input", _flatten(messages)) from None


def _flatten(messages: dict) -> dict:
    flat = {}
    for key, value in messages.items():
        if isinstance(value, dict):
            for sub, msgs in _flatten(value).items():
                flat[f"{key}.{sub}"] = msgs
        else:
            flat[str(key)] = [str(m) for m in value] if isinstance(value, list) else [str(value)]
    return flat


MAX_OFFSET = 2**31 - 1  # beyond any real list, and within every database's integer


class Page(StrictSchema):
    """Paging of list queries."""

    limit = fields.Integer(load_default=50, validate=ma.validate.Range(1, 500))
    offset = fields.Integer(load_default=0, validate=ma.validate.Range(0, MAX_OFFSET))
