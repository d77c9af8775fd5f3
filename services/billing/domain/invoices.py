"""Invoices and credit notes: drafts, lines, issuing with a gapless number, crediting."""
import datetime as dt
import uuid
from decimal import Decimal
from types import SimpleNamespace

from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy.orm import Session

from services.billing.domain import Emit, activities, bulk_insert, clients, fetch, fund, members, numbering, periods
from services.billing.domain.totals import CATEGORIES, NEEDS_REASON, ZERO_RATED, compute, fee_of, line_net, proportional
from services.billing.models import Invoice, InvoiceLine, InvoiceVat, LedgerEntry
from shared import parameters
from shared.clock import utcnow
from shared.errors import Conflict, NotFound, ValidationError, rule_broken

ZERO = Decimal("0.00")
OPEN_STATES = ("issued", "partially_paid")
CREDITABLE_STATES = ("issued", "partially_paid", "paid")


def get(session: Session, invoice_id: str, lock: bool = False) -> Invoice:
    invoice = fetch(session, Invoice, invoice_id, lock)
    if invoice is None:
        raise NotFound(f"no invoice {invoice_id}", {"invoice_id": ["unknown invoice"]})
    return invoice


def _new_document(**fields) -> Invoice:
    """A document with its running figures at zero (column defaults only apply at flush)."""
    zeros = {name: ZERO for name in ("total_net", "total_vat", "total_gross", "fee", "credited_net",
                                     "credited_gross", "fee_reversed", "amount_paid", "turnover_credited")}
    return Invoice(id=str(uuid.uuid4()), currency="EUR", reminder_level=0, created_at=utcnow(), lines=[],
                   vat_breakdown=[], **zeros, **fields)


def create(session: Session, data: dict, today: dt.date) -> Invoice:
    activity = activities.get_open(session, data["activity_id"])
    members.require_good_standing(session, activity.member_id, today)
    clients.get(session, data["client_id"])
    terms = data.get("payment_terms_days")
    invoice = _new_document(
        document_type="invoice", activity_id=activity.id, member_id=activity.member_id,
        client_id=data["client_id"], status="draft",
        payment_terms_days=terms if terms is not None else parameters.integer(
            session, "payment_terms_days", today),
        buyer_reference=data.get("buyer_reference"), note=data.get("note"))
    for line in data.get("lines") or []:
        _append_line(invoice, line)
    _refresh_totals(invoice)
    session.add(invoice)
    return invoice


def add_line(session: Session, invoice_id: str, line: dict) -> Invoice:
    invoice = get(session, invoice_id, lock=True)
    if invoice.status != "draft":
        raise Conflict(f"invoice {invoice.number} is issued and never changes",
                       {"invoice_id": ["only a draft takes new lines"]})
    _append_line(invoice, line)
    _refresh_totals(invoice)
    return invoice


def _append_line(document: Invoice, data: dict) -> InvoiceLine:
    check_line(data)
    line = InvoiceLine(
        position=len(document.lines) + 1, description=data["description"],
        quantity=data["quantity"], unit_code=data.get("unit_code") or "C62",
        unit_price=data["unit_price"], vat_category=data["vat_category"], vat_rate=data["vat_rate"],
        exemption_reason=data.get("exemption_reason"),
        net=line_net(data["quantity"], data["unit_price"]))
    document.lines.append(line)
    return line


def check_line(data: dict) -> None:
    """The rules of an invoice line (category, rate, legal mention, quantity, price)."""
    category, rate = data["vat_category"], data["vat_rate"]
    errors = {}
    if category not in CATEGORIES:
        errors["vat_category"] = [f"one of {', '.join(CATEGORIES)}"]
    elif category in ZERO_RATED and rate != 0:
        errors["vat_rate"] = [f"category {category} has a rate of 0"]
    elif category == "S" and rate <= 0:
        errors["vat_rate"] = ["the standard category needs a positive rate"]
    if category in NEEDS_REASON and not data.get("exemption_reason"):
        errors["exemption_reason"] = [f"category {category} needs the legal mention"]
    if data["quantity"] <= 0:
        errors["quantity"] = ["must be positive"]
    if data["unit_price"] < 0:
        errors["unit_price"] = ["must not be negative"]
    if errors:
        raise ValidationError("invalid invoice line", errors)


def _refresh_totals(document: Invoice):
    totals = compute(document.lines)
    document.total_net, document.total_vat, document.total_gross = totals.net, totals.vat, totals.gross
    return totals


def issue(session: Session, invoice_id: str, today: dt.date, series: str) -> tuple[Invoice, list[Emit]]:
    invoice = get(session, invoice_id, lock=True)
    return issue_locked(session, [invoice], today, series)[0], [issued_event(invoice)]


def issue_many(session: Session, invoice_ids: list[str], today: dt.date, series: str):
    """Issue several drafts in one transaction with one block of numbers."""
    found = session.execute(select(Invoice).where(Invoice.id.in_(invoice_ids))
                            .order_by(Invoice.created_at, Invoice.id).with_for_update()).scalars().all()
    missing = set(invoice_ids) - {i.id for i in found}
    if missing:
        raise NotFound(f"no invoice {sorted(missing)[0]}", {"invoice_ids": ["unknown invoice"]})
    issued = issue_locked(session, list(found), today, series)
    return issued, [issued_event(i) for i in issued]


def issue_locked(session: Session, invoices: list[Invoice], today: dt.date, series: str) -> list[Invoice]:
    """Check, total and charge the fee of locked drafts, then number them as the last step,
    so the series row stays locked only for the last writes and the commit."""
    fee_rate = parameters.decimal(session, "fee_rate", today)
    periods.hold(session, {i.activity_id for i in invoices})  # one query for the whole batch
    for invoice in invoices:
        _check_issuable(session, invoice, today)
        totals = _refresh_totals(invoice)
        invoice.vat_breakdown = [InvoiceVat(category=s.category, rate=s.rate, base=s.base, vat=s.vat,
                                            exemption_reason=s.exemption_reason)
                                 for s in totals.breakdown]
        invoice.fee_rate = fee_rate
        invoice.fee = fee_of(invoice.total_net, fee_rate)
        invoice.issue_date = today
        invoice.due_date = today + dt.timedelta(days=invoice.payment_terms_days)
        invoice.status = "issued"
        invoice.issued_at = utcnow()
        activities.post(session, invoice.activity_id, today, "fee", -invoice.fee, invoice.id,
                        "cooperative fee")
    if len(invoices) == 1:
        # one document: write it now, so that only its number is stamped under the lock
        session.flush()
    # a batch reaches the database with its numbers, in one bulk flush after the lock
    with session.no_autoflush:
        first = numbering.allocate(session, series, today.year, len(invoices))
    for offset, invoice in enumerate(invoices):
        invoice.series, invoice.year, invoice.sequence = series, today.year, first + offset
        invoice.number = numbering.format_number(series, today.year, first + offset)
        invoice.payment_reference = numbering.payment_reference(today.year, first + offset)
    session.flush()
    return invoices


def issue_bulk(session: Session, drafts: list[dict], today: dt.date, series: str) -> list[SimpleNamespace]:
    """Issue many new invoices at once, written with bulk inserts (month-end's recurring
    invoices): the same rules as ``issue_locked`` (lines checked, EN 16931 totals, the fee
    debited, the period lock honoured, one block of gapless numbers taken as the last step
    before the writes), without an ORM object per row. The caller has checked that each
    activity is open and its member in good standing. Each draft: activity_id, member_id,
    client_id, payment_terms_days, buyer_reference, note, lines (dicts as for ``create``).
    Returns the issued documents as plain objects that ``issued_event`` reads."""
    documents = prepare_bulk(session, drafts, today)
    write_unnumbered(session, documents)
    number(session, documents, today, series)
    return documents


def prepare_bulk(session: Session, drafts: list[dict], today: dt.date) -> list[SimpleNamespace]:
    """``issue_bulk``'s first step, before the series is locked: lines, totals, fees."""
    if not drafts:
        return []
    fee_rate = parameters.decimal(session, "fee_rate", today)
    now = utcnow()
    documents = []
    for draft in drafts:
        invoice_id = str(uuid.uuid4())
        lines = []
        for position, data in enumerate(draft["lines"], start=1):
            check_line(data)
            line = SimpleNamespace(
                invoice_id=invoice_id, position=position, description=data["description"],
                quantity=data["quantity"], unit_code=data.get("unit_code") or "C62",
                unit_price=data["unit_price"], vat_category=data["vat_category"], vat_rate=data["vat_rate"],
                exemption_reason=data.get("exemption_reason"), net=line_net(data["quantity"], data["unit_price"]))
            lines.append(line)
        if not lines:
            raise rule_broken("lines", "an invoice needs at least one line")
        totals = compute(lines)
        periods.require_open(session, draft["activity_id"], today)  # the fee is posted today
        documents.append(SimpleNamespace(
            id=invoice_id, document_type="invoice", activity_id=draft["activity_id"],
            member_id=draft["member_id"], client_id=draft["client_id"], credited_invoice_id=None,
            status="issued", payment_terms_days=draft["payment_terms_days"], currency="EUR",
            buyer_reference=draft.get("buyer_reference"), note=draft.get("note"),
            total_net=totals.net, total_vat=totals.vat, total_gross=totals.gross, fee_rate=fee_rate,
            fee=fee_of(totals.net, fee_rate), credited_net=ZERO, credited_gross=ZERO, fee_reversed=ZERO,
            amount_paid=ZERO, turnover_credited=ZERO, reminder_level=0, paid_on=None, written_off_on=None,
            issue_date=today, due_date=today + dt.timedelta(days=draft["payment_terms_days"]),
            created_at=now, issued_at=now, series=None, year=today.year, lines=lines,
            vat_breakdown=[SimpleNamespace(invoice_id=invoice_id, category=v.category, rate=v.rate,
                                           base=v.base, vat=v.vat, exemption_reason=v.exemption_reason)
                           for v in totals.breakdown]))
    return documents


def write_unnumbered(session: Session, documents: list[SimpleNamespace]) -> None:
    """``issue_bulk``'s second step, still before the series is locked: the documents, lines,
    VAT subtotals and fee entries written with one bulk insert each, the numbers left empty
    (the transaction is not committed until ``number`` has stamped them)."""
    if not documents:
        return
    now, today = documents[0].issued_at, documents[0].issue_date
    columns = [c.key for c in Invoice.__table__.columns]
    bulk_insert(session, Invoice.__table__, [{c: getattr(d, c, None) for c in columns} for d in documents])
    bulk_insert(session, InvoiceLine.__table__, [vars(line) for d in documents for line in d.lines])
    bulk_insert(session, InvoiceVat.__table__, [vars(v) for d in documents for v in d.vat_breakdown])
    bulk_insert(session, LedgerEntry.__table__, [
        {"activity_id": d.activity_id, "entry_date": today, "kind": "fee", "amount": -d.fee,
         "reference": d.id, "description": "cooperative fee", "created_at": now} for d in documents])


def number(session: Session, documents: list[SimpleNamespace], today: dt.date, series: str) -> None:
    """``issue_bulk``'s last step: one block of gapless numbers, stamped with one UPDATE. The
    series row stays locked until the commit, so this is the transaction's last write."""
    if not documents:
        return
    first = numbering.allocate(session, series, today.year, len(documents))
    for offset, document in enumerate(documents):
        document.series, document.sequence = series, first + offset
        document.number = numbering.format_number(series, today.year, first + offset)
        document.payment_reference = numbering.payment_reference(today.year, first + offset)
    table = Invoice.__table__
    if session.get_bind().dialect.name == "postgresql":
        # one statement with four array parameters: nothing to build or compile per document
        session.execute(text(
            f"UPDATE {table.name} SET series = :series, sequence = numbered.sequence,"
            " number = numbered.number, payment_reference = numbered.payment_reference"
            " FROM unnest(CAST(:ids AS varchar[]), CAST(:sequences AS integer[]),"
            " CAST(:numbers AS varchar[]), CAST(:references AS varchar[]))"
            " AS numbered (id, sequence, number, payment_reference)"
            f" WHERE {table.name}.id = numbered.id"),
            {"series": series, "ids": [d.id for d in documents], "sequences": [d.sequence for d in documents],
             "numbers": [d.number for d in documents],
             "references": [d.payment_reference for d in documents]})
        return
    # SQLite runs in the process: one prepared UPDATE by primary key, executed per document
    session.execute(update(table).where(table.c.id == bindparam("document_id")).values(
        series=series, sequence=bindparam("new_sequence"), number=bindparam("new_number"),
        payment_reference=bindparam("new_reference")).execution_options(synchronize_session=False), [
        {"document_id": d.id, "new_sequence": d.sequence, "new_number": d.number,
         "new_reference": d.payment_reference} for d in documents])


def _check_issuable(session: Session, invoice: Invoice, today: dt.date) -> None:
    if invoice.status != "draft" or invoice.document_type != "invoice":
        raise Conflict(f"invoice {invoice.number or invoice.id} is already issued",
                       {"invoice_id": ["already issued"]})
    if not invoice.lines:
        raise rule_broken("invoice_id", "an invoice needs at least one line")
    activities.get_open(session, invoice.activity_id)
    members.require_good_standing(session, invoice.member_id, today)


def credit(session: Session, invoice_id: str, lines: list[dict] | None, reason: str | None,
           today: dt.date, series: str) -> tuple[Invoice, list[Emit]]:
    """Issue a credit note (whole, or the given lines) against an issued invoice."""
    invoice = get(session, invoice_id, lock=True)
    if invoice.document_type != "invoice" or invoice.status not in CREDITABLE_STATES:
        raise Conflict(f"invoice {invoice.number or invoice.id} cannot be credited ({invoice.status})",
                       {"invoice_id": [f"cannot credit a {invoice.status} document"]})
    remaining = _remaining_bases(session, invoice)
    note = _new_document(
        document_type="credit_note", activity_id=invoice.activity_id, member_id=invoice.member_id,
        client_id=invoice.client_id, credited_invoice_id=invoice.id, status="issued",
        payment_terms_days=0, buyer_reference=invoice.buyer_reference, note=reason)
    for line in lines if lines is not None else _whole_lines(invoice, remaining):
        _append_line(note, line)
    totals = _refresh_totals(note)
    for subtotal in totals.breakdown:
        if subtotal.base > remaining.get((subtotal.category, subtotal.rate), ZERO):
            raise rule_broken("lines", f"credits more than the invoice's remaining base at "
                                       f"{subtotal.category} {subtotal.rate}%")
    note.vat_breakdown = [InvoiceVat(category=s.category, rate=s.rate, base=s.base, vat=s.vat,
                                     exemption_reason=s.exemption_reason) for s in totals.breakdown]
    fully = invoice.credited_net + note.total_net == invoice.total_net
    note.fee = (invoice.fee - invoice.fee_reversed) if fully else proportional(
        invoice.fee, note.total_net, invoice.total_net)
    note.fee_rate = invoice.fee_rate
    invoice.credited_net += note.total_net
    invoice.credited_gross += note.total_gross
    invoice.fee_reversed += note.fee
    note.issue_date = note.due_date = today
    note.issued_at = utcnow()
    if note.fee:
        activities.post(session, invoice.activity_id, today, "fee_reversal", note.fee, note.id,
                        f"fee reversed by credit note on {invoice.number}")
    events = _settle_after_credit(session, invoice, note, today)
    session.add(note)
    session.flush()  # everything but the number is written before the series is locked
    sequence = numbering.allocate(session, series, today.year)
    note.series, note.year, note.sequence = series, today.year, sequence
    note.number = numbering.format_number(series, today.year, sequence)
    session.flush()
    return note, [credit_note_event(note, invoice)] + events


def _settle_after_credit(session: Session, invoice: Invoice, note: Invoice, today: dt.date) -> list[Emit]:
    """A credit note lowers what the client owes; turnover and fund advances follow."""
    collectible = invoice.total_net - invoice.credited_net
    if invoice.turnover_credited > collectible:
        # the client paid more than what is now invoiced: the excess goes back to the client
        refund = invoice.turnover_credited - collectible
        activities.post(session, invoice.activity_id, today, "turnover", -refund, f"refund:{note.id}",
                        f"turnover refunded by credit note on {invoice.number}")
        invoice.turnover_credited = collectible
    fund.recover_uncollectible(session, invoice, today, note.id)
    if invoice.outstanding <= 0 and invoice.status in OPEN_STATES:
        invoice.status = "credited" if invoice.amount_paid == 0 else "paid"
        if invoice.status == "paid":
            invoice.paid_on = today
            return [paid_event(invoice)]
    return []


def _remaining_bases(session: Session, invoice: Invoice) -> dict:
    remaining = {(v.category, v.rate): v.base for v in invoice.vat_breakdown}
    credited = session.execute(
        select(InvoiceVat.category, InvoiceVat.rate, func.sum(InvoiceVat.base))
        .join(Invoice, Invoice.id == InvoiceVat.invoice_id)
        .where(Invoice.credited_invoice_id == invoice.id)
        .group_by(InvoiceVat.category, InvoiceVat.rate)).all()
    for category, rate, base in credited:
        remaining[(category, rate)] -= Decimal(base)
    return remaining


def _whole_lines(invoice: Invoice, remaining: dict) -> list[dict]:
    if invoice.credited_net == 0:
        return [{"description": ln.description, "quantity": ln.quantity, "unit_code": ln.unit_code,
                 "unit_price": ln.unit_price, "vat_category": ln.vat_category, "vat_rate": ln.vat_rate,
                 "exemption_reason": ln.exemption_reason} for ln in invoice.lines]
    reasons = {(v.category, v.rate): v.exemption_reason for v in invoice.vat_breakdown}
    return [{"description": f"Remainder of {invoice.number}", "quantity": Decimal(1),
             "unit_price": base, "vat_category": category, "vat_rate": rate,
             "exemption_reason": reasons[(category, rate)]}
            for (category, rate), base in remaining.items() if base > 0]


def list_invoices(session: Session, filters: dict, limit: int, offset: int) -> list[Invoice]:
    query = select(Invoice)
    for name in ("activity_id", "member_id", "client_id", "status", "document_type"):
        if filters.get(name):
            query = query.where(getattr(Invoice, name) == filters[name])
    return session.execute(query.order_by(Invoice.created_at, Invoice.id)
                           .limit(limit).offset(offset)).scalars().all()


def breakdown_data(document: Invoice) -> list[dict]:
    return [{"category": v.category, "rate": v.rate, "base": v.base, "vat": v.vat}
            for v in document.vat_breakdown]


def issued_event(invoice: Invoice) -> Emit:
    return Emit("invoice_issued", {
        "invoice_id": invoice.id, "number": invoice.number, "activity_id": invoice.activity_id,
        "member_id": invoice.member_id, "client_id": invoice.client_id,
        "issue_date": invoice.issue_date, "due_date": invoice.due_date, "currency": invoice.currency,
        "total_net": invoice.total_net, "total_vat": invoice.total_vat,
        "total_gross": invoice.total_gross, "fee": invoice.fee,
        "vat_breakdown": breakdown_data(invoice)}, invoice.id)


def credit_note_event(note: Invoice, invoice: Invoice) -> Emit:
    return Emit("credit_note_issued", {
        "credit_note_id": note.id, "number": note.number, "invoice_id": invoice.id,
        "activity_id": note.activity_id, "member_id": note.member_id,
        "issue_date": note.issue_date, "currency": note.currency, "total_net": note.total_net,
        "total_vat": note.total_vat, "total_gross": note.total_gross, "fee_reversed": note.fee,
        "vat_breakdown": breakdown_data(note)}, invoice.id)


def paid_event(invoice: Invoice) -> Emit:
    return Emit("invoice_paid", {"invoice_id": invoice.id, "activity_id": invoice.activity_id,
                                 "paid_on": invoice.paid_on}, invoice.id)
