"""Gapless numbers per series and year (VAT Directive art. 226(2)).

A database sequence is not gapless (a rolled-back transaction burns its value). Here the
series row is locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite serialises writers with
BEGIN IMMEDIATE) and moved on in the transaction that issues the documents, so a rollback
gives the numbers back. ``allocate`` takes a block of ``count`` numbers in one locked step:
a batch of invoices pays for the lock once.
"""
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.billing.models import NumberSeries


def allocate(session: Session, series: str, year: int, count: int = 1) -> int:
    """Lock the series row and reserve ``count`` numbers; returns the first one."""
    locked = (select(NumberSeries.last_number)
              .where(NumberSeries.series == series, NumberSeries.year == year).with_for_update())
    last = session.execute(locked).scalar()
    if last is None:
        _ensure_row(session, series, year)
        last = session.execute(locked).scalar_one()
    session.execute(update(NumberSeries)
                    .where(NumberSeries.series == series, NumberSeries.year == year)
                    .values(last_number=last + count))
    return last + 1


def _ensure_row(session: Session, series: str, year: int) -> None:
    # the first document of a year creates its row; concurrent creators do not collide
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(NumberSeries).values(series=series, year=year, last_number=0)
                    .on_conflict_do_nothing(index_elements=["series", "year"]))


def format_number(series: str, year: int, sequence: int) -> str:
    return f"{series}-{year}-{sequence:06d}"


def payment_reference(year: int, sequence: int) -> str:
    """The 12 digits of an invoice's structured communication (OGM/VCS): 1, the year's two
    digits, the 7-digit number in the invoice series, then the ten digits mod 97 (97 for 0)."""
    base = f"1{year % 100:02d}{sequence:07d}"
    check = int(base) % 97 or 97
    return f"{base}{check:02d}"


def format_ogm(reference: str) -> str:
    return f"+++{reference[:3]}/{reference[3:7]}/{reference[7:]}+++"
