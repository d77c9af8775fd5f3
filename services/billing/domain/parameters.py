"""Dated parameters: every rate, amount and delay has a value and the date it takes effect."""
import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.billing.models import Parameter


def value(session: Session, name: str, on: dt.date) -> str:
    """The value in force on a date; remembered for the rest of the transaction."""
    cache = session.info.setdefault("parameters", {})
    if (name, on) not in cache:
        cache[(name, on)] = _lookup(session, name, on)
    return cache[(name, on)]


def _lookup(session: Session, name: str, on: dt.date) -> str:
    found = session.execute(
        select(Parameter.value).where(Parameter.name == name, Parameter.effective_from <= on)
        .order_by(Parameter.effective_from.desc()).limit(1)).scalar()
    if found is None:
        raise LookupError(f"parameter {name} has no value on {on}")
    return found


def decimal(session: Session, name: str, on: dt.date) -> Decimal:
    return Decimal(value(session, name, on))


def integer(session: Session, name: str, on: dt.date) -> int:
    return int(value(session, name, on))


def integers(session: Session, name: str, on: dt.date) -> list[int]:
    return [int(part) for part in value(session, name, on).split(",") if part.strip()]
