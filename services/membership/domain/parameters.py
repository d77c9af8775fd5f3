"""Dated parameters of the statutes: the value in force on a given day."""
import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.membership.models import Parameter


def parameter(session: Session, name: str, on: dt.date) -> str:
    value = session.execute(
        select(Parameter.value).where(Parameter.name == name, Parameter.effective_from <= on)
        .order_by(Parameter.effective_from.desc()).limit(1)
    ).scalar_one_or_none()
    if value is None:
        raise LookupError(f"no parameter {name} in force on {on}")
    return value


def share_price(session: Session, on: dt.date) -> Decimal:
    """The nominal value of one share on that day (EUR 30 since 2017)."""
    return Decimal(parameter(session, "share_price", on))


def years_covered_per_share(session: Session, on: dt.date) -> int:
    return int(parameter(session, "years_covered_per_share", on))


def min_shares_while_active(session: Session, on: dt.date) -> int:
    return int(parameter(session, "min_shares_while_active", on))


def redemption_last_month(session: Session, on: dt.date) -> int:
    return int(parameter(session, "redemption_last_month", on))


def member_classes(session: Session, on: dt.date) -> tuple[str, ...]:
    """The classes of members the statutes define (A workers, B clients and supporters)."""
    return tuple(code.strip() for code in parameter(session, "member_classes", on).split(","))
