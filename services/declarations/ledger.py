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

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.declarations import periods
from services.declarations.models import Declaration, DeclarationLine
from shared.parameters import ParameterBook
from shared.db import utcnow
from shared.errors import NotFound, PreconditionFailed, rule_broken

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


def find(session: Session, kind: str, period: str, reference: str = "", lock: bool = False):
    query = select(Declaration).where(Declaration.kind == kind, Declaration.period == period,
                                      Declaration.reference == reference)
    if lock:
        query = query.with_for_update()
    return session.execute(query).scalar_one_or_none()


def open_declaration(session: Session, book: ParameterBook, kind: str, period: str,
                     reference: str = "", start_of_work: dt.date | None = None,
                     status: str = "draft") -> tuple[Declaration, bool]:
    """The declaration of ``kind`` for ``period``, created when missing; (declaration, created)."""
    found = find(session, kind, period, reference, lock=True)
    if found is not None:
        return found, False
    # instances may create the same declaration at once: the loser's insert does nothing
    # (waiting for the winner's commit) and both then lock the same row
    new_id = str(uuid.uuid4())
    statement = _insert_for(session)(Declaration).values(
        id=new_id, kind=kind, period=period, reference=reference, status=status,
        due_date=periods.due_date(book, kind, period, start_of_work), created_at=utcnow(),
        ready_at=utcnow() if status == "ready" else None,
    ).on_conflict_do_nothing()
    session.execute(statement)
    declaration = find(session, kind, period, reference, lock=True)
    return declaration, declaration.id == new_id


def _insert_for(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert
    return sqlite.insert


def book_figures(session: Session, book: ParameterBook, kind: str, period: str,
                 document_kind: str, document_id: str, figures: list[Figure]) -> Declaration:
    """Add a document's figures to the open return of ``period`` or, if it is closed, the next one."""
    declaration, target = open_return(session, book, kind, period)
    now = utcnow()
    for figure in figures:
        session.add(DeclarationLine(
            declaration_id=declaration.id, code=figure.code, amount=figure.amount,
            document_kind=document_kind, document_id=document_id, member_id=figure.member_id,
            regime=figure.regime, period_of=period, regularisation=target != period,
            recorded_at=now,
        ))
    session.flush()
    return declaration


def open_return(session: Session, book: ParameterBook, kind: str, period: str) -> tuple[Declaration, str]:
    """The open return a figure of ``period`` goes to (locked), and its period."""
    target = period
    while True:
        declaration, _ = open_declaration(session, book, kind, target)
        if declaration.status in OPEN:
            return declaration, target
        target = periods.following(target)


@dataclass(frozen=True)
class Document:
    """A document's figures to book: ``book_documents`` takes many at once."""

    period: str
    document_kind: str
    document_id: str
    figures: list[Figure]


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
        rows.extend({
            "declaration_id": declaration.id, "code": figure.code, "amount": figure.amount,
            "document_kind": document.document_kind, "document_id": document.document_id,
            "member_id": figure.member_id, "regime": figure.regime, "period_of": document.period,
            "regularisation": target != document.period, "recorded_at": now,
        } for figure in document.figures)
    if rows:  # a Core insert: the ORM's per-row bookkeeping would cost more than the rows
        session.execute(DeclarationLine.__table__.insert(), rows)
    return {period: declaration for period, (declaration, _) in targets.items()}


def get(session: Session, declaration_id: str, lock: bool = False) -> Declaration:
    query = select(Declaration).where(Declaration.id == declaration_id)
    if lock:
        query = query.with_for_update()
    declaration = session.execute(query).scalar_one_or_none()
    if declaration is None:
        raise NotFound(f"no declaration {declaration_id}")
    return declaration


def lines(session: Session, declaration: Declaration) -> list[DeclarationLine]:
    return list(session.execute(select(DeclarationLine).where(
        DeclarationLine.declaration_id == declaration.id).order_by(DeclarationLine.id)).scalars())


def list_declarations(session: Session, kind=None, status=None, period=None,
                      limit: int = 50, offset: int = 0) -> list[Declaration]:
    query = select(Declaration).order_by(Declaration.due_date, Declaration.kind, Declaration.id)
    if kind:
        query = query.where(Declaration.kind == kind)
    if status:
        query = query.where(Declaration.status == status)
    if period:
        query = query.where(Declaration.period == period)
    return list(session.execute(query.limit(limit).offset(offset)).scalars())


# ---- the life of a declaration ----

def mark_ready(session: Session, declaration_id: str) -> tuple[Declaration, bool]:
    """draft -> ready; (declaration, changed). Ready again is a no-op."""
    declaration = get(session, declaration_id, lock=True)
    return declaration, _make_ready(declaration)


def _make_ready(declaration: Declaration) -> bool:
    if declaration.status == "ready":
        return False
    if declaration.status != "draft":
        raise PreconditionFailed(f"a {declaration.status} declaration cannot become ready")
    declaration.status, declaration.ready_at = "ready", utcnow()
    return True


def ready_period(session: Session, book: ParameterBook, kind: str, period: str):
    """Prepare a periodic return for submission (month-end); None when already beyond ready."""
    declaration, _ = open_declaration(session, book, kind, period)
    if declaration.status in CLOSED:
        return None
    return declaration if _make_ready(declaration) else None


def mark_submitted(session: Session, declaration_id: str, exported_file: str,
                   submitted_by: str | None, submission_reference: str | None) -> Declaration:
    declaration = get(session, declaration_id, lock=True)
    if declaration.status != "ready":
        raise PreconditionFailed(
            f"only a ready declaration can be submitted, this one is {declaration.status}")
    declaration.status, declaration.submitted_at = "submitted", utcnow()
    declaration.submitted_by, declaration.submission_reference = submitted_by, submission_reference
    declaration.submitted_file = exported_file
    return declaration


def record_outcome(session: Session, declaration_id: str, outcome: str, note: str | None) -> Declaration:
    if outcome not in OUTCOMES:
        raise rule_broken("outcome", f"must be one of {', '.join(OUTCOMES)}")
    declaration = get(session, declaration_id, lock=True)
    if declaration.status != "submitted":
        raise PreconditionFailed(
            f"only a submitted declaration gets an outcome, this one is {declaration.status}")
    declaration.status, declaration.outcome_at, declaration.outcome_note = outcome, utcnow(), note
    return declaration


def cancel(declaration: Declaration) -> None:
    declaration.status = "cancelled"


# ---- deadlines ----

def deadline_alerts(session: Session, book: ParameterBook, today: dt.date) -> list[tuple[str, Declaration]]:
    """Mark and return the declarations to alert about: ("due", d) within the lead time,
    ("overdue", d) past their date. Each alert is raised once: the conditional UPDATE lets
    only one instance claim it."""
    lead = book.integer("alert.lead_days", today)
    alerts = []
    candidates = session.execute(select(Declaration).where(
        Declaration.status.in_(OPEN),
        Declaration.due_date <= today + dt.timedelta(days=lead),
    ).order_by(Declaration.due_date)).scalars().all()
    now = utcnow()
    for declaration in candidates:
        if declaration.due_date < today and _claim(session, declaration, "overdue_alerted_at", now):
            alerts.append(("overdue", declaration))
        elif declaration.due_date >= today and _claim(session, declaration, "due_alerted_at", now):
            alerts.append(("due", declaration))
    return alerts


def _claim(session: Session, declaration: Declaration, column: str, now) -> bool:
    result = session.execute(update(Declaration).where(
        Declaration.id == declaration.id, getattr(Declaration, column).is_(None),
    ).values({column: now}).execution_options(synchronize_session=False))
    return result.rowcount == 1
