"""The catalogue: resources, their status, blackouts, and members' trainings."""
import datetime as dt
import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.resources.models import HOLDING_STATES, Blackout, Booking, Certification, Resource
from shared.errors import Conflict, NotFound, rule_broken


def add_resource(session: Session, data: dict, now: dt.datetime) -> Resource:
    resource = Resource(id=str(uuid.uuid4()), status="available", status_reason=None,
                        created_at=now, **data)
    session.add(resource)
    session.flush()
    return resource


def get_resource(session: Session, resource_id: str, lock: bool = False,
                 share: bool = False) -> Resource:
    query = select(Resource).where(Resource.id == resource_id)
    if lock or share:
        # bookings take a shared lock, catalogue changes an exclusive one: a booking never
        # slips past a blackout or a status change being written at the same moment
        query = query.with_for_update(read=share and not lock)
    resource = session.execute(query).scalar_one_or_none()
    if resource is None:
        raise NotFound(f"no resource {resource_id}")
    return resource


def list_resources(session: Session, kind: str | None, include_retired: bool,
                   limit: int, offset: int) -> list[Resource]:
    query = select(Resource).order_by(Resource.kind, Resource.name, Resource.id)
    if kind:
        query = query.where(Resource.kind == kind)
    if not include_retired:
        query = query.where(Resource.status != "retired")
    return list(session.scalars(query.limit(limit).offset(offset)))


def update_resource(session: Session, resource_id: str, changes: dict, now: dt.datetime) -> Resource:
    resource = get_resource(session, resource_id, lock=True)
    if resource.status == "retired":
        raise rule_broken("resource_id", "a retired resource cannot be changed")
    merged_min = changes.get("min_duration_minutes", resource.min_duration_minutes)
    merged_max = changes.get("max_duration_minutes", resource.max_duration_minutes)
    if merged_min is not None and merged_max is not None and merged_min > merged_max:
        raise rule_broken("max_duration_minutes", "must be at least the minimum duration")
    if "units" in changes and changes["units"] < resource.units:
        highest = session.scalar(select(func.max(Booking.unit)).where(
            Booking.resource_id == resource.id, Booking.status.in_(HOLDING_STATES),
            Booking.ends_at > now))
        if highest is not None and highest > changes["units"]:
            raise Conflict(f"unit {highest} has bookings to come",
                           {"units": [f"unit {highest} is still booked"]})
    if "status" in changes and changes["status"] == "available":
        changes.setdefault("status_reason", None)
    elif "status" in changes and not changes.get("status_reason"):
        raise rule_broken("status_reason", "say why the resource is unavailable")
    for name, value in changes.items():
        setattr(resource, name, value)
    session.flush()
    return resource


def retire_resource(session: Session, resource_id: str, reason: str,
                    now: dt.datetime) -> tuple[Resource, list[Booking]]:
    """Retire a resource; its bookings to come are cancelled free of charge (returned)."""
    resource = get_resource(session, resource_id, lock=True)
    if resource.status == "retired":
        return resource, []
    resource.status, resource.status_reason = "retired", reason
    upcoming = list(session.scalars(select(Booking).where(
        Booking.resource_id == resource.id, Booking.status.in_(("pending", "confirmed")),
        Booking.starts_at > now).with_for_update()))
    for booking in upcoming:
        booking.status, booking.cancelled_at = "cancelled", now
        booking.late_cancellation, booking.cancellation_charge = False, 0
    session.flush()
    return resource, upcoming


def add_blackout(session: Session, data: dict, now: dt.datetime) -> Blackout:
    """Block a slot (maintenance...). Bookings already holding it must be moved first."""
    resource = get_resource(session, data["resource_id"], lock=True)
    unit = data.get("unit")
    if unit is not None and unit > resource.units:
        raise rule_broken("unit", f"the resource has {resource.units} unit(s)")
    clashing = select(Booking.id).where(
        Booking.resource_id == resource.id, Booking.status.in_(HOLDING_STATES),
        Booking.starts_at < data["end"], Booking.ends_at > data["start"])
    if unit is not None:
        clashing = clashing.where(Booking.unit == unit)
    clashes = list(session.scalars(clashing.order_by(Booking.starts_at).limit(50)))
    if clashes:
        raise Conflict("bookings hold part of this slot", {"booking_ids": clashes})
    blackout = Blackout(id=str(uuid.uuid4()), resource_id=resource.id, unit=unit,
                        starts_at=data["start"], ends_at=data["end"], reason=data["reason"],
                        created_at=now)
    session.add(blackout)
    session.flush()
    return blackout


def certify_member(session: Session, member_id: str, training: str, by: str | None,
                   now: dt.datetime) -> Certification:
    """Record a training; certifying twice keeps the first record."""
    existing = session.execute(select(Certification).where(
        Certification.member_id == member_id, Certification.training == training)).scalar_one_or_none()
    if existing is not None:
        return existing
    certification = Certification(member_id=member_id, training=training, certified_at=now,
                                  certified_by=by)
    session.add(certification)
    session.flush()
    return certification


def is_certified(session: Session, member_id: str, training: str) -> bool:
    return session.execute(select(Certification.id).where(
        Certification.member_id == member_id, Certification.training == training)).first() is not None
