"""Read models: free intervals per unit, a member's bookings, utilisation per resource."""
import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session

from services.resources.domain.catalogue import get_resource
from services.resources.domain.usage import hours_between
from services.resources.models import HOLDING_STATES, Blackout, Booking, Resource, Usage
from shared.money import round_cents

Interval = tuple[dt.datetime, dt.datetime]
# above this many units, SQLite scans the overlap instead of looking up each unit's latest booking
STRADDLING_UNITS_MAX = 16


def _overlapping(session: Session, start_col, end_col, start: dt.datetime, end: dt.datetime):
    """Rows whose [start_col, end_col) meets [start, end). On PostgreSQL the range test lets
    the no-overlap constraint's GiST index answer it."""
    if session.get_bind().dialect.name == "postgresql":
        return func.tstzrange(start_col, end_col).op("&&")(func.tstzrange(start, end))
    return (start_col < end) & (end_col > start)


def availability(session: Session, resource_id: str, start: dt.datetime, end: dt.datetime) -> dict:
    """Per unit, the intervals in [start, end) where a booking could be placed: free of other
    bookings (with their buffers) and blackouts, and leaving this resource's buffer before
    whatever comes next."""
    resource = get_resource(session, resource_id)
    units = {u: [] for u in range(1, resource.units + 1)}
    if resource.status != "available":
        units = {u: [(start, end)] for u in units}
    else:
        for unit, b_start, b_end in session.execute(_blocks(session, resource, start, end)):
            for target in (units if unit is None else [unit]):
                units.setdefault(target, []).append((b_start, b_end))
    buffer = dt.timedelta(minutes=resource.buffer_minutes)
    return {
        "resource_id": resource.id, "status": resource.status, "from": start, "to": end,
        "units": [{"unit": unit, "free": [{"start": s, "end": e}
                                          for s, e in free_intervals(blocks, start, end, buffer)]}
                  for unit, blocks in sorted(units.items()) if unit <= resource.units],
    }


def _blocks(session: Session, resource: Resource, start: dt.datetime, end: dt.datetime):
    """Bookings (with their buffers) and blackouts (unit None: every unit) meeting the window,
    in one round trip."""
    blackouts = select(Blackout.unit, Blackout.starts_at, Blackout.ends_at).where(
        Blackout.resource_id == resource.id, Blackout.starts_at < end, Blackout.ends_at > start)
    return union_all(*_bookings_meeting(session, resource, start, end), blackouts)


def _bookings_meeting(session: Session, resource: Resource, start: dt.datetime, end: dt.datetime):
    columns = (Booking.unit, Booking.blocked_start.label("b_start"), Booking.blocked_end.label("b_end"))
    holding = (Booking.resource_id == resource.id, Booking.status.in_(HOLDING_STATES))
    if session.get_bind().dialect.name == "postgresql" or resource.units > STRADDLING_UNITS_MAX:
        return [select(*columns).where(
            *holding, _overlapping(session, Booking.blocked_start, Booking.blocked_end, start, end))]
    # A unit's holding bookings never overlap (the database sees to it), so those meeting the
    # window start inside it, but for at most one per unit that started before: two short
    # index ranges instead of a scan from the resource's first booking.
    inside = select(*columns).where(*holding, Booking.blocked_start >= start, Booking.blocked_start < end)
    latest_before = [
        select(*columns).where(*holding, Booking.unit == unit, Booking.blocked_start < start)
        .order_by(Booking.blocked_start.desc()).limit(1).subquery()
        for unit in range(1, resource.units + 1)]
    return [inside, *(select(*before.c).where(before.c.b_end > start) for before in latest_before)]


def free_intervals(blocks: list[Interval], start: dt.datetime, end: dt.datetime,
                   buffer: dt.timedelta) -> list[Interval]:
    free, cursor = [], start
    for b_start, b_end in sorted(blocks):
        if b_start > cursor:
            usable_end = min(b_start, end) - buffer if b_start < end else end
            if usable_end > cursor:
                free.append((cursor, usable_end))
        cursor = max(cursor, b_end)
        if cursor >= end:
            break
    if cursor < end:
        free.append((cursor, end))
    return free


def member_bookings(session: Session, member_id: str, start: dt.datetime | None,
                    end: dt.datetime | None, limit: int, offset: int) -> list[Booking]:
    query = select(Booking).where(Booking.member_id == member_id)
    if start is not None:
        query = query.where(Booking.ends_at > start)
    if end is not None:
        query = query.where(Booking.starts_at < end)
    return list(session.scalars(query.order_by(Booking.starts_at, Booking.id).limit(limit).offset(offset)))


def _clipped_hours(start, end, period_start, period_end) -> Decimal:
    return hours_between(max(start, period_start), min(end, period_end))


def utilisation_report(session: Session, resource_id: str | None, start: dt.datetime,
                       end: dt.datetime) -> list[dict]:
    """Per resource over [start, end): hours available (units x period - blackouts), booked,
    used, the share used, and what usage was charged."""
    query = select(Resource).order_by(Resource.kind, Resource.name, Resource.id)
    if resource_id is not None:
        query = query.where(Resource.id == get_resource(session, resource_id).id)
    return [_utilisation(session, resource, start, end) for resource in session.scalars(query)]


def _utilisation(session: Session, resource: Resource, start: dt.datetime, end: dt.datetime) -> dict:
    blackouts = session.execute(select(Blackout.unit, Blackout.starts_at, Blackout.ends_at).where(
        Blackout.resource_id == resource.id, Blackout.starts_at < end, Blackout.ends_at > start)).all()
    blacked = sum((_clipped_hours(s, e, start, end) * (resource.units if unit is None else 1)
                   for unit, s, e in blackouts), Decimal(0))
    capacity = hours_between(start, end) * resource.units - blacked
    bookings = session.execute(select(Booking.status, Booking.starts_at, Booking.ends_at,
                                      Booking.late_cancellation).where(
        Booking.resource_id == resource.id, Booking.starts_at < end, Booking.ends_at > start)).all()
    booked = sum((_clipped_hours(s, e, start, end) for status, s, e, _ in bookings
                  if status in ("confirmed", "checked_in", "completed")), Decimal(0))
    usages = session.execute(select(Usage.started_at, Usage.ended_at, Usage.amount).where(
        Usage.resource_id == resource.id, Usage.started_at < end, Usage.ended_at >= start)).all()
    used = sum((_clipped_hours(s, e, start, end) for s, e, _ in usages), Decimal(0))
    counts = {}
    for status, _, _, late in bookings:
        key = "late_cancelled" if late else status
        counts[key] = counts.get(key, 0) + 1
    return {
        "resource_id": resource.id, "kind": resource.kind, "units": resource.units,
        "from": start, "to": end,
        "capacity_hours": round_cents(capacity), "booked_hours": round_cents(booked),
        "used_hours": round_cents(used),
        "utilisation": (used / capacity).quantize(Decimal("0.0001")) if capacity > 0 else Decimal(0),
        "charged": round_cents(sum((amount for _, _, amount in usages), Decimal(0))),
        "bookings_by_status": counts,
    }
