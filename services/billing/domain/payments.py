"""Payments: matched on the structured communication, partial, over- and unmatched payments."""
import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.billing.domain import Emit, activities, camt, fund, invoices
from services.billing.domain.totals import proportional
from services.billing.models import Invoice, Payment
from shared.clock import utcnow
from shared.errors import Conflict, NotFound, rule_broken

ZERO = Decimal("0.00")


def record(session: Session, data: dict, today: dt.date) -> tuple[Payment, list[Emit]]:
    """Record money received; match it to the invoice named or carrying its reference."""
    reference = data.get("structured_reference")
    if reference is not None:
        reference = "".join(ch for ch in reference if ch.isdigit())
        if not camt.valid_ogm(reference):
            raise rule_broken("structured_reference", "not a valid structured communication")
    invoice = None
    if data.get("invoice_id"):
        invoice = invoices.get(session, data["invoice_id"], lock=True)
    elif reference:
        invoice = _by_reference(session, reference)
    payment = Payment(id=str(uuid.uuid4()), amount=data["amount"], value_date=data["value_date"],
                      bank_reference=data.get("bank_reference"), structured_reference=reference,
                      communication=data.get("communication"), status="unmatched",
                      created_at=utcnow())
    session.add(payment)
    events = [Emit("payment_received", {"payment_id": payment.id, "amount": payment.amount,
                                        "value_date": payment.value_date,
                                        "invoice_id": invoice.id if invoice else None}, payment.id)]
    if invoice is not None:
        events += _apply(session, payment, invoice)
    return payment, events


def _by_reference(session: Session, reference: str) -> Invoice | None:
    return session.execute(select(Invoice).where(Invoice.payment_reference == reference)
                           .with_for_update()).scalar()


def match(session: Session, payment_id: str, invoice_id: str) -> tuple[Payment, list[Emit]]:
    """Match a payment from the unmatched queue to an invoice, by hand."""
    payment = session.get(Payment, payment_id, with_for_update=True)
    if payment is None:
        raise NotFound(f"no payment {payment_id}", {"payment_id": ["unknown payment"]})
    if payment.status != "unmatched":
        raise Conflict("the payment is already matched", {"payment_id": ["already matched"]})
    invoice = invoices.get(session, invoice_id, lock=True)
    events = _apply(session, payment, invoice)
    return payment, [Emit("payment_matched", {"payment_id": payment.id, "invoice_id": invoice.id,
                                              "amount": payment.amount}, payment.id)] + events


def _apply(session: Session, payment: Payment, invoice: Invoice) -> list[Emit]:
    if invoice.document_type != "invoice" or invoice.status == "draft":
        raise rule_broken("invoice_id", "a payment is matched to an issued invoice")
    payment.invoice_id = invoice.id
    payment.status = "matched"
    open_now = invoice.status in invoices.OPEN_STATES
    payment.applied = min(payment.amount, invoice.outstanding) if open_now else ZERO
    payment.excess = payment.amount - payment.applied
    if payment.applied == 0:
        return []
    invoice.amount_paid += payment.applied
    turnover = _turnover_share(invoice, payment.applied)
    invoice.turnover_credited += turnover
    activities.post(session, invoice.activity_id, payment.value_date, "turnover", turnover,
                    payment.id, f"payment of {invoice.number}")
    fund.repay(session, invoice, turnover, payment.value_date, payment.id)
    if invoice.outstanding > 0:
        invoice.status = "partially_paid"
        return []
    invoice.status, invoice.paid_on = "paid", payment.value_date
    return [invoices.paid_event(invoice)]


def _turnover_share(invoice: Invoice, applied: Decimal) -> Decimal:
    """The part of a payment that is the activity's turnover (VAT goes to the State); the last
    payment takes the remainder, so the shares add up to the net exactly."""
    collectible = invoice.total_net - invoice.credited_net
    if invoice.outstanding <= 0:
        return collectible - invoice.turnover_credited
    share = proportional(collectible, applied, invoice.total_gross - invoice.credited_gross)
    return min(share, collectible - invoice.turnover_credited)


def import_statement(session: Session, document: bytes | str, today: dt.date):
    """Record every new credit of a camt.053 statement; entries seen before are skipped."""
    statement_id, credits = camt.parse(document)
    known = set(session.execute(select(Payment.bank_reference).where(
        Payment.bank_reference.in_([c.bank_reference for c in credits]))).scalars())
    summary = {"statement_id": statement_id, "entries": len(credits), "duplicates": 0,
               "matched": 0, "partial": 0, "overpaid": 0, "unmatched": 0, "payment_ids": []}
    events: list[Emit] = []
    for credit in credits:
        if credit.bank_reference in known:
            summary["duplicates"] += 1
            continue
        known.add(credit.bank_reference)
        payment, emitted = record(session, {
            "amount": credit.amount, "value_date": credit.value_date,
            "bank_reference": credit.bank_reference, "communication": credit.communication,
            "structured_reference": credit.structured_reference}, today)
        events += emitted
        summary["payment_ids"].append(payment.id)
        summary[_outcome(session, payment)] += 1
    return summary, events


def _outcome(session: Session, payment: Payment) -> str:
    if payment.status == "unmatched":
        return "unmatched"
    if payment.excess > 0:
        return "overpaid"
    invoice = session.get(Invoice, payment.invoice_id)
    return "matched" if invoice.status == "paid" else "partial"


def unmatched(session: Session, limit: int, offset: int) -> list[Payment]:
    return session.execute(select(Payment).where(Payment.status == "unmatched")
                           .order_by(Payment.created_at, Payment.id).limit(limit).offset(offset)).scalars().all()


def get(session: Session, payment_id: str) -> Payment:
    payment = session.get(Payment, payment_id)
    if payment is None:
        raise NotFound(f"no payment {payment_id}", {"payment_id": ["unknown payment"]})
    return payment
