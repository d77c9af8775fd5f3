"""Billing tables: the member projection, activities and their ledger, clients, invoices and
credit notes, number series, payments, expenses, salary payouts, the guarantee fund."""
import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    JSON,
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

from shared.db import BigId, make_base
from shared.parameters import parameter_models
from shared.standing import MemberStandingColumns

Base = make_base()

MONEY = Numeric(14, 2)
QUANTITY = Numeric(14, 4)


class MemberStanding(MemberStandingColumns, Base):
    """Projection of membership events: who may use the cooperative's services (shared.standing)."""

    __tablename__ = "members"


Parameter, ParameterVersion = parameter_models(Base)


class Activity(Base):
    """A member's budget account inside the cooperative."""

    __tablename__ = "activities"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(36), index=True)
    name: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(8))  # open, closed
    opened_on: Mapped[dt.date] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class LedgerEntry(Base):
    """A dated movement of an activity's money; (kind, reference) happens once."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        UniqueConstraint("kind", "reference"),
        Index("ix_ledger_entries_activity_date", "activity_id", "entry_date"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    activity_id: Mapped[str] = mapped_column(ForeignKey("activities.id"))
    entry_date: Mapped[dt.date] = mapped_column(Date)
    # turnover, fee, fee_reversal, expense, salary_cost, resource_usage,
    # guarantee_advance, guarantee_repayment
    kind: Mapped[str] = mapped_column(String(24))
    amount: Mapped[Decimal] = mapped_column(MONEY)  # signed: credit > 0, debit < 0
    reference: Mapped[str] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Client(Base):
    __tablename__ = "clients"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # company, person
    name: Mapped[str] = mapped_column(String(200))
    vat_number: Mapped[str | None] = mapped_column(String(20))
    enterprise_number: Mapped[str | None] = mapped_column(String(10))
    endpoint_scheme: Mapped[str | None] = mapped_column(String(4))
    endpoint_id: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(254))
    street: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(16))
    country: Mapped[str] = mapped_column(String(2))
    registered_by: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class NumberSeries(Base):
    """The last number given in a series and year, taken under a row lock: gapless."""

    __tablename__ = "number_series"

    series: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Invoice(Base):
    """An invoice or a credit note (``document_type``); a draft has no number."""

    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("series", "year", "sequence"),
        Index("ix_invoices_status_due", "status", "due_date"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    document_type: Mapped[str] = mapped_column(String(12))  # invoice, credit_note
    activity_id: Mapped[str] = mapped_column(ForeignKey("activities.id"), index=True)
    member_id: Mapped[str] = mapped_column(String(36))
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"))
    credited_invoice_id: Mapped[str | None] = mapped_column(ForeignKey("invoices.id"))
    # draft, issued, partially_paid, paid, credited, written_off
    status: Mapped[str] = mapped_column(String(16))
    series: Mapped[str | None] = mapped_column(String(8))
    year: Mapped[int | None] = mapped_column(Integer)
    sequence: Mapped[int | None] = mapped_column(Integer)
    number: Mapped[str | None] = mapped_column(String(32), unique=True)
    payment_reference: Mapped[str | None] = mapped_column(String(12), unique=True)
    issue_date: Mapped[dt.date | None] = mapped_column(Date)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    payment_terms_days: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    buyer_reference: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    total_net: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    total_vat: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    total_gross: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    fee_rate: Mapped[Decimal | None] = mapped_column(Numeric(6, 4))
    fee: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))  # on a credit note: reversed
    credited_net: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    credited_gross: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    fee_reversed: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    amount_paid: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    turnover_credited: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    reminder_level: Mapped[int] = mapped_column(Integer, default=0)
    paid_on: Mapped[dt.date | None] = mapped_column(Date)
    written_off_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    issued_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    lines: Mapped[list["InvoiceLine"]] = relationship(
        order_by="InvoiceLine.position", lazy="selectin", cascade="all, delete-orphan")
    vat_breakdown: Mapped[list["InvoiceVat"]] = relationship(
        order_by="InvoiceVat.id", lazy="selectin", cascade="all, delete-orphan")

    @property
    def outstanding(self) -> Decimal:
        return self.total_gross - self.credited_gross - self.amount_paid


class InvoiceLine(Base):
    __tablename__ = "invoice_lines"
    __table_args__ = (
        UniqueConstraint("invoice_id", "position"),
        CheckConstraint("quantity > 0", name="positive_quantity"),
        CheckConstraint("unit_price >= 0", name="non_negative_price"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"))
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    unit_code: Mapped[str] = mapped_column(String(3), default="C62")
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    vat_category: Mapped[str] = mapped_column(String(2))
    vat_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    exemption_reason: Mapped[str | None] = mapped_column(String(200))
    net: Mapped[Decimal] = mapped_column(MONEY)


class InvoiceVat(Base):
    """Base and VAT per category and rate, fixed when the document is issued."""

    __tablename__ = "invoice_vat"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"), index=True)
    category: Mapped[str] = mapped_column(String(2))
    rate: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    base: Mapped[Decimal] = mapped_column(MONEY)
    vat: Mapped[Decimal] = mapped_column(MONEY)
    exemption_reason: Mapped[str | None] = mapped_column(String(200))


class Payment(Base):
    """Money received; matched to an invoice or waiting in the unmatched queue."""

    __tablename__ = "payments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    value_date: Mapped[dt.date] = mapped_column(Date)
    # the bank's own reference of the entry (camt.053 AcctSvcrRef/NtryRef): imported once
    bank_reference: Mapped[str | None] = mapped_column(String(64), unique=True)
    structured_reference: Mapped[str | None] = mapped_column(String(12))
    communication: Mapped[str | None] = mapped_column(String(140))
    invoice_id: Mapped[str | None] = mapped_column(ForeignKey("invoices.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), index=True)  # matched, unmatched
    applied: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    excess: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Reminder(Base):
    """A dunning reminder; one per invoice and level."""

    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("invoice_id", "level"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"))
    level: Mapped[int] = mapped_column(Integer)
    sent_on: Mapped[dt.date] = mapped_column(Date)


class Expense(Base):
    __tablename__ = "expenses"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    activity_id: Mapped[str] = mapped_column(ForeignKey("activities.id"), index=True)
    member_id: Mapped[str] = mapped_column(String(36))
    expense_date: Mapped[dt.date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(12))  # goods, services, investment
    description: Mapped[str] = mapped_column(String(200))
    supplier: Mapped[str | None] = mapped_column(String(200))
    receipt_reference: Mapped[str | None] = mapped_column(String(200))
    net: Mapped[Decimal] = mapped_column(MONEY)
    vat: Mapped[Decimal] = mapped_column(MONEY)
    deductible_vat: Mapped[Decimal] = mapped_column(MONEY)
    status: Mapped[str] = mapped_column(String(10))  # submitted, approved, rejected
    submitted_on: Mapped[dt.date] = mapped_column(Date)
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(36))
    decision_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat

    @property
    def cost(self) -> Decimal:
        """What the activity bears: the VAT the cooperative deducts comes back to it."""
        return self.net + self.vat - self.deductible_vat


class SalaryPayout(Base):
    __tablename__ = "salary_payouts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    activity_id: Mapped[str] = mapped_column(ForeignKey("activities.id"), index=True)
    member_id: Mapped[str] = mapped_column(String(36))
    work_dates: Mapped[list] = mapped_column(JSON)
    first_work_date: Mapped[dt.date] = mapped_column(Date)
    last_work_date: Mapped[dt.date] = mapped_column(Date)
    worker_category: Mapped[str] = mapped_column(String(16))
    pay_date: Mapped[dt.date] = mapped_column(Date)
    employment_budget: Mapped[Decimal] = mapped_column(MONEY)
    gross: Mapped[Decimal] = mapped_column(MONEY)
    employee_contributions: Mapped[Decimal] = mapped_column(MONEY)
    withholding_tax: Mapped[Decimal] = mapped_column(MONEY)
    net: Mapped[Decimal] = mapped_column(MONEY)
    employer_contributions: Mapped[Decimal] = mapped_column(MONEY)
    employer_cost: Mapped[Decimal] = mapped_column(MONEY)
    advanced: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    status: Mapped[str] = mapped_column(String(10))  # approved
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class FundEntry(Base):
    """The guarantee fund's ledger: advances against an invoice, repayments, losses."""

    __tablename__ = "fund_entries"
    __table_args__ = (UniqueConstraint("kind", "reference", "invoice_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    entry_date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(12))  # advance, repayment, loss
    amount: Mapped[Decimal] = mapped_column(MONEY)  # positive; the kind says which way
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"), index=True)
    activity_id: Mapped[str] = mapped_column(ForeignKey("activities.id"))
    reference: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class RecurringInvoice(Base):
    """A template billed every month or quarter from ``start_date`` until ``end_date``."""

    __tablename__ = "recurring_invoices"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    activity_id: Mapped[str] = mapped_column(ForeignKey("activities.id"), index=True)
    member_id: Mapped[str] = mapped_column(String(36))
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"))
    frequency: Mapped[str] = mapped_column(String(10))  # monthly, quarterly
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    payment_terms_days: Mapped[int | None] = mapped_column(Integer)
    buyer_reference: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    lines: Mapped[list["RecurringInvoiceLine"]] = relationship(
        order_by="RecurringInvoiceLine.position", lazy="selectin", cascade="all, delete-orphan")


class RecurringInvoiceLine(Base):
    __tablename__ = "recurring_invoice_lines"
    __table_args__ = (UniqueConstraint("template_id", "position"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    template_id: Mapped[str] = mapped_column(ForeignKey("recurring_invoices.id"))
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    unit_code: Mapped[str] = mapped_column(String(3), default="C62")
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    vat_category: Mapped[str] = mapped_column(String(2))
    vat_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    exemption_reason: Mapped[str | None] = mapped_column(String(200))


class RecurringIssue(Base):
    """The invoice a template produced for a period: once per template and period."""

    __tablename__ = "recurring_issues"

    template_id: Mapped[str] = mapped_column(ForeignKey("recurring_invoices.id"), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)  # 2026-11
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"), unique=True)


class LockedPeriod(Base):
    """A closed period: ledger entries dated in it are refused. ``activity_id`` NULL locks
    the period for every activity."""

    __tablename__ = "locked_periods"
    __table_args__ = (UniqueConstraint("activity_id", "period"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    activity_id: Mapped[str | None] = mapped_column(ForeignKey("activities.id"))
    period: Mapped[str] = mapped_column(String(7), index=True)
    locked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class PeriodStatement(Base):
    """An activity's closed period: opening balance, movements, closing balance. Its unique
    (activity, period) records that the activity's month-end was done."""

    __tablename__ = "period_statements"
    __table_args__ = (UniqueConstraint("activity_id", "period"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    activity_id: Mapped[str] = mapped_column(ForeignKey("activities.id"))
    period: Mapped[str] = mapped_column(String(7), index=True)
    run_id: Mapped[str] = mapped_column(String(36))
    opening_balance: Mapped[Decimal] = mapped_column(MONEY)
    credits: Mapped[Decimal] = mapped_column(MONEY)
    debits: Mapped[Decimal] = mapped_column(MONEY)
    closing_balance: Mapped[Decimal] = mapped_column(MONEY)
    entries: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class MonthEndRun(Base):
    """One closing run per period."""

    __tablename__ = "month_end_runs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), unique=True)
    status: Mapped[str] = mapped_column(String(10))  # running, finished
    chunks_total: Mapped[int] = mapped_column(Integer)
    chunks_done: Mapped[int] = mapped_column(Integer, default=0)
    activities_total: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    started_by: Mapped[str | None] = mapped_column(String(36))


class MonthEndChunk(Base):
    __tablename__ = "month_end_chunks"

    run_id: Mapped[str] = mapped_column(ForeignKey("month_end_runs.id"), primary_key=True)
    chunk_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    activities: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(8))  # pending, done
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
