"""Membership tables: members, the share register, roles and dated parameters."""
import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.db import make_base
from shared.parameters import parameter_models

Base = make_base()


class Member(Base):
    __tablename__ = "members"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    member_class: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), index=True)
    # personal data: validated on the way in, blanked on erasure
    first_name: Mapped[str | None] = mapped_column(String(120))
    last_name: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    national_number: Mapped[str | None] = mapped_column(String(11))
    iban: Mapped[str | None] = mapped_column(String(34))
    address: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(32))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    pseudonym: Mapped[str | None] = mapped_column(String(40))
    applied_on: Mapped[dt.date] = mapped_column(Date)
    admitted_on: Mapped[dt.date | None] = mapped_column(Date)
    left_on: Mapped[dt.date | None] = mapped_column(Date)
    status_reason: Mapped[str | None] = mapped_column(Text)
    erased_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    roles: Mapped[list["RoleGrant"]] = relationship(back_populates="member", lazy="selectin")


class ShareRegisterEntry(Base):
    """One movement of the share register; never updated or deleted."""

    __tablename__ = "share_register"
    __table_args__ = (
        CheckConstraint("shares > 0", name="positive_shares"),
        Index("ix_share_register_member_date", "member_id", "effective_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"))
    # subscription, payment, transfer_in, transfer_out, redemption
    kind: Mapped[str] = mapped_column(String(16))
    shares: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    effective_date: Mapped[dt.date] = mapped_column(Date)
    reference: Mapped[str | None] = mapped_column(String(32), index=True)
    counterparty_id: Mapped[str | None] = mapped_column(String(36))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str | None] = mapped_column(String(36))


class MemberStatusChange(Base):
    """A dated decision on a member's status (admission, suspension, resignation...); kept."""

    __tablename__ = "member_status_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    effective_date: Mapped[dt.date] = mapped_column(Date)
    requested_on: Mapped[dt.date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str | None] = mapped_column(String(36))


class RoleGrant(Base):
    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("member_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"))
    role: Mapped[str] = mapped_column(String(16))
    granted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    granted_by: Mapped[str | None] = mapped_column(String(36))

    member: Mapped[Member] = relationship(back_populates="roles")


Parameter, ParameterVersion = parameter_models(Base)


class MemberNumberCounter(Base):
    """One row: the last member number given, taken under a row lock."""

    __tablename__ = "member_number_counter"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)
