"""The projection of membership events: who is a member in good standing.

Each event type travels on its own queue, so events may arrive out of order: an event older
than the last one applied to a member leaves the projection as it is.
"""
import datetime as dt

from sqlalchemy.orm import Session

from shared.errors import NotFound, rule_broken
from services.billing.domain import fetch
from services.billing.models import MemberStanding

STATUS_AFTER = {
    "member_admitted": "admitted",
    "member_reinstated": "admitted",
    "member_suspended": "suspended",
    "member_excluded": "excluded",
    "member_resigned": "resigned",
    "member_erased": "erased",
}


def apply_event(session: Session, event_type: str, data: dict, occurred_at: dt.datetime) -> None:
    member = session.get(MemberStanding, data["member_id"], with_for_update=True)
    if member is None:
        member = MemberStanding(member_id=data["member_id"], status="unknown", paid_shares=0,
                                as_of=occurred_at)
        session.add(member)
    elif _aware(member.as_of) > occurred_at:
        return
    member.status = STATUS_AFTER[event_type]
    member.as_of = occurred_at
    if "paid_shares" in data:
        member.paid_shares = int(data["paid_shares"])


def require_good_standing(session: Session, member_id: str, field: str = "member_id") -> None:
    member = fetch(session, MemberStanding, member_id)
    if member is None or not member.good_standing:
        status = "unknown to billing" if member is None else member.status
        raise rule_broken(field, f"member {member_id} is not in good standing ({status})")


def standing(session: Session, member_id: str) -> MemberStanding:
    member = session.get(MemberStanding, member_id)
    if member is None:
        raise NotFound(f"billing knows no member {member_id}", {"member_id": ["unknown member"]})
    return member


def _aware(instant: dt.datetime) -> dt.datetime:
    return instant if instant.tzinfo else instant.replace(tzinfo=dt.timezone.utc)
