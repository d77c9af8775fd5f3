"""The statutes' dated parameters that membership's rules read, by what they mean."""
import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from shared import parameters


def share_price(session: Session, on: dt.date) -> Decimal:
    """The nominal value of one share on that day (EUR 30 since 2017)."""
    return parameters.decimal(session, "share_price", on)


def years_covered_per_share(session: Session, on: dt.date) -> int:
    return parameters.integer(session, "years_covered_per_share", on)


def min_shares_while_active(session: Session, on: dt.date) -> int:
    return parameters.integer(session, "min_shares_while_active", on)


def redemption_last_month(session: Session, on: dt.date) -> int:
    return parameters.integer(session, "redemption_last_month", on)


def member_classes(session: Session, on: dt.date) -> tuple[str, ...]:
    """The classes of members the statutes define (A workers, B clients and supporters)."""
    return tuple(code.strip() for code in parameters.text(session, "member_classes", on).split(","))
