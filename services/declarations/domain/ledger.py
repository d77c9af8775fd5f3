"""Declarations and their lines: which return a figure goes to, and each declaration's life.

A figure goes to the return of its own period while that return is open (draft or ready).
Once the return is submitted, the figure goes to the next open return of the same kind,
flagged as a regularisation. The declaration row is locked (SELECT ... FOR UPDATE) while
lines are added or its state changes, so a submission and a late line never cross.
"""
import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from services.declarations.domain import periods, store
from services.declarations.models import Declaration
from shared.clock import utcnow
from shared.errors import NotFound, PreconditionFailed, rule_broken
from shared.parameters import ParameterBook

KINDS = ("dimona", "dimona_cancel", "dmfa", "withholding", "vat")
OPEN = ("draft", "ready")
CLOSED = ("submitted", "accepted", "rejected", "cancelled")
OUTCOMES = ("accepted", "rejected")


@dataclass(frozen=True)
class Figure:
    """A line to book: ``code`` (a VAT grid, "gross"...) and its amount."""

    code: str
    amount: Decimal
    member_id: str | None = None
    regime: str | None = None


@dataclass(frozen=True)
class Document:
    """A document's figures to book: ``book_documents`` takes many at once."""

    period: str
    document_kind: str
    document_id: str
    figures: list[Figure]


def line_rows(declaration_id: str, target: str, document: Document, now: dt.datetime) -> list[dict]:
    """The lines a document's figures make in the return of period ``target``: a regularisation
    when that is not the document's own period."""
    return [{"declaration_id": declaration_id, "code": figure.code, "amount": figure.amount,
             "document_kind": document.document_kind, "document_id": document.document_id,
             "member_id": figure.member_id, "regime": figure.regime, "period_of": document.period,
             "regularisation": target != document.period, "recorded_at": now}
            for figure in document.figures]


def open_declaration(session: Session, book: ParameterBook, kind: str, period: str,
                     reference: str = "", start_of_work: dt.date | None = None,
                     status: str = "draft") -> tuple[Declaration, bool]:
    """The declaration of ``kind`` for ``period``, created when missing; (declaration, created)."""
    found = store.find(session, kind, period, reference, lock=True)
    if found is not None:
        return found, False
    # instances may create the same declaration at once: both then lock the same row
    new_id = str(uuid.uuid4())
    store.insert_if_absent(
        session, id=new_id, kind=kind, period=period, reference=reference, status=status,
        due_date=periods.due_date(book, kind, period, start_of_work), created_at=utcnow(),
        ready_at=utcnow() if status == "ready" else None)
    declaration = store.find(session, kind, period, reference, lock=True)
    return declaration, declaration.id == new_id


def book_figures(session: Session, book: ParameterBook, kind: str, period: str,
                 document_kind: str, document_id: str, figures: list[Figure]) -> Declaration:
    """Add a document's figures to the open return of ``period`` or, if it is closed, the next one."""
    declaration, target = open_return(session, book, kind, period)
    document = Document(period, document_kind, document_id, figures)
    store.add_lines(session, line_rows(declaration.id, target, document, utcnow()))
    return declaration


def open_return(session: Session, book: ParameterBook, kind: str, period: str) -> tuple[Declaration, str]:
    """The open return a figure of ``period`` goes to (locked), and its period."""
    target = period
    while True:
        declaration, _ = open_declaration(session, book, kind, target)
        if declaration.status in OPEN:
            return declaration, target
        target = periods.following(target)


def book_documents(session: Session, book: ParameterBook, kind: str,
                   documents: list[Document]) -> dict[str, Declaration]:
    """``book_figures`` for many documents: each return is found (and locked) once, in the order
    of its period, and every line is written with one bulk insert. The lines are the ones that
    ``book_figures`` would write document by document, in the same order. Returns the
    declaration each period's figures went to."""
    targets: dict[str, tuple[Declaration, str]] = {}
    for period in sorted({d.period for d in documents}):
        targets[period] = open_return(session, book, kind, period)
    now = utcnow()
    rows = []
    for document in documents:
        declaration, target = targets[document.period]
        rows.extend(line_rows(declaration.id, target, document, now))
    store.insert_lines(session, rows)
    return {period: declaration for period, (declaration, _) in targets.items()}


def get(session: Session, declaration_id: str, lock: bool = False) -> Declaration:
    declaration = store.get(session, declaration_id, lock)
    if declaration is None:
        raise NotFound(f"no declaration {declaration_id}")
    return declaration


# ---- the life of a declaration ----

# The transitions are plain functions of a declaration and the instant; the functions taking a
# session find and lock the declaration first.

def make_ready(declaration: Declaration, now: dt.datetime) -> bool:
    """draft -> ready; False when it was ready already. Nothing else becomes ready."""
    if declaration.status == "ready":
        return False
    if declaration.status != "draft":
        raise PreconditionFailed(f"a {declaration.status} declaration cannot become ready")
    declaration.status, declaration.ready_at = "ready", now
    return True


def submit(declaration: Declaration, exported_file: str, submitted_by: str | None,
           submission_reference: str | None, now: dt.datetime) -> None:
    """ready -> submitted, with the file handed over frozen."""
    if declaration.status != "ready":
        raise PreconditionFailed(
            f"only a ready declaration can be submitted, this one is {declaration.status}")
    declaration.status, declaration.submitted_at = "submitted", now
    declaration.submitted_by, declaration.submission_reference = submitted_by, submission_reference
    declaration.submitted_file = exported_file


def check_outcome(outcome: str) -> str:
    if outcome not in OUTCOMES:
        raise rule_broken("outcome", f"must be one of {', '.join(OUTCOMES)}")
    return outcome


def settle(declaration: Declaration, outcome: str, note: str | None, now: dt.datetime) -> None:
    """submitted -> accepted or rejected, as the authority answered."""
    check_outcome(outcome)
    if declaration.status != "submitted":
        raise PreconditionFailed(
            f"only a submitted declaration gets an outcome, this one is {declaration.status}")
    declaration.status, declaration.outcome_at, declaration.outcome_note = outcome, now, note


def mark_ready(session: Session, declaration_id: str) -> tuple[Declaration, bool]:
    """draft -> ready; (declaration, changed). Ready again is a no-op."""
    declaration = get(session, declaration_id, lock=True)
    return declaration, make_ready(declaration, utcnow())


def ready_period(session: Session, book: ParameterBook, kind: str, period: str):
    """Prepare a periodic return for submission (month-end); None when already beyond ready."""
    declaration, _ = open_declaration(session, book, kind, period)
    if declaration.status in CLOSED:
        return None
    return declaration if make_ready(declaration, utcnow()) else None


def mark_submitted(session: Session, declaration_id: str, exported_file: str,
                   submitted_by: str | None, submission_reference: str | None) -> Declaration:
    declaration = get(session, declaration_id, lock=True)
    submit(declaration, exported_file, submitted_by, submission_reference, utcnow())
    return declaration


def record_outcome(session: Session, declaration_id: str, outcome: str, note: str | None) -> Declaration:
    check_outcome(outcome)  # a wrong outcome is refused before the declaration is looked for
    declaration = get(session, declaration_id, lock=True)
    settle(declaration, outcome, note, utcnow())
    return declaration


def cancel(declaration: Declaration) -> None:
    declaration.status = "cancelled"


# ---- deadlines ----

ALERT_COLUMN = {"due": "due_alerted_at", "overdue": "overdue_alerted_at"}


def alert_of(due_date: dt.date, today: dt.date, lead_days: int) -> str | None:
    """"overdue" past its date, "due" within the lead time (the due date included), else None."""
    if due_date < today:
        return "overdue"
    if due_date <= today + dt.timedelta(days=lead_days):
        return "due"
    return None


def deadline_alerts(session: Session, book: ParameterBook, today: dt.date) -> list[tuple[str, Declaration]]:
    """Mark and return the declarations to alert about: ("due", d) within the lead time,
    ("overdue", d) past their date. Each alert is raised once: the conditional UPDATE lets
    only one instance claim it."""
    lead = book.integer("alert.lead_days", today)
    alerts = []
    now = utcnow()
    for declaration in store.due_by(session, OPEN, today + dt.timedelta(days=lead)):
        alert = alert_of(declaration.due_date, today, lead)
        if alert is not None and store.claim(session, declaration.id, ALERT_COLUMN[alert], now):
            alerts.append((alert, declaration))
    return alerts
