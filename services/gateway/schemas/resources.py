"""Workspaces, machines and equipment, and their bookings."""
import marshmallow as ma
from marshmallow import fields, validate

from services.gateway.schemas import PageQuery
from shared.schemas import Id, Instant, Money

KINDS = ("workspace", "room", "machine", "equipment", "vehicle")


def _minutes(**kwargs):
    return fields.Integer(validate=validate.Range(0, 60 * 24 * 366), **kwargs)


class ResourceIn(ma.Schema):
    name = fields.String(required=True, validate=validate.Length(1, 120))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    location = fields.String(allow_none=True, validate=validate.Length(max=200))
    capacity = fields.Integer(validate=validate.Range(1, 10_000))
    units = fields.Integer(validate=validate.Range(1, 1000))
    price_per_hour = Money(allow_none=True)
    price_per_day = Money(allow_none=True)
    min_duration_minutes = _minutes(allow_none=True)
    max_duration_minutes = _minutes(allow_none=True)
    buffer_minutes = _minutes()
    min_notice_minutes = _minutes()
    max_notice_days = fields.Integer(allow_none=True, validate=validate.Range(1, 3660))
    approval_required = fields.Boolean()
    training = fields.String(allow_none=True, validate=validate.Length(1, 64))
    weekly_quota_hours = Money(allow_none=True)
    cancellation_deadline_hours = fields.Integer(allow_none=True, validate=validate.Range(0, 24 * 366))
    late_cancellation_share = Money(places=4)
    no_show_minutes = fields.Integer(allow_none=True, validate=validate.Range(1, 24 * 60))


class ResourceChanges(ResourceIn):
    status = fields.String(validate=validate.OneOf(("available", "maintenance")))
    status_reason = fields.String(allow_none=True, validate=validate.Length(max=500))


class Reason(ma.Schema):
    reason = fields.String(required=True, validate=validate.Length(1, 500))


class OptionalReason(ma.Schema):
    reason = fields.String(allow_none=True, validate=validate.Length(max=500))


class UtilisationQuery(ma.Schema):
    from_ = Instant(required=True, data_key="from")
    to = Instant(required=True)
    resource_id = Id()


class ResourceQuery(PageQuery):
    kind = fields.String(validate=validate.OneOf(KINDS))
    include_retired = fields.Boolean()


class Window(ma.Schema):
    start = Instant(required=True, metadata={"description": "ISO-8601 with its UTC offset"})
    end = Instant(required=True)


class BlackoutIn(Window):
    unit = fields.Integer(allow_none=True, validate=validate.Range(1, 1000))
    reason = fields.String(required=True, validate=validate.Length(1, 500))


class CertificationIn(ma.Schema):
    training = fields.String(required=True, validate=validate.Length(1, 64))


class AvailabilityQuery(ma.Schema):
    from_ = Instant(required=True, data_key="from")
    to = Instant(required=True)


class BookingIn(Window):
    resource_id = Id(required=True)
    activity_id = Id(required=True, metadata={"description": "the member's activity that pays"})
    member_id = Id(metadata={"description": "defaults to the caller; staff may book for a member"})


class RecurringBookingIn(BookingIn):
    weeks = fields.Integer(required=True, validate=validate.Range(1, 52))


class BookingsQuery(PageQuery):
    from_ = Instant(data_key="from")
    to = Instant()
