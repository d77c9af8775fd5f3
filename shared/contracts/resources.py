"""Resources' contract: the outputs of its RPC methods and the events it publishes."""
from decimal import Decimal
from typing import Any

import marshmallow as ma
from marshmallow import fields

from shared.contracts import event_schema
from shared.schemas import Id, Instant, Money

SOURCE = "resources"


class Share(Money):
    """A share of a price, 0..1, four places on the wire (``"0.2500"``)."""

    def __init__(self, **kwargs: Any):
        super().__init__(places=4, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else str(Decimal(value).quantize(Decimal("0.0001")))


# ---- outputs ----

class ResourceOut(ma.Schema):
    id = Id()
    name = fields.String()
    kind = fields.String()
    location = fields.String(allow_none=True)
    capacity = fields.Integer()
    units = fields.Integer()
    price_per_hour = Money(allow_none=True)
    price_per_day = Money(allow_none=True)
    min_duration_minutes = fields.Integer(allow_none=True)
    max_duration_minutes = fields.Integer(allow_none=True)
    buffer_minutes = fields.Integer()
    min_notice_minutes = fields.Integer()
    max_notice_days = fields.Integer(allow_none=True)
    approval_required = fields.Boolean()
    training = fields.String(allow_none=True)
    training_required = fields.Function(lambda r: r.training is not None, metadata={"type": "boolean"})
    weekly_quota_hours = Money(allow_none=True)
    cancellation_deadline_hours = fields.Integer(allow_none=True)
    late_cancellation_share = Share()
    no_show_minutes = fields.Integer(allow_none=True)
    status = fields.String()
    status_reason = fields.String(allow_none=True)


class BookingOut(ma.Schema):
    id = Id()
    resource_id = Id()
    unit = fields.Integer()
    member_id = Id()
    activity_id = Id()
    series_id = Id(allow_none=True)
    start = Instant(attribute="starts_at")
    end = Instant(attribute="ends_at")
    status = fields.String()
    check_in_by = Instant(allow_none=True)
    free_cancellation_until = Instant(allow_none=True)
    checked_in_at = Instant(allow_none=True)
    checked_out_at = Instant(allow_none=True)
    cancelled_at = Instant(allow_none=True)
    late_cancellation = fields.Boolean()
    cancellation_charge = Money(allow_none=True)
    release_reason = fields.String(allow_none=True)


class BlackoutOut(ma.Schema):
    id = Id()
    resource_id = Id()
    unit = fields.Integer(allow_none=True)
    start = Instant(attribute="starts_at")
    end = Instant(attribute="ends_at")
    reason = fields.String()


class UsageOut(ma.Schema):
    id = Id()
    booking_id = Id()
    resource_id = Id()
    member_id = Id()
    activity_id = Id()
    hours = Money()
    amount = Money()
    started_at = Instant()
    ended_at = Instant()
    reason = fields.String()


class CertificationOut(ma.Schema):
    member_id = Id()
    training = fields.String()
    certified_at = Instant()


class FreeInterval(ma.Schema):
    start = Instant()
    end = Instant()


class UnitAvailability(ma.Schema):
    unit = fields.Integer()
    free = fields.List(fields.Nested(FreeInterval))


class AvailabilityOut(ma.Schema):
    resource_id = Id()
    status = fields.String()
    start = Instant(data_key="from", attribute="from")
    end = Instant(data_key="to", attribute="to")
    units = fields.List(fields.Nested(UnitAvailability))


class UtilisationOut(ma.Schema):
    resource_id = Id()
    kind = fields.String()
    units = fields.Integer()
    start = Instant(data_key="from", attribute="from")
    end = Instant(data_key="to", attribute="to")
    capacity_hours = Money()
    booked_hours = Money()
    used_hours = Money()
    utilisation = Share()
    charged = Money()
    bookings_by_status = fields.Dict(keys=fields.String(), values=fields.Integer())


class StandingOut(ma.Schema):
    member_id = Id()
    status = fields.String()
    good_standing = fields.Boolean()
    open_activities = fields.List(Id())


class CheckOutOut(ma.Schema):
    """A booking checked out, and the usage it records for billing."""

    booking = fields.Nested(BookingOut)
    usage = fields.Nested(UsageOut)


# ---- events: ids and figures only, never personal data ----

R = "2a9b9e3c-73f6-4d20-8c77-4b3c6e1f5d04"
B = "3bacaf4d-8407-4e31-9d88-5c4d7f206e05"
M = "0e7f7c1a-51d4-4b0e-8a55-2f1a4c9d3b02"
A = "5b0c6a51-3f43-4a43-9b8e-0c2f4d8a1e01"
SLOT = {"booking_id": B, "resource_id": R, "member_id": M, "activity_id": A,
        "start": "2026-12-01T09:00:00+00:00", "end": "2026-12-01T11:00:00+00:00"}
EXAMPLES: dict[str, dict] = {
    "resource_added": {"resource_id": R, "kind": "machine", "units": 2},
    "booking_requested": SLOT,
    "booking_confirmed": SLOT,
    "booking_cancelled": {"booking_id": B, "resource_id": R, "member_id": M, "late": True, "charge": "12.00"},
    "booking_released": {"booking_id": B, "resource_id": R, "member_id": M},
    "usage_recorded": {"usage_id": "4cbdb05e-9518-4f42-8e99-6d5e80317f06", "booking_id": B, "resource_id": R,
                       "member_id": M, "activity_id": A, "hours": "2.00", "amount": "24.00",
                       "started_at": "2026-12-01T09:00:00+00:00", "ended_at": "2026-12-01T11:00:00+00:00"},
}


@event_schema(SOURCE, "resource_added", example=EXAMPLES["resource_added"])
class ResourceAdded(ma.Schema):
    """A resource joined the catalogue."""

    resource_id = Id(required=True)
    kind = fields.String(required=True)
    units = fields.Integer(required=True)


class _BookingSlot(ma.Schema):
    booking_id = Id(required=True)
    resource_id = Id(required=True)
    member_id = Id(required=True)
    activity_id = Id(required=True)
    start = Instant(required=True)
    end = Instant(required=True)


@event_schema(SOURCE, "booking_requested", example=EXAMPLES["booking_requested"])
class BookingRequested(_BookingSlot):
    """A booking of a resource that needs approval waits for staff."""


@event_schema(SOURCE, "booking_confirmed", example=EXAMPLES["booking_confirmed"])
class BookingConfirmed(_BookingSlot):
    """A booking holds its slot: booked directly or approved by staff."""


@event_schema(SOURCE, "booking_cancelled", example=EXAMPLES["booking_cancelled"])
class BookingCancelled(ma.Schema):
    """A booking was cancelled; ``late`` ones are charged ``charge``."""

    booking_id = Id(required=True)
    resource_id = Id(required=True)
    member_id = Id(required=True)
    late = fields.Boolean(required=True)
    charge = Money(required=True)


@event_schema(SOURCE, "booking_released", example=EXAMPLES["booking_released"])
class BookingReleased(ma.Schema):
    """A booking gave its slot back unused: no-show, or never approved before it started."""

    booking_id = Id(required=True)
    resource_id = Id(required=True)
    member_id = Id(required=True)


@event_schema(SOURCE, "usage_recorded", example=EXAMPLES["usage_recorded"])
class UsageRecorded(ma.Schema):
    """A finished booking (or a late cancellation) to be charged to its activity, once."""

    usage_id = Id(required=True)
    booking_id = Id(required=True)
    resource_id = Id(required=True)
    member_id = Id(required=True)
    activity_id = Id(required=True)
    hours = Money(required=True)
    amount = Money(required=True)
    started_at = Instant(required=True)
    ended_at = Instant(required=True)
