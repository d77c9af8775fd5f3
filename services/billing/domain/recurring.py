"""Recurring invoice templates: billed monthly or quarterly from a start date until an end
date. The month-end run drafts the invoices due in a period in bulk and issues them with one
block of numbers (``invoices.issue_bulk``)."""
import datetime as dt
import uuid
from types import SimpleNamespace

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from services.billing.domain import activities, clients, invoices, members, periods
from services.billing.domain.closing import is_due
from services.billing.models import RecurringInvoice, RecurringInvoiceLine
from shared import clock
from shared.clock import utcnow
from shared.errors import NotFound, rule_broken


def create(session: Session, data: dict, today: dt.date | None = None) -> RecurringInvoice:
    activity = activities.get_open(session, data["activity_id"])
    members.require_good_standing(session, activity.member_id, today or clock.today())
    clients.get(session, data["client_id"])
    if not data.get("lines"):
        raise rule_broken("lines", "a recurring invoice needs at least one line")
    if data.get("end_date") and data["end_date"] < data["start_date"]:
        raise rule_broken("end_date", "the end date is before the start date")
    # the same line rules as an invoice's: checked by building a draft that is never stored
    probe = invoices._new_document(document_type="invoice", status="draft", payment_terms_days=0)
    for line in data["lines"]:
        invoices._append_line(probe, line)  # the lines' rules and nets
    template = RecurringInvoice(
        id=str(uuid.uuid4()), activity_id=activity.id, member_id=activity.member_id,
        client_id=data["client_id"], frequency=data["frequency"], start_date=data["start_date"],
        end_date=data.get("end_date"), payment_terms_days=data.get("payment_terms_days"),
        buyer_reference=data.get("buyer_reference"), note=data.get("note"), created_at=utcnow(),
        lines=[RecurringInvoiceLine(
            position=ln.position, description=ln.description, quantity=ln.quantity,
            unit_code=ln.unit_code, unit_price=ln.unit_price, vat_category=ln.vat_category,
            vat_rate=ln.vat_rate, exemption_reason=ln.exemption_reason) for ln in probe.lines])
    session.add(template)
    return template


def get(session: Session, template_id: str) -> RecurringInvoice:
    found = session.get(RecurringInvoice, template_id)
    if found is None:
        raise NotFound(f"no recurring invoice {template_id}", {"recurring_invoice_id": ["unknown"]})
    return found


def list_templates(session: Session, filters: dict, limit: int, offset: int) -> list[RecurringInvoice]:
    query = select(RecurringInvoice)
    for name in ("activity_id", "member_id", "client_id"):
        if filters.get(name):
            query = query.where(getattr(RecurringInvoice, name) == filters[name])
    return list(session.execute(query.order_by(RecurringInvoice.created_at, RecurringInvoice.id)
                                .limit(limit).offset(offset)).scalars())


def due_in(session: Session, activity_ids: list[str], period: str) -> list[SimpleNamespace]:
    """The templates of these activities due in ``period``, as plain read-only objects with the
    templates' attributes and their ``lines`` (two Core queries: month-end reads thousands)."""
    first, last = periods.parse_period(period)
    templates = RecurringInvoice.__table__
    rows = session.execute(select(templates).where(
        templates.c.activity_id.in_(activity_ids), templates.c.start_date <= last,
        or_(templates.c.end_date.is_(None), templates.c.end_date >= first))
        .order_by(templates.c.activity_id, templates.c.created_at, templates.c.id)).mappings()
    found = [SimpleNamespace(**row, lines=[]) for row in rows]
    found = [t for t in found if is_due(t, period)]
    if found:
        by_id = {t.id: t for t in found}
        lines = RecurringInvoiceLine.__table__
        for line in session.execute(select(lines).where(lines.c.template_id.in_(list(by_id)))
                                    .order_by(lines.c.template_id, lines.c.position)).mappings():
            by_id[line["template_id"]].lines.append(SimpleNamespace(**line))
    return found


def draft(template: RecurringInvoice, period: str, payment_terms_days: int) -> dict:
    """The period's invoice of a template, as the data ``invoices.issue_bulk`` issues."""
    return {
        "activity_id": template.activity_id, "member_id": template.member_id,
        "client_id": template.client_id, "buyer_reference": template.buyer_reference,
        "note": template.note or f"Period {period}",
        "payment_terms_days": template.payment_terms_days if template.payment_terms_days is not None
        else payment_terms_days,
        "lines": [{"description": ln.description, "quantity": ln.quantity, "unit_code": ln.unit_code,
                   "unit_price": ln.unit_price, "vat_category": ln.vat_category, "vat_rate": ln.vat_rate,
                   "exemption_reason": ln.exemption_reason} for ln in template.lines]}
