"""Billing's member-standing projection (``shared.standing``): who may invoice, be paid, spend."""
import datetime as dt

from sqlalchemy.orm import Session

from services.billing.domain import fetch
from services.billing.models import MemberStanding
from shared import standing as projection
from shared.errors import NotFound


def apply_event(session: Session, event_type: str, data: dict, occurred_at: dt.datetime) -> None:
    """Apply a membership event as the handlers do (for seeding and tests)."""
    for fact in projection.facts_of(event_type, data, occurred_at):
        projection.project(session, MemberStanding, fact)


def require_good_standing(session: Session, member_id: str, on: dt.date, field: str = "member_id") -> None:
    """Refuse (``NotInGoodStanding``) a member not in good standing on ``on``, the day of the
    invoice, expense or payout."""
    projection.check_good_standing(fetch(session, MemberStanding, member_id), member_id, on, field)


def standing(session: Session, member_id: str) -> MemberStanding:
    member = session.get(MemberStanding, member_id)
    if member is None:
        raise NotFound(f"billing knows no member {member_id}", {"member_id": ["unknown member"]})
    return member
