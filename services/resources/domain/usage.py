"""What using a resource costs, and the usage record billing charges to the activity."""
import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.resources.models import Booking, Usage
from shared.money import round_cents

HOUR = Decimal(3600)
DAY = Decimal(86400)


def hours_between(start: dt.datetime, end: dt.datetime) -> Decimal:
    return Decimal(max(int((end - start).total_seconds()), 0)) / HOUR


def price_of(start: dt.datetime, end: dt.datetime, per_hour: Decimal | None,
             per_day: Decimal | None) -> Decimal:
    """Whole days at the day price, the rest by the hour but never above a day's price;
    with a day price only, each started day counts. Half-up to the cent."""
    seconds = Decimal(max(int((end - start).total_seconds()), 0))
    if per_day is None:
        return round_cents(seconds / HOUR * (per_hour or 0))
    days, rest = divmod(seconds, DAY)
    if per_hour is None:  # noqa: SIM108  (two prices, two lines)
        rest_price = per_day if rest else Decimal(0)
    else:
        rest_price = min(rest / HOUR * per_hour, per_day)
    return round_cents(days * per_day + rest_price)


def record_usage(session: Session, booking: Booking, started_at: dt.datetime,
                 ended_at: dt.datetime, amount: Decimal, reason: str, now: dt.datetime) -> Usage:
    """One usage per booking (a unique key on booking_id backs the status checks)."""
    usage = Usage(
        id=str(uuid.uuid4()), booking_id=booking.id, resource_id=booking.resource_id,
        member_id=booking.member_id, activity_id=booking.activity_id,
        hours=round_cents(hours_between(started_at, ended_at)), amount=round_cents(amount),
        started_at=started_at, ended_at=ended_at, reason=reason, recorded_at=now,
    )
    session.add(usage)
    session.flush()
    return usage


def usage_of(session: Session, booking_id: str) -> Usage | None:
    return session.execute(select(Usage).where(Usage.booking_id == booking_id)).scalar_one_or_none()


def finish(session: Session, booking: Booking, ended_at: dt.datetime, now: dt.datetime) -> Usage:
    """Close a booking that was used from its start to ``ended_at`` and record what it costs."""
    ended_at = min(max(ended_at, booking.starts_at), booking.ends_at)
    if ended_at < booking.ends_at:
        # leaving early gives the rest of the slot back, keeping the buffer after the use
        booking.blocked_end = ended_at + (booking.blocked_end - booking.ends_at)
    booking.status, booking.checked_out_at = "completed", now
    amount = price_of(booking.starts_at, ended_at, booking.price_per_hour, booking.price_per_day)
    return record_usage(session, booking, booking.starts_at, ended_at, amount, "use", now)
