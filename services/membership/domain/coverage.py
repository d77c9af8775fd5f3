"""What membership's events tell other services of a member's standing: the paid shares held
and the day they cover use until (``shares.covered_until``), as of the day of publishing."""
import datetime as dt
from dataclasses import asdict

from sqlalchemy.orm import Session

from services.membership.domain.shares import Movement, Transfer, covered_until, holding


def holdings(session: Session, member_id: str, today: dt.date, prefix: str = "") -> dict:
    held = holding(session, member_id, today)
    return {f"{prefix}paid_shares": held.paid_shares,
            f"{prefix}covered_until": covered_until(session, held, today)}


def covered_on(session: Session, member_id: str, as_of: dt.date, today: dt.date) -> dt.date | None:
    """The coverage of the shares held on ``as_of`` (an admission states its own day's holdings)."""
    return covered_until(session, holding(session, member_id, as_of), today)


def movement_event(session: Session, movement: Movement, today: dt.date) -> dict:
    """A payment's or redemption's event data, with the member's coverage after it."""
    return {**asdict(movement), **holdings(session, movement.member_id, today)}


def transfer_event(session: Session, transfer: Transfer, today: dt.date) -> dict:
    """A transfer's event data, with the coverage of both members after it."""
    return {**asdict(transfer), **holdings(session, transfer.from_member_id, today, "from_"),
            **holdings(session, transfer.to_member_id, today, "to_")}
