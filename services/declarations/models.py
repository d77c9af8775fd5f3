"""Declarations tables: dated parameters, payouts seen from billing, declarations and their lines."""
import datetime as dt
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.db import make_base
from shared.parameters import parameter_models, shipped_rows

Base = make_base()


Parameter, ParameterVersion = parameter_models(Base)

SHIPPED_PARAMETERS = Path(__file__).with_name("parameters.yml")


def shipped_parameters() -> list[dict]:
    """The law's figures as shipped in parameters.yml: name, value, effective_from, source."""
    return shipped_rows(SHIPPED_PARAMETERS)


class Payout(Base):
    """A salary payout approved by billing: the employment that Dimona and DmfA declare."""

    __tablename__ = "payouts"

    payout_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(36), index=True)
    activity_id: Mapped[str] = mapped_column(String(36))
    worker_category: Mapped[str] = mapped_column(String(16))
    first_work_date: Mapped[dt.date] = mapped_column(Date)
    last_work_date: Mapped[dt.date] = mapped_column(Date)
    work_days: Mapped[int] = mapped_column(Integer)
    pay_date: Mapped[dt.date] = mapped_column(Date)
    gross: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    employee_contributions: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    withholding_tax: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    net: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    employer_contributions: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    employer_cost: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)


class Declaration(Base):
    """One return or declaration and its life: draft -> ready -> submitted -> accepted/rejected."""

    __tablename__ = "declarations"
    __table_args__ = (
        UniqueConstraint("kind", "period", "reference"),
        Index("ix_declarations_open_due", "status", "due_date"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # dimona, dimona_cancel, dmfa, withholding, vat
    kind: Mapped[str] = mapped_column(String(16))
    # "2026-11" (month) or "2026-Q4" (quarter)
    period: Mapped[str] = mapped_column(String(8))
    # the payout of a Dimona; "" for periodic returns
    reference: Mapped[str] = mapped_column(String(36), default="")
    status: Mapped[str] = mapped_column(String(16))
    due_date: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    ready_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    submitted_by: Mapped[str | None] = mapped_column(String(36))
    submission_reference: Mapped[str | None] = mapped_column(String(80))
    # the file handed to the authority, frozen at submission
    submitted_file: Mapped[str | None] = mapped_column(Text)
    outcome_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    outcome_note: Mapped[str | None] = mapped_column(Text)
    due_alerted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    overdue_alerted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    lines: Mapped[list["DeclarationLine"]] = relationship(
        back_populates="declaration", lazy="raise", order_by="DeclarationLine.id")


class DeclarationLine(Base):
    """One figure a document brings to a declaration (a VAT grid, a wage, a day count).

    Lines are only ever added: a cancelled payout adds the opposite lines, and a document whose
    period is already submitted lands in the next open return, flagged as a regularisation.
    """

    __tablename__ = "declaration_lines"
    __table_args__ = (
        Index("ix_declaration_lines_declaration_code", "declaration_id", "code"),
        UniqueConstraint("declaration_id", "document_kind", "document_id", "code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    declaration_id: Mapped[str] = mapped_column(ForeignKey("declarations.id"))
    code: Mapped[str] = mapped_column(String(32))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    # invoice, credit_note, expense, payout, payout_cancel
    document_kind: Mapped[str] = mapped_column(String(16))
    document_id: Mapped[str] = mapped_column(String(36), index=True)
    member_id: Mapped[str | None] = mapped_column(String(36))
    regime: Mapped[str | None] = mapped_column(String(16))
    period_of: Mapped[str] = mapped_column(String(8))
    regularisation: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    declaration: Mapped[Declaration] = relationship(back_populates="lines")
