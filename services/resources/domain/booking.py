"""Booking a resource: who may, when, for how long, and which unit they get."""
import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.resources.domain.catalogue import get_resource, is_certified
from services.resources.domain.projections import lock_member_in_good_standing
from services.resources.domain.usage import price_of, record_usage
from services.resources.models import HOLDING_STATES, ActivityOwner, Blackout, Booking, Resource, Usage
from shared.errors import Conflict, NotFound, ValidationError, rule_broken
from shared.money import round_cents

WEEK = dt.timedelta(days=7)


@dataclass(frozen=True)
class Slot:
    start: dt.datetime
    end: dt.datetime

    @property
    def hours(self) -> Decimal:
        return Decimal(int((self.end - self.start).total_seconds())) / 3600

    def shifted(self, weeks: int) -> "Slot":
        return Slot(self.start + weeks * WEEK, self.end + weeks * WEEK)


def book(session: Session, request: dict, now: dt.datetime) -> Booking:
    resource = _bookable_resource(session, request)
    return _place(session, resource, request, Slot(request["start"], request["end"]), now)


def book_recurring(session: Session, request: dict, now: dt.datetime) -> list[Booking]:
    """The same slot every week for ``weeks`` weeks: every occurrence is checked, all or none."""
    resource = _bookable_resource(session, request)
    series_id = str(uuid.uuid4())
    first = Slot(request["start"], request["end"])
    bookings = []
    for week in range(request["weeks"]):
        try:
            bookings.append(_place(session, resource, request, first.shifted(week), now, series_id))
        except (Conflict, ValidationError) as refused:
            # the whole series is rolled back; say which occurrence was refused and why
            day = first.shifted(week).start.date().isoformat()
            raise type(refused)(f"occurrence of {day}: {refused.message}",
                                {f"occurrences.{week}.{k}": v for k, v in refused.fields.items()}) from None
    return bookings


def _bookable_resource(session: Session, request: dict) -> Resource:
    resource = get_resource(session, request["resource_id"], share=True)
    if resource.status != "available":
        raise rule_broken("resource_id", f"the resource is {resource.status}: "
                                         f"{resource.status_reason or 'not bookable'}")
    # in good standing on each day booked: a member's shares cover the days they use the
    # services, so a series is checked at its last occurrence
    last = request["start"] + (request.get("weeks", 1) - 1) * WEEK
    lock_member_in_good_standing(session, request["member_id"], last.date())
    activity = session.get(ActivityOwner, request["activity_id"])
    if activity is None or activity.member_id != request["member_id"]:
        raise rule_broken("activity_id", "the activity does not belong to the member")
    if not activity.open:
        raise rule_broken("activity_id", "the activity is closed")
    if resource.training and not is_certified(session, request["member_id"], resource.training):
        raise rule_broken("member_id", f"the member has not completed the training "
                                       f"'{resource.training}' this resource requires")
    return resource


def _place(session, resource, request, slot, now, series_id=None) -> Booking:
    check_duration(resource, slot)
    check_notice(resource, slot, now)
    check_quota(session, resource, request["member_id"], slot)
    blocked = Slot(slot.start, slot.end + dt.timedelta(minutes=resource.buffer_minutes))
    for unit in _candidate_units(session, resource, blocked):
        booking = _new_booking(resource, request, slot, blocked, unit, now, series_id)
        try:
            # the database arbitrates between concurrent bookings of the same unit
            with session.begin_nested():
                session.add(booking)
                session.flush()
            return booking
        except IntegrityError:
            continue
    raise Conflict("the slot is already booked", {"start": ["no unit is free for this slot"]})


def check_duration(resource: Resource, slot: Slot) -> None:
    minutes = (slot.end - slot.start).total_seconds() / 60
    if resource.min_duration_minutes is not None and minutes < resource.min_duration_minutes:
        raise rule_broken("end", f"a booking lasts at least {resource.min_duration_minutes} minutes")
    if resource.max_duration_minutes is not None and minutes > resource.max_duration_minutes:
        raise rule_broken("end", f"a booking lasts at most {resource.max_duration_minutes} minutes")


def check_notice(resource: Resource, slot: Slot, now: dt.datetime) -> None:
    if slot.start < now + dt.timedelta(minutes=resource.min_notice_minutes):
        raise rule_broken("start", f"book at least {resource.min_notice_minutes} minutes ahead")
    horizon = resource.max_notice_days
    if horizon is not None and slot.start > now + dt.timedelta(days=horizon):
        raise rule_broken("start", f"book at most {resource.max_notice_days} days ahead")


def week_of(instant: dt.datetime) -> Slot:
    monday = (instant - dt.timedelta(days=instant.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0)
    return Slot(monday, monday + WEEK)


def _overlap_hours(a: Slot, b: Slot) -> Decimal:
    start, end = max(a.start, b.start), min(a.end, b.end)
    return Slot(start, end).hours if end > start else Decimal(0)


def check_quota(session: Session, resource: Resource, member_id: str, slot: Slot) -> None:
    """Hours per member per week (Monday 00:00 UTC) on this resource, the new booking included."""
    if resource.weekly_quota_hours is None:
        return
    week = week_of(slot.start)
    while week.start < slot.end:
        held = session.execute(select(Booking.starts_at, Booking.ends_at).where(
            Booking.resource_id == resource.id, Booking.member_id == member_id,
            Booking.status.in_(HOLDING_STATES),
            Booking.starts_at < week.end, Booking.ends_at > week.start)).all()
        hours = sum((_overlap_hours(Slot(s, e), week) for s, e in held), Decimal(0))
        hours += _overlap_hours(slot, week)
        if hours > resource.weekly_quota_hours:
            raise rule_broken("end", f"the weekly quota of {resource.weekly_quota_hours} hours on "
                                     f"this resource would be exceeded ({round_cents(hours)} hours "
                                     f"in the week of {week.start.date().isoformat()})")
        week = week.shifted(1)


def _candidate_units(session: Session, resource: Resource, blocked: Slot) -> list[int]:
    taken = set(session.scalars(select(Booking.unit).where(
        Booking.resource_id == resource.id, Booking.status.in_(HOLDING_STATES),
        Booking.blocked_start < blocked.end, Booking.blocked_end > blocked.start)))
    blacked = set(session.scalars(select(Blackout.unit).where(
        Blackout.resource_id == resource.id,
        Blackout.starts_at < blocked.end, Blackout.ends_at > blocked.start)))
    units = range(1, resource.units + 1)
    if None in blacked or all(u in blacked for u in units):
        raise rule_broken("start", "the resource is blacked out during this slot")
    return [u for u in units if u not in taken and u not in blacked]


def _new_booking(resource, request, slot, blocked, unit, now, series_id) -> Booking:
    deadline = resource.cancellation_deadline_hours
    return Booking(
        id=str(uuid.uuid4()), resource_id=resource.id, unit=unit,
        member_id=request["member_id"], activity_id=request["activity_id"], series_id=series_id,
        starts_at=slot.start, ends_at=slot.end,
        blocked_start=blocked.start, blocked_end=blocked.end,
        status="pending" if resource.approval_required else "confirmed",
        check_in_by=(slot.start + dt.timedelta(minutes=resource.no_show_minutes)
                     if resource.no_show_minutes else None),
        free_cancellation_until=(slot.start - dt.timedelta(hours=deadline)
                                 if deadline is not None else None),
        price_per_hour=resource.price_per_hour, price_per_day=resource.price_per_day,
        late_cancellation_share=resource.late_cancellation_share,
        created_at=now, late_cancellation=False,
    )


def get_booking(session: Session, booking_id: str, lock: bool = False) -> Booking:
    query = select(Booking).where(Booking.id == booking_id)
    if lock:
        query = query.with_for_update()
    booking = session.execute(query).scalar_one_or_none()
    if booking is None:
        raise NotFound(f"no booking {booking_id}")
    return booking


def approve(session: Session, booking: Booking, by: str | None, now: dt.datetime) -> bool:
    """Staff confirm a pending booking; True when it changed (approving twice is harmless)."""
    if booking.status == "confirmed" and booking.decided_at is not None:
        return False
    if booking.status != "pending":
        raise rule_broken("booking_id", f"a {booking.status} booking cannot be approved")
    if booking.starts_at <= now:
        raise rule_broken("booking_id", "the booking has already started")
    booking.status, booking.decided_at, booking.decided_by = "confirmed", now, by
    session.flush()
    return True


def reject(session: Session, booking: Booking, by: str | None, reason: str | None,
           now: dt.datetime) -> bool:
    if booking.status == "rejected":
        return False
    if booking.status != "pending":
        raise rule_broken("booking_id", f"a {booking.status} booking cannot be rejected")
    booking.status, booking.decided_at, booking.decided_by = "rejected", now, by
    booking.release_reason = (reason or "rejected")[:32]
    session.flush()
    return True


def cancel(session: Session, booking: Booking, now: dt.datetime) -> tuple[bool, Usage | None]:
    """Cancel a booking: free until its deadline, then charged a share of its price.

    Returns (changed, the usage that charges a late cancellation); cancelling twice changes
    nothing the second time.
    """
    if booking.status == "cancelled":
        return False, None
    if booking.status not in ("pending", "confirmed"):
        raise rule_broken("booking_id", f"a {booking.status} booking cannot be cancelled")
    if booking.starts_at <= now and booking.status == "confirmed":
        raise rule_broken("booking_id", "the booking has started: check out instead")
    late = (booking.status == "confirmed" and booking.free_cancellation_until is not None
            and now > booking.free_cancellation_until)
    charge = Decimal(0)
    if late:
        price = price_of(booking.starts_at, booking.ends_at, booking.price_per_hour, booking.price_per_day)
        charge = round_cents(price * booking.late_cancellation_share)
    booking.status, booking.cancelled_at = "cancelled", now
    booking.late_cancellation, booking.cancellation_charge = late, round_cents(charge)
    usage = None
    if charge > 0:
        # billing charges activities from usage_recorded: a late cancellation is a usage of
        # no hours whose amount is the charge
        usage = record_usage(session, booking, booking.starts_at, booking.starts_at, charge,
                             "late_cancellation", now)
    session.flush()
    return True, usage
