"""Dunning: reminders at configurable delays after the due date, then a write-off.

Delays are dated parameters (``dunning_delays``: days after the due date of each reminder
level; ``write_off_after_days``). Each level is sent once per invoice (a unique row), however
many instances run the timer and however often.
"""
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.billing.domain import Emit, fund, invoices
from services.billing.models import Invoice, Reminder
from shared import parameters


def overdue_of(session: Session, activity_ids, today: dt.date) -> list[Invoice]:
    """The open overdue invoices of many activities, locked, in one query."""
    return list(session.execute(select(Invoice).where(
        Invoice.activity_id.in_(activity_ids), Invoice.document_type == "invoice",
        Invoice.status.in_(invoices.OPEN_STATES), Invoice.due_date < today)
        .order_by(Invoice.id).with_for_update()).scalars())


def overdue(session: Session, today: dt.date, limit: int = 1000) -> list[str]:
    return list(session.execute(select(Invoice.id).where(
        Invoice.document_type == "invoice", Invoice.status.in_(invoices.OPEN_STATES),
        Invoice.due_date < today).order_by(Invoice.due_date, Invoice.id).limit(limit)).scalars())


def dun(session: Session, invoice_id: str, today: dt.date) -> list[Emit]:
    """Send the reminder levels reached and not yet sent, or write the invoice off."""
    return dun_locked(session, invoices.get(session, invoice_id, lock=True), today)


def dun_locked(session: Session, invoice: Invoice, today: dt.date) -> list[Emit]:
    """``dun`` for an invoice already locked by the caller (month-end locks a chunk's at once)."""
    if invoice.status not in invoices.OPEN_STATES or invoice.due_date >= today:
        return []
    days = (today - invoice.due_date).days
    delays = parameters.integers(session, "dunning_delays", today)
    if invoice.reminder_level >= len(delays) and \
            days >= parameters.integer(session, "write_off_after_days", today):
        return [write_off(session, invoice, today)]
    reached = sum(1 for delay in delays if days >= delay)
    events = []
    for level in range(invoice.reminder_level + 1, reached + 1):
        session.add(Reminder(invoice_id=invoice.id, level=level, sent_on=today))
        events.append(Emit("invoice_overdue", {
            "invoice_id": invoice.id, "activity_id": invoice.activity_id,
            "due_date": invoice.due_date, "reminder_level": level}, invoice.id))
    invoice.reminder_level = max(invoice.reminder_level, reached)
    return events


def write_off(session: Session, invoice: Invoice, today: dt.date) -> Emit:
    """The client will not pay: the invoice is closed and the fund keeps what it advanced."""
    amount = invoice.outstanding
    invoice.status, invoice.written_off_on = "written_off", today
    fund.absorb_loss(session, invoice, today)
    return Emit("invoice_written_off", {"invoice_id": invoice.id, "activity_id": invoice.activity_id,
                                        "amount": amount, "written_off_on": today}, invoice.id)
