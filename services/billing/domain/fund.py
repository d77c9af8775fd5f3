"""The guarantee fund: it advances an activity's salary money against the activity's issued,
unpaid, not overdue invoices; the client's payment repays it; a write-off leaves it the loss."""
import datetime as dt
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from services.billing.domain import activities
from services.billing.models import FundEntry, Invoice
from shared.clock import utcnow
from shared.errors import rule_broken

ZERO = Decimal("0.00")
SIGN = {"advance": 1, "repayment": -1, "loss": -1}


def outstanding_by_invoice(session: Session, invoice_ids) -> dict[str, Decimal]:
    signed = case((FundEntry.kind == "advance", FundEntry.amount), else_=-FundEntry.amount)
    rows = session.execute(select(FundEntry.invoice_id, func.sum(signed))
                           .where(FundEntry.invoice_id.in_(list(invoice_ids)))
                           .group_by(FundEntry.invoice_id)).all()
    return {invoice_id: Decimal(total) for invoice_id, total in rows}


def outstanding(session: Session, invoice_id: str) -> Decimal:
    return outstanding_by_invoice(session, [invoice_id]).get(invoice_id, ZERO)


def _future_turnover(invoice: Invoice) -> Decimal:
    return invoice.total_net - invoice.credited_net - invoice.turnover_credited


def backing(session: Session, activity_id: str, today: dt.date) -> list[tuple[Invoice, Decimal]]:
    """Issued, unpaid, not overdue invoices and how much more each can still back."""
    invoices = session.execute(select(Invoice).where(
        Invoice.activity_id == activity_id, Invoice.document_type == "invoice",
        Invoice.status.in_(("issued", "partially_paid")), Invoice.due_date >= today)
        .order_by(Invoice.due_date, Invoice.number).with_for_update()).scalars().all()
    advanced = outstanding_by_invoice(session, [i.id for i in invoices])
    return [(i, _future_turnover(i) - advanced.get(i.id, ZERO)) for i in invoices]


def advance(session: Session, activity_id: str, amount: Decimal, today: dt.date, reference: str) -> None:
    """Advance ``amount`` to the activity, spread over the invoices that back it."""
    capacity = backing(session, activity_id, today)
    if sum((room for _, room in capacity), ZERO) < amount:
        raise rule_broken("amount", "the activity's budget is short and its issued, unpaid, "
                                    "not overdue invoices do not cover the difference")
    left = amount
    for invoice, room in capacity:
        part = min(room, left)
        if part <= 0:
            continue
        _entry(session, "advance", part, invoice, today, reference)
        left -= part
        if left == 0:
            break
    activities.post(session, activity_id, today, "guarantee_advance", amount, reference,
                    "advance from the guarantee fund")


def repay(session: Session, invoice: Invoice, received: Decimal, today: dt.date, reference: str) -> Decimal:
    """The client paid: the fund takes back its advance on that invoice first."""
    due = outstanding(session, invoice.id)
    amount = min(due, received)
    if amount > 0:
        _entry(session, "repayment", amount, invoice, today, reference)
        activities.post(session, invoice.activity_id, today, "guarantee_repayment", -amount,
                        reference, f"guarantee fund repaid from {invoice.number}")
    return amount


def recover_uncollectible(session: Session, invoice: Invoice, today: dt.date, reference: str) -> None:
    """A credit note cancelled part of an invoice that backs an advance: the activity repays it."""
    excess = outstanding(session, invoice.id) - max(_future_turnover(invoice), ZERO)
    if excess > 0:
        _entry(session, "repayment", excess, invoice, today, reference)
        activities.post(session, invoice.activity_id, today, "guarantee_repayment", -excess,
                        reference, f"advance on credited {invoice.number}")


def absorb_loss(session: Session, invoice: Invoice, today: dt.date) -> Decimal:
    """The invoice is written off: what the fund advanced on it is its loss."""
    loss = outstanding(session, invoice.id)
    if loss > 0:
        _entry(session, "loss", loss, invoice, today, f"write-off:{invoice.id}")
    return loss


def _entry(session, kind, amount, invoice, today, reference):
    session.add(FundEntry(entry_date=today, kind=kind, amount=amount, invoice_id=invoice.id,
                          activity_id=invoice.activity_id, reference=reference, created_at=utcnow()))


def status(session: Session) -> dict:
    rows = dict(session.execute(select(FundEntry.kind, func.sum(FundEntry.amount))
                                .group_by(FundEntry.kind)).all())
    advanced, repaid, lost = (Decimal(rows.get(k) or 0) for k in ("advance", "repayment", "loss"))
    entries = session.execute(select(FundEntry).order_by(FundEntry.id.desc()).limit(50)).scalars().all()
    return {"advanced": advanced, "repaid": repaid, "losses": lost,
            "outstanding": advanced - repaid - lost, "entries": entries}
