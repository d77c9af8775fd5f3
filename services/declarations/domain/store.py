"""The SQL of the declarations' rules: finding, creating and locking declarations, writing their
lines, reading the facts a report is computed from. No rule is decided here."""
import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.declarations.models import Declaration, DeclarationLine, Payout

# ---- declarations ----


def find(session: Session, kind: str, period: str, reference: str = "", lock: bool = False):
    query = select(Declaration).where(Declaration.kind == kind, Declaration.period == period,
                                      Declaration.reference == reference)
    if lock:
        query = query.with_for_update()
    return session.execute(query).scalar_one_or_none()


def insert_if_absent(session: Session, **values) -> None:
    """Insert a declaration unless its (kind, period, reference) exists: instances may create the
    same one at once, and the loser's insert does nothing (waiting for the winner's commit)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(insert(Declaration).values(**values).on_conflict_do_nothing())


def get(session: Session, declaration_id: str, lock: bool = False) -> Declaration | None:
    query = select(Declaration).where(Declaration.id == declaration_id)
    if lock:
        query = query.with_for_update()
    return session.execute(query).scalar_one_or_none()


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


def due_by(session: Session, statuses: tuple[str, ...], last_day: dt.date) -> list[Declaration]:
    """The declarations in one of ``statuses`` due on or before ``last_day``, soonest first."""
    return list(session.execute(select(Declaration).where(
        Declaration.status.in_(statuses), Declaration.due_date <= last_day,
    ).order_by(Declaration.due_date)).scalars())


def claim(session: Session, declaration_id: str, column: str, now: dt.datetime) -> bool:
    """Set ``column`` (an alert's time) if it is still empty; True for the one caller that did."""
    result = session.execute(update(Declaration).where(
        Declaration.id == declaration_id, getattr(Declaration, column).is_(None),
    ).values({column: now}).execution_options(synchronize_session=False))
    return result.rowcount == 1


# ---- lines ----


def add_lines(session: Session, rows: list[dict]) -> None:
    """A few lines through the ORM (flushed, so the next query sees them)."""
    for row in rows:
        session.add(DeclarationLine(**row))
    session.flush()


def insert_lines(session: Session, rows: list[dict]) -> None:
    """Many lines in one Core insert: the ORM's per-row bookkeeping would cost more than the rows."""
    if rows:
        session.execute(DeclarationLine.__table__.insert(), rows)


def lines(session: Session, declaration: Declaration) -> list[DeclarationLine]:
    return list(session.execute(select(DeclarationLine).where(
        DeclarationLine.declaration_id == declaration.id).order_by(DeclarationLine.id)).scalars())


def booked_documents(session: Session, document_kind: str, document_ids: list[str]) -> set[str]:
    """Which of these documents already have lines (one query)."""
    if not document_ids:
        return set()
    return set(session.execute(select(DeclarationLine.document_id).distinct().where(
        DeclarationLine.document_kind == document_kind,
        DeclarationLine.document_id.in_(set(document_ids)))).scalars())


def has_lines(session: Session, document_kind: str, document_id: str) -> bool:
    return session.execute(select(DeclarationLine.id).where(
        DeclarationLine.document_kind == document_kind,
        DeclarationLine.document_id == document_id).limit(1)).first() is not None


def totals_by_code(session: Session, declaration: Declaration) -> dict[str, Decimal]:
    rows = session.execute(select(DeclarationLine.code, func.sum(DeclarationLine.amount))
                           .where(DeclarationLine.declaration_id == declaration.id)
                           .group_by(DeclarationLine.code)).all()
    return {code: Decimal(total) for code, total in rows}


def regularisation_lines(session: Session, declaration: Declaration) -> list[DeclarationLine]:
    return list(session.execute(select(DeclarationLine).where(
        DeclarationLine.declaration_id == declaration.id, DeclarationLine.regularisation.is_(True),
    ).order_by(DeclarationLine.id)).scalars())


def occupation_sums(session: Session, declaration: Declaration) -> list[tuple]:
    """(member_id, regime, payout_id, code, sum of amounts) of a DmfA's lines."""
    return [tuple(row) for row in session.execute(
        select(DeclarationLine.member_id, DeclarationLine.regime, DeclarationLine.document_id,
               DeclarationLine.code, func.sum(DeclarationLine.amount))
        .where(DeclarationLine.declaration_id == declaration.id)
        .group_by(DeclarationLine.member_id, DeclarationLine.regime,
                  DeclarationLine.document_id, DeclarationLine.code)).all()]


# ---- payouts ----


def payout(session: Session, payout_id: str, lock: bool = False) -> Payout | None:
    if not lock:
        return session.get(Payout, payout_id)
    return session.execute(select(Payout).where(Payout.payout_id == payout_id)
                           .with_for_update()).scalar_one_or_none()


def payouts(session: Session, payout_ids: set[str]) -> dict[str, Payout]:
    if not payout_ids:
        return {}
    return {p.payout_id: p for p in session.execute(select(Payout).where(
        Payout.payout_id.in_(payout_ids))).scalars()}


def add_payout(session: Session, payout: Payout) -> None:
    session.add(payout)
