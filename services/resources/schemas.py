"""Resources' RPC inputs; its outputs and events are its contract, ``shared.contracts.resources``."""
from decimal import Decimal

import marshmallow as ma
from marshmallow import fields, validate

from shared.contracts.resources import Share
from shared.schemas import Id, Instant, Money, StrictSchema

SOURCE = "resources"
KINDS = ("workspace", "room", "machine", "equipment", "vehicle")
SETTABLE_STATUSES = ("available", "maintenance")
MAX_QUERY_DAYS = 366


class UtcInstant(Instant):
    """An ISO-8601 instant that states its offset; a naive time is ambiguous and refused."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ma.ValidationError("must be an ISO-8601 instant string")
        parsed = fields.DateTime._deserialize(self, value, attr, data, **kwargs)
        if parsed.tzinfo is None:
            raise ma.ValidationError("must carry a UTC offset, e.g. 2026-12-01T09:00:00Z")
        return super()._deserialize(value, attr, data, **kwargs)


def _minutes(**kwargs):
    return fields.Integer(validate=validate.Range(0, 60 * 24 * 366), **kwargs)


def _ordered(data, first, second, message, strict=True, key=None):
    a, b = data.get(first), data.get(second)
    if a is not None and b is not None and (a >= b if strict else a > b):
        raise ma.ValidationError({key or second: [message]})


class ResourceIn(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(1, 120))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    location = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    capacity = fields.Integer(load_default=1, validate=validate.Range(1, 10_000))
    units = fields.Integer(load_default=1, validate=validate.Range(1, 1000))
    price_per_hour = Money(load_default=None, allow_none=True, minimum=0)
    price_per_day = Money(load_default=None, allow_none=True, minimum=0)
    min_duration_minutes = _minutes(load_default=None, allow_none=True)
    max_duration_minutes = _minutes(load_default=None, allow_none=True)
    buffer_minutes = _minutes(load_default=0)
    min_notice_minutes = _minutes(load_default=0)
    max_notice_days = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 3660))
    approval_required = fields.Boolean(load_default=False)
    training = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 64))
    weekly_quota_hours = Money(load_default=None, allow_none=True, minimum=0)
    cancellation_deadline_hours = fields.Integer(load_default=None, allow_none=True,
                                                 validate=validate.Range(0, 24 * 366))
    late_cancellation_share = Share(load_default=Decimal("0"), minimum=0)
    no_show_minutes = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 24 * 60))

    @ma.validates("late_cancellation_share")
    def _share_at_most_one(self, value, **kwargs):
        if value > 1:
            raise ma.ValidationError("a share of the price, between 0 and 1")

    @ma.validates_schema
    def _durations(self, data, **kwargs):
        _ordered(data, "min_duration_minutes", "max_duration_minutes",
                 "must be at least the minimum duration", strict=False)


class ResourceChanges(ResourceIn):
    status = fields.String(validate=validate.OneOf(SETTABLE_STATUSES))
    status_reason = fields.String(allow_none=True, validate=validate.Length(max=500))


class RetireIn(StrictSchema):
    resource_id = Id(required=True)
    reason = fields.String(required=True, validate=validate.Length(1, 500))


class ResourceFilter(StrictSchema):
    kind = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(KINDS))
    include_retired = fields.Boolean(load_default=False)
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, 2**31 - 1))


class Period(StrictSchema):
    start = UtcInstant(required=True)
    end = UtcInstant(required=True)

    @ma.validates_schema
    def _end_after_start(self, data, **kwargs):
        _ordered(data, "start", "end", "must be after start")


class BlackoutIn(Period):
    resource_id = Id(required=True)
    unit = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 1000))
    reason = fields.String(required=True, validate=validate.Length(1, 500))


class CertifyIn(StrictSchema):
    member_id = Id(required=True)
    training = fields.String(required=True, validate=validate.Length(1, 64))


class BookIn(Period):
    resource_id = Id(required=True)
    member_id = Id(required=True)
    activity_id = Id(required=True)


class RecurringIn(BookIn):
    weeks = fields.Integer(required=True, validate=validate.Range(1, 52))


class BookingRef(StrictSchema):
    booking_id = Id(required=True)


class RejectIn(BookingRef):
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class Query(StrictSchema):
    resource_id = Id(required=True)
    start = UtcInstant(required=True, data_key="from")
    end = UtcInstant(required=True, data_key="to")

    @ma.validates_schema
    def _window(self, data, **kwargs):
        _ordered(data, "start", "end", "must be after from", key="to")
        if (data["end"] - data["start"]).days > MAX_QUERY_DAYS:
            raise ma.ValidationError({"to": [f"at most {MAX_QUERY_DAYS} days after from"]})


class MemberBookingsQuery(StrictSchema):
    member_id = Id(required=True)
    start = UtcInstant(load_default=None, allow_none=True, data_key="from")
    end = UtcInstant(load_default=None, allow_none=True, data_key="to")
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, 2**31 - 1))


class MemberRef(StrictSchema):
    member_id = Id(required=True)


def slot_event(booking) -> dict:
    return {"booking_id": booking.id, "resource_id": booking.resource_id,
            "member_id": booking.member_id, "activity_id": booking.activity_id,
            "start": booking.starts_at, "end": booking.ends_at}


def cancelled_event(booking) -> dict:
    return {"booking_id": booking.id, "resource_id": booking.resource_id,
            "member_id": booking.member_id, "late": booking.late_cancellation,
            "charge": booking.cancellation_charge or 0}


def released_event(booking) -> dict:
    return {"booking_id": booking.id, "resource_id": booking.resource_id,
            "member_id": booking.member_id}


def usage_event(usage) -> dict:
    return {"usage_id": usage.id, "booking_id": usage.booking_id,
            "resource_id": usage.resource_id, "member_id": usage.member_id,
            "activity_id": usage.activity_id, "hours": usage.hours, "amount": usage.amount,
            "started_at": usage.started_at, "ended_at": usage.ended_at}


class UtilisationQuery(StrictSchema):
    resource_id = Id(load_default=None, allow_none=True)
    start = UtcInstant(required=True, data_key="from")
    end = UtcInstant(required=True, data_key="to")

    _window = Query._window
