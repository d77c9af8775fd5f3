"""Check-in, check-out, and the sweep that releases no-shows and closes finished bookings."""
import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from services.resources.domain.usage import finish, usage_of
from services.resources.models import Booking, Usage
from shared.errors import rule_broken


def check_in(session: Session, booking: Booking, now: dt.datetime,
             early: dt.timedelta = dt.timedelta(minutes=15)) -> bool:
    """The member is there. True when it changed; checking in twice is harmless."""
    if booking.status == "checked_in":
        return False
    if booking.status != "confirmed":
        raise rule_broken("booking_id", f"a {booking.status} booking cannot be checked in")
    if now < booking.starts_at - early:
        raise rule_broken("booking_id", f"check-in opens {int(early.total_seconds() // 60)} "
                                        "minutes before the start")
    closes = booking.check_in_by or booking.ends_at
    if now > closes:
        raise rule_broken("booking_id", "check-in has closed for this booking")
    booking.status, booking.checked_in_at = "checked_in", now
    session.flush()
    return True


def check_out(session: Session, booking: Booking, now: dt.datetime) -> tuple[Usage, bool]:
    """The member is done: usage is recorded once. Returns (usage, newly recorded)."""
    if booking.status == "completed":
        return usage_of(session, booking.id), False
    needs_check_in = booking.check_in_by is not None
    if booking.status != "checked_in" and not (booking.status == "confirmed" and not needs_check_in):
        raise rule_broken("booking_id", f"a {booking.status} booking cannot be checked out")
    if now < booking.starts_at:
        raise rule_broken("booking_id", "the booking has not started: cancel it instead")
    return finish(session, booking, now, now), True


@dataclass
class SweepResult:
    released: list[Booking] = field(default_factory=list)
    usages: list[Usage] = field(default_factory=list)


def sweep(session: Session, now: dt.datetime, limit: int = 500) -> SweepResult:
    """Release no-shows and expired requests; close bookings whose end has passed.

    Rows are locked and skipped when another instance holds them, and each is re-checked by
    its status, so running the sweep twice (or in two processes) has one effect.
    """
    result = SweepResult()
    due = select(Booking).where(or_(
        and_(Booking.status == "confirmed", Booking.check_in_by.is_not(None),
             Booking.check_in_by <= now),
        and_(Booking.status == "pending", Booking.starts_at <= now),
        and_(Booking.status == "checked_in", Booking.ends_at <= now),
        and_(Booking.status == "confirmed", Booking.check_in_by.is_(None), Booking.ends_at <= now),
    )).order_by(Booking.ends_at).limit(limit).with_for_update(skip_locked=True)
    for booking in session.scalars(due):
        if booking.status == "pending" or (booking.status == "confirmed" and booking.check_in_by):
            booking.release_reason = "not_approved" if booking.status == "pending" else "no_show"
            booking.status = "released"
            result.released.append(booking)
        else:
            result.usages.append(finish(session, booking, booking.ends_at, now))
    session.flush()
    return result
