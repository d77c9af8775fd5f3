"""What billing's events bring to the declarations: VAT grids, payouts, Dimona, month-end.

The figures each document brings are plain functions of its data (``invoice_figures``,
``payout_figures``, ``returns_due_at_month_end``...); the ``record_*`` functions book them."""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sqlalchemy.orm import Session

from services.declarations.domain import ledger, periods, store
from services.declarations.domain.ledger import Figure
from services.declarations.models import Declaration, Payout
from shared.errors import rule_broken
from shared.parameters import ParameterBook

# EN 16931 VAT categories that are not taxed at a Belgian rate: grid of the base
UNTAXED_SALES_GRID = {"Z": "00", "E": "00", "AE": "45", "K": "46", "G": "47"}
# credit notes on intra-EU, reverse-charge and export sales go to grid 48, the others to 49
CREDIT_NOTE_GRID = {"AE": "48", "K": "48", "G": "48"}
PURCHASE_GRID = {"goods": "81", "services": "82", "investment": "83"}
RATE_GRIDS = (("vat.rate_reduced", "01"), ("vat.rate_intermediate", "02"), ("vat.rate_standard", "03"))
PAYOUT_CODES = ("gross", "employee_contributions", "employer_contributions", "withholding_tax")


class PayoutNotYetKnown(Exception):
    """A cancellation arrived before its approval (they travel on different queues): retried."""


def _sum_by_code(pairs) -> list[Figure]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for code, amount in pairs:
        totals[code] += amount
    return [Figure(code, amount) for code, amount in sorted(totals.items())]


def sales_grid(book: ParameterBook, on: dt.date, category: str, rate: Decimal) -> str:
    if category in UNTAXED_SALES_GRID:
        return UNTAXED_SALES_GRID[category]
    if category != "S":
        raise rule_broken("vat_breakdown.category", f"unknown VAT category {category}")
    if rate == 0:
        return "00"
    for name, grid in RATE_GRIDS:
        if book.decimal(name, on) == rate:
            return grid
    raise rule_broken("vat_breakdown.rate", f"{rate}% is not a Belgian VAT rate on {on.isoformat()}")


def invoice_figures(book: ParameterBook, data: dict) -> list[Figure]:
    """The VAT grids of an issued invoice: the base by rate or category, the VAT due in 54."""
    day = data["issue_date"]
    pairs = []
    for item in data["vat_breakdown"]:
        grid = sales_grid(book, day, item["category"], item["rate"])
        pairs.append((grid, item["base"]))
        if item["category"] == "S":
            pairs.append(("54", item["vat"]))
    return _sum_by_code(pairs)


def credit_note_figures(book: ParameterBook, data: dict) -> list[Figure]:
    """The VAT grids of a credit note: the base in 48 or 49, the VAT to recover in 64."""
    pairs = []
    for item in data["vat_breakdown"]:
        pairs.append((CREDIT_NOTE_GRID.get(item["category"], "49"), item["base"]))
        pairs.append(("64", item["vat"]))
    return _sum_by_code(pairs)


def expense_figures(data: dict) -> list[Figure]:
    """The VAT grids of an approved expense: the net in 81, 82 or 83, the deductible VAT in 59."""
    return _sum_by_code([(PURCHASE_GRID[data["category"]], data["net"]), ("59", data["deductible_vat"])])


def payout_from_event(data: dict) -> Payout:
    """The payout an approval describes; its work days are its distinct work dates."""
    work_dates = sorted(data["work_dates"]) or [data["first_work_date"]]
    payout = Payout(
        payout_id=data["payout_id"], member_id=data["member_id"], activity_id=data["activity_id"],
        worker_category=data["worker_category"], first_work_date=data["first_work_date"],
        last_work_date=data["last_work_date"], work_days=len(set(work_dates)), pay_date=data["pay_date"],
        gross=data["gross"], employee_contributions=data["employee_contributions"],
        withholding_tax=data["withholding_tax"], net=data["net"],
        employer_contributions=data["employer_contributions"], employer_cost=data["employer_cost"],
        cancelled=False,
    )
    if payout.last_work_date < payout.first_work_date:
        raise rule_broken("last_work_date", "is before the first work date")
    return payout


def payout_figures(payout: Payout, sign: int) -> tuple[list[Figure], list[Figure]]:
    """(274 figures, DmfA figures) of a payout; ``sign`` -1 reverses them."""
    taxable = payout.gross - payout.employee_contributions
    withholding = [Figure("gross", sign * payout.gross), Figure("taxable", sign * taxable),
                   Figure("withholding_tax", sign * payout.withholding_tax)]
    dmfa = [Figure(code, sign * getattr(payout, code), payout.member_id, payout.worker_category)
            for code in PAYOUT_CODES]
    dmfa.append(Figure("days", Decimal(sign * payout.work_days), payout.member_id, payout.worker_category))
    return withholding, dmfa


def dimona_withdrawal(dimona_status: str | None) -> str:
    """What a cancelled payout does to its Dimona IN (``None``: none is found): "withdraw" it
    while it is not submitted, "nothing" when the authority rejected it, else "declare" a
    cancellation."""
    if dimona_status in ledger.OPEN:
        return "withdraw"
    if dimona_status == "rejected":
        return "nothing"
    return "declare"


def returns_due_at_month_end(month: str, periodicity: str) -> list[tuple[str, str]]:
    """(kind, period) of the returns a month's end makes ready: its 274, and the VAT return and
    the DmfA whose period ends with it."""
    periods.parse(month)
    due = [("withholding", month)]
    if periodicity == periods.MONTHLY:
        due.append(("vat", month))
    if periods.is_quarter_end(month):
        quarter = periods.quarter_of(periods.bounds(month)[0])
        if periodicity == periods.QUARTERLY:
            due.append(("vat", quarter))
        due.append(("dmfa", quarter))
    return due


def record_invoice(session: Session, book: ParameterBook, data: dict, periodicity: str):
    if store.has_lines(session, "invoice", data["invoice_id"]):
        return None
    return ledger.book_figures(session, book, "vat", periods.period_of(data["issue_date"], periodicity),
                               "invoice", data["invoice_id"], invoice_figures(book, data))


def record_credit_note(session: Session, book: ParameterBook, data: dict, periodicity: str):
    if store.has_lines(session, "credit_note", data["credit_note_id"]):
        return None
    return ledger.book_figures(session, book, "vat", periods.period_of(data["issue_date"], periodicity),
                               "credit_note", data["credit_note_id"], credit_note_figures(book, data))


def record_invoices(session: Session, book: ParameterBook, invoices: list[dict], periodicity: str):
    """``record_invoice`` for many invoices at once, with the same lines: the invoices already
    booked are found with one query, each return is locked once, the lines are bulk-inserted."""
    return _record_documents(session, book, "invoice", "invoice_id", invoice_figures, invoices, periodicity)


def record_credit_notes(session: Session, book: ParameterBook, notes: list[dict], periodicity: str):
    """``record_credit_note`` for many credit notes at once (see ``record_invoices``)."""
    return _record_documents(session, book, "credit_note", "credit_note_id", credit_note_figures, notes,
                             periodicity)


def _record_documents(session, book, document_kind, id_field, figures_of, documents, periodicity):
    """The VAT documents not booked yet (each once, the first copy of a document counts), booked
    in one go; returns the declarations they went to."""
    booked = store.booked_documents(session, document_kind, [d[id_field] for d in documents])
    todo = []
    for data in documents:
        if data[id_field] in booked:
            continue
        booked.add(data[id_field])
        todo.append(ledger.Document(periods.period_of(data["issue_date"], periodicity), document_kind,
                                    data[id_field], figures_of(book, data)))
    if not todo:
        return {}
    return ledger.book_documents(session, book, "vat", todo)


def record_expense(session: Session, book: ParameterBook, data: dict, periodicity: str):
    if store.has_lines(session, "expense", data["expense_id"]):
        return None
    return ledger.book_figures(session, book, "vat", periods.period_of(data["expense_date"], periodicity),
                               "expense", data["expense_id"], expense_figures(data))


def record_payout(session: Session, book: ParameterBook, data: dict):
    """Project the payout, declare it (Dimona IN) and book it for the 274 and the DmfA.

    Returns the Dimona, or None when this payout was already recorded under another event.
    """
    if store.payout(session, data["payout_id"]) is not None:
        return None
    payout = payout_from_event(data)
    store.add_payout(session, payout)
    dimona, _ = ledger.open_declaration(
        session, book, "dimona", periods.month_of(payout.first_work_date), payout.payout_id,
        start_of_work=payout.first_work_date, status="ready")
    withholding, dmfa = payout_figures(payout, +1)
    ledger.book_figures(session, book, "withholding", periods.month_of(payout.pay_date),
                        "payout", payout.payout_id, withholding)
    ledger.book_figures(session, book, "dmfa", periods.quarter_of(payout.first_work_date),
                        "payout", payout.payout_id, dmfa)
    return dimona


def cancel_payout(session: Session, book: ParameterBook, payout_id: str):
    """Withdraw the Dimona (or declare its cancellation once submitted) and reverse the figures.

    Returns the Dimona cancellation to submit, or None when the IN was never submitted.
    """
    payout = store.payout(session, payout_id, lock=True)
    if payout is None:
        raise PayoutNotYetKnown(f"payout {payout_id} is not known yet")
    if payout.cancelled:
        return None
    payout.cancelled = True
    withholding, dmfa = payout_figures(payout, -1)
    ledger.book_figures(session, book, "withholding", periods.month_of(payout.pay_date),
                        "payout_cancel", payout_id, withholding)
    ledger.book_figures(session, book, "dmfa", periods.quarter_of(payout.first_work_date),
                        "payout_cancel", payout_id, dmfa)
    dimona = store.find(session, "dimona", periods.month_of(payout.first_work_date), payout_id, lock=True)
    withdrawal = dimona_withdrawal(dimona.status if dimona is not None else None)
    if withdrawal == "withdraw":
        ledger.cancel(dimona)
        return None
    if withdrawal == "nothing":
        return None  # the authority never registered it: nothing to cancel
    cancellation, _ = ledger.open_declaration(
        session, book, "dimona_cancel", periods.month_of(payout.first_work_date), payout_id,
        start_of_work=payout.first_work_date, status="ready")
    return cancellation


def close_month(session: Session, book: ParameterBook, month: str, periodicity: str) -> list[Declaration]:
    """Month-end: the month's 274, and the VAT return and DmfA whose period ends, become ready."""
    made_ready = [ledger.ready_period(session, book, kind, period)
                  for kind, period in returns_due_at_month_end(month, periodicity)]
    return [d for d in made_ready if d is not None]
