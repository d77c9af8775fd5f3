"""Resources tables: the catalogue, bookings, blackouts, trainings, usage, and the projections
of membership and billing events this service decides with."""
import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import make_base
from shared.standing import MemberStandingColumns

Base = make_base()

# a booking in one of these states holds its unit for its blocked range (the database refuses
# an overlap: exclusion constraint on PostgreSQL, triggers on SQLite; see migration 0001)
HOLDING_STATES = ("pending", "confirmed", "checked_in", "completed")


class UtcDateTime(TypeDecorator):
    """An instant stored in UTC; SQLite keeps no offset, so values read back naive are UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: instants must carry their UTC offset")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Resource(Base):
    """A workspace, room, machine, piece of equipment or vehicle; ``units`` identical ones."""

    __tablename__ = "resources"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16), index=True)
    location: Mapped[str | None] = mapped_column(String(200))
    capacity: Mapped[int] = mapped_column(Integer)
    units: Mapped[int] = mapped_column(Integer)
    price_per_hour: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    price_per_day: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    min_duration_minutes: Mapped[int | None] = mapped_column(Integer)
    max_duration_minutes: Mapped[int | None] = mapped_column(Integer)
    buffer_minutes: Mapped[int] = mapped_column(Integer)
    min_notice_minutes: Mapped[int] = mapped_column(Integer)
    max_notice_days: Mapped[int | None] = mapped_column(Integer)
    approval_required: Mapped[bool] = mapped_column(Boolean)
    training: Mapped[str | None] = mapped_column(String(64))
    weekly_quota_hours: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    cancellation_deadline_hours: Mapped[int | None] = mapped_column(Integer)
    late_cancellation_share: Mapped[Decimal] = mapped_column(Numeric(5, 4))
    no_show_minutes: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    status_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class Booking(Base):
    """One unit of a resource held from ``starts_at`` to ``ends_at`` (plus the buffer after)."""

    __tablename__ = "bookings"
    __table_args__ = (
        # covers the overlap query, so SQLite answers availability from the index alone
        Index("ix_bookings_resource_blocked", "resource_id", "blocked_start", "blocked_end",
              "status", "unit"),
        # finds, per unit, the booking that runs into an availability window (SQLite)
        Index("ix_bookings_resource_unit_start", "resource_id", "unit", "blocked_start"),
        Index("ix_bookings_member_start", "member_id", "starts_at"),
        Index("ix_bookings_status_check_in_by", "status", "check_in_by"),
        Index("ix_bookings_status_ends_at", "status", "ends_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    resource_id: Mapped[str] = mapped_column(ForeignKey("resources.id"))
    unit: Mapped[int] = mapped_column(Integer)
    member_id: Mapped[str] = mapped_column(String(36))
    activity_id: Mapped[str] = mapped_column(String(36))
    series_id: Mapped[str | None] = mapped_column(String(36), index=True)
    starts_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    blocked_start: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    blocked_end: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    # pending, confirmed, checked_in, completed, cancelled, released, rejected
    status: Mapped[str] = mapped_column(String(16))
    check_in_by: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    free_cancellation_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # prices agreed when booking: a later price change does not touch existing bookings
    price_per_hour: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    price_per_day: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    late_cancellation_share: Mapped[Decimal] = mapped_column(Numeric(5, 4))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(36))
    checked_in_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    checked_out_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    late_cancellation: Mapped[bool] = mapped_column(Boolean, default=False)
    cancellation_charge: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    release_reason: Mapped[str | None] = mapped_column(String(32))


class Blackout(Base):
    """A slot where a resource (or one unit of it) cannot be booked: maintenance, event..."""

    __tablename__ = "blackouts"
    __table_args__ = (Index("ix_blackouts_resource_start", "resource_id", "starts_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    resource_id: Mapped[str] = mapped_column(ForeignKey("resources.id"))
    unit: Mapped[int | None] = mapped_column(Integer)
    starts_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class Certification(Base):
    """Staff recorded that a member completed a training (e.g. ``laser-cutter``)."""

    __tablename__ = "certifications"
    __table_args__ = (UniqueConstraint("member_id", "training"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    member_id: Mapped[str] = mapped_column(String(36))
    training: Mapped[str] = mapped_column(String(64))
    certified_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    certified_by: Mapped[str | None] = mapped_column(String(36))


class Usage(Base):
    """What a finished booking (or a late cancellation) costs its activity; one per booking."""

    __tablename__ = "usages"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    booking_id: Mapped[str] = mapped_column(ForeignKey("bookings.id"), unique=True)
    resource_id: Mapped[str] = mapped_column(String(36), index=True)
    member_id: Mapped[str] = mapped_column(String(36))
    activity_id: Mapped[str] = mapped_column(String(36))
    hours: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str] = mapped_column(String(24))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class MemberStanding(MemberStandingColumns, Base):
    """Projection of membership's events: who may book (shared.standing)."""

    __tablename__ = "member_standing"


class ActivityOwner(Base):
    """Projection of billing's activity events: whose activity a booking is charged to."""

    __tablename__ = "activity_owners"

    activity_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(36), index=True)
    open: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
